package api_test

import (
	"strings"
	"testing"

	"github.com/onward-network/onward/core"
)

// TestQueryParametersAreNamedAsSent (review R2 F5): a bad query parameter
// is named as the request sent it, with no body pointer; one the
// operation does not take, or one given twice, is refused naming it and
// what the operation takes, rather than ignored (a misspelt filter would
// list everything), as is one Go cannot decode and would drop (a ";" or
// a bad "%" escape); every bad parameter at once.
func TestQueryParametersAreNamedAsSent(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	tok := h.token(t, h.partner(t, h.env.Net.Welfare, core.ScopeRead, core.ScopeRefer))
	for _, c := range []struct {
		path   string
		fields map[string]string // field: words its detail must hold
	}{
		{"/api/v1/referrals?agency=nope", map[string]string{"agency": `no agency "nope"`}},
		{"/api/v1/referrals?limit=0&updated_since=yesterday", map[string]string{"limit": "1 to 200", "updated_since": "date and time"}},
		// A time zone's + sent unencoded arrives as a space: the sender
		// is told so, not only that it is no date and time.
		{"/api/v1/referrals?updated_since=2026-03-01T09:00:00+01:00", map[string]string{"updated_since": "send a time zone's + as %2B"}},
		{"/api/v1/referrals?cursor=nonsense", map[string]string{"cursor": "not one Onward gave out"}},
		{"/api/v1/referrals?foo=bar&Agency=kirkton-cab", map[string]string{
			"foo":    "foo is not a query parameter this takes; it takes status, agency, updated_since, cursor, limit",
			"Agency": "did you mean agency?"}},
		{"/api/v1/referrals?status=accepted&status=completed", map[string]string{"status": "given more than once"}},
		{"/api/v1/suggestions?needs=debt&postcode=KY1", map[string]string{"postcode": "it takes needs, area"}},
		{"/api/v1/suggestions?needs=debt&area=%20", map[string]string{"area": "postcode district like KY1"}},
		// Pairs Go's url.ParseQuery drops: without a refusal, each list
		// was answered as if its filter were not there.
		{"/api/v1/referrals?status=completed;", map[string]string{"status": "a ; does not separate parameters"}},
		{"/api/v1/referrals?agency=kirkton-cab%2", map[string]string{"agency": "two hex digits"}},
		{"/api/v1/suggestions?needs=debt&area=KY1;", map[string]string{"area": "cannot be read"}},
		// An operation that takes no parameters refuses one rather than
		// answering as if it had filtered.
		{"/api/v1/agencies?need=debt", map[string]string{"need": "need is not a query parameter this takes; it takes none"}},
		{"/api/v1/webhooks?url=https://casework.example/hooks", map[string]string{"url": "it takes none"}},
		{"/api/v1/referrals/ONW-NONE?fields=client", map[string]string{"fields": "it takes none"}},
	} {
		r := h.do(t, "GET", c.path, tok, nil)
		if r.status != 422 || r.header.Get("Content-Type") != "application/problem+json" {
			t.Errorf("%s: %d %s, want a 422 problem", c.path, r.status, r.body)
			continue
		}
		got := map[string]string{}
		for _, e := range r.json(t)["errors"].([]any) {
			issue := e.(map[string]any)
			if p, ok := issue["pointer"]; ok {
				t.Errorf("%s: %v has pointer %v, but a query parameter is no place in a body", c.path, issue["field"], p)
			}
			got[issue["field"].(string)], _ = issue["detail"].(string)
		}
		if len(got) != len(c.fields) {
			t.Errorf("%s: names %v, want %d fields %v", c.path, got, len(c.fields), c.fields)
		}
		for f, says := range c.fields {
			if !strings.Contains(got[f], says) {
				t.Errorf("%s: %s says %q, want it to say %q (%s)", c.path, f, got[f], says, r.body)
			}
		}
	}
	// A POST's parameter is refused before its Idempotency-Key is
	// claimed: the same key without it then subscribes.
	if r := h.do(t, "POST", "/api/v1/webhooks?dry_run=true", tok, `{"url": "https://casework.example/hooks"}`,
		"Idempotency-Key", "query-1", "Content-Type", "application/json"); r.status != 422 || !strings.Contains(string(r.body), "dry_run") {
		t.Errorf("a POST with a query parameter: %d %s, want a 422 naming it", r.status, r.body)
	}
	if r := h.do(t, "POST", "/api/v1/webhooks", tok, `{"url": "https://casework.example/hooks"}`,
		"Idempotency-Key", "query-1", "Content-Type", "application/json"); r.status != 201 {
		t.Errorf("the same key without the parameter: %d %s, want 201", r.status, r.body)
	}
	if r := h.do(t, "GET", "/api/v1/referrals?agency=kirkton-cab&status=requested,accepted&limit=5", tok, nil); r.status != 200 {
		t.Errorf("the parameters the list takes: %d %s", r.status, r.body)
	}
}
