package api_test

import (
	"strings"
	"testing"

	"github.com/onward-network/onward/core"
)

// A partner system may ask for an interpreter in any language
// (client.interpreter_language), as the web form and FHIR's
// Patient.communication can; the client's texts stay in
// client.language. A code that is no language is refused by its name.
func TestPartnerAsksForAnInterpreter(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	tok := h.token(t, h.partner(t, h.env.Net.Welfare, core.ScopeRead, core.ScopeRefer))
	in := newReferral("CASE-INTERPRETER")
	in["client"].(map[string]any)["language"] = "pl"
	in["client"].(map[string]any)["interpreter_language"] = "ti"
	r := h.do(t, "POST", "/api/v1/referrals", tok, in, "Idempotency-Key", "interp-1")
	if r.status != 201 {
		t.Fatalf("create: %d %s", r.status, r.body)
	}
	ref, err := h.env.Engine.ReferralByReference(t.Context(), r.json(t)["reference"].(string))
	if err != nil {
		t.Fatal(err)
	}
	c, err := h.env.Engine.ClientDetailsFor(t.Context(), ref.ClientID)
	if err != nil {
		t.Fatal(err)
	}
	if c.Language != "pl" || !c.Interpreter || c.InterpreterFor() != "ti" {
		t.Fatalf("client language %q interpreter %v for %q, want texts in pl and an interpreter in ti", c.Language, c.Interpreter, c.InterpreterFor())
	}

	bad := newReferral("CASE-INTERPRETER-2")
	bad["client"].(map[string]any)["interpreter_language"] = "Tigrinya please"
	r = h.do(t, "POST", "/api/v1/referrals", tok, bad, "Idempotency-Key", "interp-2")
	if r.status != 422 || !strings.Contains(string(r.body), `"field":"client.interpreter_language"`) {
		t.Fatalf("a bad interpreter language: %d %s, want a 422 naming client.interpreter_language", r.status, r.body)
	}
}
