package api_test

import (
	"encoding/json"
	"net/url"
	"slices"
	"strings"
	"testing"

	"github.com/onward-network/onward/bot/api"
	"github.com/onward-network/onward/core"
)

// A partner system's review: no SMART scope granted refer, so a FHIR
// client written to SMART backend services could read but never make a
// referral (system/*.write gave act alone, system/ServiceRequest.c was
// refused). SMART 1 and 2 scopes are now read for what they cover.
func TestSMARTScopesCoverWhatTheySay(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		scope string
		want  []core.PartnerScope
		ok    bool
	}{
		{"system/*.read", []core.PartnerScope{core.ScopeRead}, true},
		{"system/*.rs", []core.PartnerScope{core.ScopeRead}, true},
		{"system/Task.s", []core.PartnerScope{core.ScopeRead}, true},
		{"system/*.write", []core.PartnerScope{core.ScopeRefer, core.ScopeAct}, true},
		{"system/*.cud", []core.PartnerScope{core.ScopeRefer, core.ScopeAct}, true},
		{"system/ServiceRequest.c", []core.PartnerScope{core.ScopeRefer}, true},
		{"system/Task.cu", []core.PartnerScope{core.ScopeRefer, core.ScopeAct}, true},
		{"system/Task.u", []core.PartnerScope{core.ScopeAct}, true},
		{"system/*.*", []core.PartnerScope{core.ScopeRead, core.ScopeRefer, core.ScopeAct}, true},
		{"system/Patient.c", nil, true},
		{"system/Task.x", nil, false},
		{"user/*.read", nil, false},
		{"read", nil, false},
	} {
		got, ok := api.SMARTScopes(c.scope)
		if ok != c.ok || !slices.Equal(got, c.want) {
			t.Errorf("SMARTScopes(%q) = %v, %v; want %v, %v", c.scope, got, ok, c.want, c.ok)
		}
	}

	h := newHarness(t)
	referrer := h.partner(t, h.env.Net.Welfare, core.ScopeRead, core.ScopeRefer)
	ask := func(scope string) (int, map[string]any) {
		resp := h.tokenRequest(t, referrer, url.Values{"grant_type": {"client_credentials"}, "scope": {scope}}.Encode())
		defer resp.Body.Close()
		var out map[string]any
		_ = json.NewDecoder(resp.Body).Decode(&out)
		return resp.StatusCode, out
	}
	// A wildcard grants what the client holds of what it covers.
	if status, out := ask("system/*.read system/*.write"); status != 200 || out["scope"] != "read refer" {
		t.Errorf("system/*.read system/*.write: %d %v, want read and refer (the client holds no act)", status, out)
	}
	if status, out := ask("system/Task.u"); status != 400 || out["error"] != "invalid_scope" || !strings.Contains(out["error_description"].(string), "none of which this client holds") {
		t.Errorf("system/Task.u without act: %d %v, want invalid_scope", status, out)
	}
	if status, out := ask("system/Patient.c"); status != 400 || !strings.Contains(out["error_description"].(string), "grants nothing in Onward") {
		t.Errorf("system/Patient.c: %d %v, want invalid_scope saying it grants nothing", status, out)
	}

}
