package api_test

import (
	"encoding/json"
	"slices"
	"testing"

	"github.com/onward-network/onward/core"
)

// A partner's developer whose request has a member of the wrong type and
// other mistakes besides is told of them all in one answer, not the type
// first and the rest only after mending it; and nothing is made.
func TestATypeErrorDoesNotHideTheRequestsOtherMistakes(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	welfare := h.token(t, h.partner(t, h.env.Net.Welfare, core.ScopeRead, core.ScopeRefer))
	for _, c := range []struct {
		name   string
		change func(m map[string]any)
		want   []string // the fields named, in order
	}{
		{"a number for the town, a bad postcode, no agency", func(m map[string]any) {
			cl := m["client"].(map[string]any)
			cl["town"], cl["postcode"] = 42, "zz"
			m["to_agency"] = "nowhere"
		}, []string{"client.town", "to_agency", "client.postcode"}},
		{"a string for needs and a bad consent scope", func(m map[string]any) {
			m["needs"] = "debt"
			m["consent"].(map[string]any)["scope"] = "everyone"
		}, []string{"needs", "consent.scope"}},
		// The name refused for its type is not also "a required field".
		{"a number for the name, nothing else wrong", func(m map[string]any) {
			m["client"].(map[string]any)["name"] = 7
		}, []string{"client.name"}},
	} {
		body := newReferral("TE")
		c.change(body)
		r := h.do(t, "POST", "/api/v1/referrals", welfare, body, "Idempotency-Key", "te-"+c.name)
		var p struct {
			Errors []struct{ Field, Detail string }
		}
		_ = json.Unmarshal(r.body, &p)
		var got []string
		for _, e := range p.Errors {
			got = append(got, e.Field)
		}
		if r.status != 422 || !slices.Equal(got, c.want) {
			t.Errorf("%s: %d, fields %q; want 422 naming %q\n%s", c.name, r.status, got, c.want, r.body)
		}
	}
	var n int
	if err := h.env.Pool.QueryRow(t.Context(), "SELECT count(*) FROM referrals").Scan(&n); err != nil || n != 0 {
		t.Errorf("%d referrals made (%v); want none", n, err)
	}
}
