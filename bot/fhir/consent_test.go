package fhir_test

import (
	"slices"
	"strings"
	"testing"

	"github.com/onward-network/onward/bot/fhir"
	"github.com/onward-network/onward/core"
)

// The Consent of referralBundle, piece by piece, for the cases below.
const (
	bundleProvision    = `"provision": {"type": "permit", "actor": [{"role": {"coding": [{"code": "IRCP"}]}, "reference": {"reference": "Organization/kirkton-cab"}}]}`
	bundleVerification = `"verification": [{"verified": true, "verifiedWith": {"display": "Isla Moffat, welfare rights officer"}}],`
	bundlePolicy       = `"policy": [{"uri": "urn:onward:consent-wording:v1"}],`
)

// TestFHIRConsentSaysWhatTheClientAgreed: a Consent is read as the
// client's answer, never more. A deny is the client refusing, so the
// Bundle is refused and no referral made; consent not confirmed with the
// client (verified false, or no verification) is refused; a permit naming
// no agency covers the receiving agency alone, and only the network's
// data sharing protocol as a policy makes it network-wide (and a
// network-wide Consent reads back so).
func TestFHIRConsentSaysWhatTheClientAgreed(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	referrer := h.token(t, h.env.Net.Welfare, core.ScopeRead, core.ScopeRefer)
	cab := h.token(t, h.env.Net.CAB, core.ScopeRead, core.ScopeAct)
	count := func() int { return h.referrals(t) }
	network := `"policy": [{"uri": "urn:onward:consent-wording:v1"}, {"uri": "` + fhir.SystemNetworkPolicy + `"}],`
	denyAll := `"provision": {"type": "deny"}`
	permitAll := `"provision": {"type": "permit"}`
	for _, c := range []struct {
		name       string
		edits      []string // from, to, from, to… in referralBundle
		status     int
		expression string // of the refusal
		says       string
		scope      core.ConsentScope // of the consent made
		agencies   []core.AgencyID
	}{
		{"deny", []string{bundleProvision, strings.Replace(bundleProvision, `"permit"`, `"deny"`, 1)}, 422, "Consent.provision.type", "did not agree to share", "", nil},
		{"deny naming no one", []string{bundleProvision, denyAll}, 422, "Consent.provision.type", "did not agree to share", "", nil},
		{"deny under the network's protocol", []string{bundleProvision, denyAll, bundlePolicy, network}, 422, "Consent.provision.type", "did not agree to share", "", nil},
		{"not verified", []string{bundleVerification, strings.Replace(bundleVerification, `"verified": true`, `"verified": false`, 1)}, 422, "Consent.verification.verified", "confirmed with the client", "", nil},
		{"no verification", []string{bundleVerification, ``}, 422, "Consent.verification", "confirmed with the client", "", nil},
		{"no provision", []string{",\n       " + bundleProvision, ``}, 200, "", "", core.ScopeAgencies, []core.AgencyID{h.env.Net.CAB}},
		{"a permit naming no one", []string{bundleProvision, permitAll}, 200, "", "", core.ScopeAgencies, []core.AgencyID{h.env.Net.CAB}},
		{"the network's protocol", []string{bundleProvision, permitAll, bundlePolicy, network}, 200, "", "", core.ScopeNetwork, nil},
	} {
		t.Run(c.name, func(t *testing.T) {
			bundle := editedBundle(t, "NHSF-"+c.name, c.edits...)
			before := count()
			status, hdr, body := h.do(t, "POST", "/fhir", referrer, bundle)
			res := validR4(t, body)
			if status != c.status {
				t.Fatalf("%d %s, want %d", status, body, c.status)
			}
			if status != 200 {
				if res["resourceType"] != "OperationOutcome" || !hasIssue(res, c.expression, c.says) {
					t.Fatalf("%s, want an OperationOutcome naming %s saying %q", body, c.expression, c.says)
				}
				if count() != before {
					t.Fatal("a refused Bundle wrote a referral")
				}
				return
			}
			ref := strings.TrimPrefix(hdr.Get("Location"), "https://onward.example/fhir/Task/")
			r, err := h.env.Engine.ReferralByReference(t.Context(), ref)
			if err != nil {
				t.Fatal(err)
			}
			consent, err := h.env.Engine.Consent(t.Context(), r.ConsentID)
			if err != nil {
				t.Fatal(err)
			}
			if consent.Scope != c.scope || !slices.Equal(consent.AgencyIDs, c.agencies) {
				t.Fatalf("consent scope %s agencies %v, want %s %v", consent.Scope, consent.AgencyIDs, c.scope, c.agencies)
			}
			// The Consent reads back as it was agreed: network-wide under
			// the protocol, otherwise naming its agencies.
			status, _, body = h.do(t, "GET", "/fhir/Consent/"+fhir.ConsentID(consent.ID), cab, "")
			read := string(body)
			if status != 200 || strings.Contains(read, fhir.SystemNetworkPolicy) != (c.scope == core.ScopeNetwork) ||
				strings.Contains(read, "Organization/kirkton-cab") != (c.scope == core.ScopeAgencies) {
				t.Fatalf("the Consent read back: %d %s", status, body)
			}
			// And confirmed with the client by whom the Bundle said.
			v, _ := validR4(t, body)["verification"].([]any)
			if len(v) != 1 || v[0].(map[string]any)["verified"] != true ||
				v[0].(map[string]any)["verifiedWith"].(map[string]any)["display"] != "Isla Moffat, welfare rights officer" {
				t.Fatalf("the Consent's verification read back: %v; want verified with Isla Moffat", v)
			}
		})
	}
}

// editedBundle is referralBundle with each pair of edits (from, to, from,
// to…) made once, its identifier and case id id, so each case is a Bundle of its
// own; an edit whose from the Bundle lacks fails the test.
func editedBundle(t *testing.T, id string, edits ...string) string {
	t.Helper()
	bundle := referralBundle
	for i := 0; i+1 < len(edits); i += 2 {
		if !strings.Contains(bundle, edits[i]) {
			t.Fatalf("the Bundle has no %s", edits[i])
		}
		bundle = strings.Replace(bundle, edits[i], edits[i+1], 1)
	}
	return strings.ReplaceAll(bundle, "NHSF-77", id)
}

// hasIssue reports whether an OperationOutcome has an issue naming the
// expression whose diagnostics say says.
func hasIssue(oo map[string]any, expression, says string) bool {
	issues, _ := oo["issue"].([]any)
	for _, is := range issues {
		issue := is.(map[string]any)
		exprs, _ := issue["expression"].([]any)
		diag, _ := issue["diagnostics"].(string)
		if (expression == "" && len(exprs) == 0 || len(exprs) == 1 && exprs[0] == expression) && strings.Contains(diag, says) {
			return true
		}
	}
	return false
}
