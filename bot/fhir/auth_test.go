package fhir_test

import (
	"testing"

	"github.com/onward-network/onward/core"
)

// TestFHIRBearerSchemeIsCaseInsensitive: FHIR takes the token as the JSON
// API does, the scheme in any case (RFC 9110 §11.1).
func TestFHIRBearerSchemeIsCaseInsensitive(t *testing.T) {
	h := newHarness(t)
	tok := h.token(t, h.env.Net.CAB, core.ScopeRead)
	for _, scheme := range []string{"Bearer ", "bearer ", "BEARER "} {
		if status, _, body := h.do(t, "GET", "/fhir/Task", "", "", "Authorization", scheme+tok); status != 200 {
			t.Errorf("Authorization: %s…: %d %s, want 200", scheme, status, body)
		}
	}
}
