package api_test

import (
	"context"
	"fmt"
	"slices"
	"testing"

	"github.com/onward-network/onward/core"
)

// TestCreateSaysHowTheAgencyFits: the answer to a new referral says how
// the agency it went to fits it by the network's matching: suggested
// when it offers the need in the client's area and takes referrals; at
// capacity, or not serving the client's district, said with the reasons
// matching gives; offering none of the needs, said too. The referral is
// made all the same.
func TestCreateSaysHowTheAgencyFits(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	tok := h.token(t, h.partner(t, h.env.Net.Welfare, core.ScopeRefer, core.ScopeRead))
	n := 0
	create := func(body map[string]any) map[string]any {
		t.Helper()
		n++
		r := h.do(t, "POST", "/api/v1/referrals", tok, body, "Idempotency-Key", fmt.Sprintf("fit-%d", n))
		if r.status != 201 {
			t.Fatalf("create: %d %s", r.status, r.body)
		}
		fit, _ := r.json(t)["fit"].(map[string]any)
		if fit == nil {
			t.Fatalf("the answer has no fit: %s", r.body)
		}
		return fit
	}
	reasons := func(fit map[string]any) []string {
		var out []string
		for _, r := range fit["reasons"].([]any) {
			out = append(out, r.(string))
		}
		return out
	}

	if fit := create(newReferral("FIT-1")); fit["suggested"] != true || fit["offers_needs"] != true || len(reasons(fit)) != 0 {
		t.Errorf("the CAB for debt in KY1: %v; want suggested", fit)
	}

	far := newReferral("FIT-2")
	far["client"].(map[string]any)["postcode"] = "ZE1 0AA"
	if fit := create(far); fit["suggested"] != false || !slices.ContainsFunc(reasons(fit), func(s string) bool { return s == "does not serve ZE1" }) {
		t.Errorf("the CAB for a client in ZE1: %v; want not suggested, as it does not serve ZE1", fit)
	}

	if err := h.env.Engine.SetCapacity(context.Background(), h.env.Net.CAB, true, "Waiting list of about six weeks", h.env.Net.Adviser.Actor()); err != nil {
		t.Fatal(err)
	}
	full := create(newReferral("FIT-3"))
	why, _ := full["why"].([]any)
	if full["suggested"] != false || !slices.Contains(reasons(full), "at capacity") || len(why) == 0 || why[0].(map[string]any)["kind"] != "at_capacity" {
		t.Errorf("the CAB at capacity: %v; want not suggested, at capacity", full)
	}
}
