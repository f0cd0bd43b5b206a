package bot

import (
	"os"
	"strings"
	"testing"
)

func TestZZShot(t *testing.T) {
	if os.Getenv("ZZ_SHOT") == "" {
		t.Skip()
	}
	tb := reportsBot(t)
	c := tb.signedIn(tb.Net.Coordinator)
	for _, n := range []string{"partners", "outcomes", "seasonality-monthly", "response-times"} {
		_, body := c.get("/staff/reports/" + n + "?from=2025-11-01&to=2026-11-23")
		body = strings.ReplaceAll(body, "/staff/static/", "/work/main/templates/html/staff/")
		os.WriteFile("/tmp/rep/"+n+".html", []byte(body), 0o644)
	}
}
