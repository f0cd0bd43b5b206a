package api_test

import (
	"strings"
	"testing"

	"github.com/onward-network/onward/core"
)

// TestWebhookSubscribeRefusesInternalAddresses: any partner token could
// name an address inside Onward's own network and have the worker post to
// it (and read, from the failure count, which ones answer). The API
// refuses it as it refuses any invalid field, and keeps nothing.
func TestWebhookSubscribeRefusesInternalAddresses(t *testing.T) {
	h := newHarness(t)
	tok := h.token(t, h.partner(t, h.env.Net.Welfare, core.ScopeRead))
	for i, c := range []struct{ url, says string }{
		{"https://169.254.169.254/latest", "private, local or reserved"},
		{"https://10.0.0.1/x", "private, local or reserved"},
		{"https://[::1]/x", "private, local or reserved"},
		{"https://[::ffff:10.0.0.1]/", "private, local or reserved"},
		{"https://[fd00:ec2::254]/latest", "private, local or reserved"},
		{"https://100.64.0.1/x", "private, local or reserved"},
		{"https://localhost/x", "private, local or reserved"},
		{"http://127.0.0.1:8080/x", "must start https://"},
		{"http://localhost/x", "must start https://"},
		{"http://casework.example/hooks", "must start https://"},
		{"https://user:pass@casework.example/hooks", "user name and password"},
	} {
		t.Run(c.url, func(t *testing.T) {
			r := h.do(t, "POST", "/api/v1/webhooks", tok, map[string]any{"url": c.url}, "Idempotency-Key", "internal-"+string(rune('a'+i)))
			if r.status != 422 || r.header.Get("Content-Type") != "application/problem+json" {
				t.Fatalf("%d %s, want a 422 problem", r.status, r.body)
			}
			errs, _ := r.json(t)["errors"].([]any)
			if len(errs) != 1 {
				t.Fatalf("errors %v, want one naming url", errs)
			}
			e := errs[0].(map[string]any)
			if e["field"] != "url" || e["pointer"] != "#/url" || !strings.Contains(e["detail"].(string), c.says) {
				t.Fatalf("error %v, want url: …%s…", e, c.says)
			}
		})
	}
	if hooks := h.do(t, "GET", "/api/v1/webhooks", tok, nil); hooks.status != 200 || strings.Contains(string(hooks.body), `"url"`) {
		t.Fatalf("refused subscriptions were kept: %d %s", hooks.status, hooks.body)
	}
	ok := h.do(t, "POST", "/api/v1/webhooks", tok, map[string]any{"url": "https://casework.example/onward-hooks"}, "Idempotency-Key", "public")
	if ok.status != 201 || ok.json(t)["url"] != "https://casework.example/onward-hooks" {
		t.Fatalf("a public https receiver: %d %s, want 201", ok.status, ok.body)
	}
}
