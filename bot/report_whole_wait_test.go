package bot

import (
	"html/template"
	"strings"
	"testing"

	"github.com/onward-network/onward/core/report"
)

// TestReportPageWholeWait: a coordinator reads how long clients waited
// in all on the staff web — a page with its table, what it counts and
// its chart — and downloads it as one CSV table (with the byte order
// mark). Of reportsBot's 9 requests for help one client was contacted,
// 6 hours after their text; 8 still wait.
func TestReportPageWholeWait(t *testing.T) {
	t.Parallel()
	tb := reportsBot(t)
	c := tb.signedIn(tb.Net.Coordinator)
	resp, body := c.get("/staff/reports/whole-wait?from=2026-01-01&to=2026-11-23")
	if resp.StatusCode != 200 {
		t.Fatalf("whole wait page: %d %s", resp.StatusCode, body)
	}
	spec, _ := report.Lookup("whole-wait")
	for _, words := range []string{"How long clients waited in all", `<th scope="col">Still waiting for contact</th>`,
		`<th scope="col">Median calendar hours to contact</th>`, `<th scope="row">All requests</th>`,
		`<th scope="row">Moved on at least once (redirected, or re-routed after a rejection)</th>`,
		template.HTMLEscapeString(spec.Counts), `<svg xmlns="http://www.w3.org/2000/svg"`} {
		if !strings.Contains(body, words) {
			t.Errorf("the page does not show %q", words)
		}
	}
	resp, body = c.get("/staff/reports/whole-wait/csv?from=2026-01-01&to=2026-11-23")
	if resp.StatusCode != 200 || resp.Header.Get("Content-Disposition") != `attachment; filename="onward-whole-wait-2026-01-01-to-2026-11-23.csv"` {
		t.Fatalf("CSV download: %d %v", resp.StatusCode, resp.Header)
	}
	recs, err := readDownload(t, body)
	if err != nil {
		t.Fatalf("the CSV is not one table: %v\n%s", err, body)
	}
	if len(recs) != 4 || strings.Join(recs[0][:6], "|") != "Requests for help|Requests|Client contacted|Still waiting for contact|Closed without contact|Median calendar hours to contact" {
		t.Fatalf("CSV:\n%s", body)
	}
	if all := recs[3]; strings.Join(all[:6], "|") != "All requests|9|1|8|0|6.0" {
		t.Errorf("CSV all requests: %q; want 9 requests, 1 contacted after 6.0 hours, 8 still waiting, none closed without contact", all)
	}
}
