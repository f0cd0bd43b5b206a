package api_test

import (
	"context"
	"encoding/json"
	"strconv"
	"strings"
	"testing"

	"github.com/onward-network/onward/core"
)

// TestPOSTBodiesMustBeJSON: a POST's body is read as JSON only when it is
// sent as JSON. A text/plain body made a webhook subscription and a
// referral; any media type but application/json (with no charset, or
// utf-8) is now a 415 problem naming the type required, and nothing is
// kept, not even the answer under the Idempotency-Key, so the same call
// sent right is taken.
func TestPOSTBodiesMustBeJSON(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	tok := h.token(t, h.partner(t, h.env.Net.Welfare, core.ScopeRead, core.ScopeRefer))
	hook, _ := json.Marshal(map[string]any{"url": "https://casework.example/hooks"})
	cases := []struct {
		path        string
		body        []byte
		contentType string
		status      int
	}{
		{"/api/v1/webhooks", hook, "text/plain", 415},
		{"/api/v1/webhooks", hook, "text/plain; charset=utf-8", 415},
		{"/api/v1/webhooks", hook, "application/x-www-form-urlencoded", 415},
		{"/api/v1/webhooks", hook, "application/merge-patch+json", 415},
		{"/api/v1/webhooks", hook, "application/json; charset=iso-8859-1", 415},
		{"/api/v1/referrals", nil, "text/plain", 415},
		{"/api/v1/referrals", nil, "multipart/form-data; boundary=x", 415},
		{"/api/v1/webhooks", hook, "application/json", 201},
		{"/api/v1/webhooks", hook, "Application/JSON; Charset=UTF-8", 201},
		{"/api/v1/referrals", nil, "application/json; charset=utf-8", 201},
		// Without a Content-Type the body is read as the JSON it is.
		{"/api/v1/webhooks", hook, "", 201},
	}
	want := map[string]int{}
	for i, c := range cases {
		t.Run(c.path+" "+c.contentType, func(t *testing.T) {
			key := "media-" + strconv.Itoa(i)
			if c.path == "/api/v1/webhooks" { // one subscription per address
				c.body, _ = json.Marshal(map[string]any{"url": "https://casework.example/hooks/" + strconv.Itoa(i)})
			} else { // one open referral per case
				c.body, _ = json.Marshal(newReferral("C-415-" + strconv.Itoa(i)))
			}
			r := h.do(t, "POST", c.path, tok, c.body, "Idempotency-Key", key, "Content-Type", c.contentType)
			if r.status != c.status {
				t.Fatalf("%d %s, want %d", r.status, r.body, c.status)
			}
			want[c.path]++
			if c.status != 415 {
				return
			}
			p := r.json(t)
			errs, _ := p["errors"].([]any)
			if r.header.Get("Content-Type") != "application/problem+json" || !strings.Contains(p["detail"].(string), "application/json") ||
				len(errs) != 1 || errs[0].(map[string]any)["field"] != "Content-Type" {
				t.Fatalf("415 %s, want a problem naming application/json and the Content-Type header", r.body)
			}
			// The same call, sent as JSON under the same key, is taken.
			if again := h.do(t, "POST", c.path, tok, c.body, "Idempotency-Key", key); again.status != 201 {
				t.Fatalf("sent right under the same key: %d %s", again.status, again.body)
			}
		})
	}
	// Each case ends in one call taken, which made one; the refused
	// calls made none.
	var hooks, referrals int
	_ = h.env.Pool.QueryRow(context.Background(), `SELECT count(*) FROM webhook_subscriptions`).Scan(&hooks)
	_ = h.env.Pool.QueryRow(context.Background(), `SELECT count(*) FROM referrals`).Scan(&referrals)
	if hooks != want["/api/v1/webhooks"] || referrals != want["/api/v1/referrals"] {
		t.Fatalf("%d subscriptions and %d referrals, want %d and %d", hooks, referrals, want["/api/v1/webhooks"], want["/api/v1/referrals"])
	}
}
