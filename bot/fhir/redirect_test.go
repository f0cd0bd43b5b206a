package fhir_test

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/onward-network/onward/core"
)

// TestFHIRARedirectedReferralIsReplaced: the referral a redirect makes is
// a ServiceRequest that replaces the redirected one's, and its Task
// carries the partner's case id, so a FHIR system files it with its case.
func TestFHIRARedirectedReferralIsReplaced(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	referrer := h.token(t, h.env.Net.Welfare, core.ScopeRead, core.ScopeRefer)
	cab := h.token(t, h.env.Net.CAB, core.ScopeRead, core.ScopeAct)

	status, _, body := h.do(t, "POST", "/api/v1/referrals", referrer, `{"case_id": "NHSF-78",
		"client": {"name": "Morag Baird", "phone": "07700 900123", "postcode": "KY1 1AB"},
		"needs": ["debt", "housing"], "to_agency": "kirkton-cab",
		"consent": {"wording_version": "v1", "scope": "network", "witnessed_by": "Isla Moffat"}}`, "Content-Type", "application/json", "Idempotency-Key", "fhir-r1")
	if status != 201 {
		t.Fatalf("create: %d %s", status, body)
	}
	var first struct{ Reference string }
	_ = json.Unmarshal(body, &first)
	status, _, body = h.do(t, "POST", "/api/v1/referrals/"+first.Reference+"/redirect", cab,
		`{"to_agency": "housing-options", "feedback": "A tenancy question"}`, "Content-Type", "application/json", "Idempotency-Key", "fhir-redirect")
	var was struct {
		ReferredOnAs string `json:"referred_on_as"`
	}
	if err := json.Unmarshal(body, &was); status != 200 || err != nil || was.ReferredOnAs == "" {
		t.Fatalf("redirect: %d %s", status, body)
	}
	onward := was.ReferredOnAs

	status, _, body = h.do(t, "GET", "/fhir/ServiceRequest/"+onward, referrer, "")
	if status != 200 {
		t.Fatalf("read the new ServiceRequest: %d %s", status, body)
	}
	sr := validR4(t, body)
	replaces, _ := sr["replaces"].([]any)
	if len(replaces) != 1 || replaces[0].(map[string]any)["reference"] != "ServiceRequest/"+first.Reference {
		t.Errorf("the new ServiceRequest replaces %v, want ServiceRequest/%s", sr["replaces"], first.Reference)
	}
	status, _, body = h.do(t, "GET", "/fhir/ServiceRequest/"+first.Reference, referrer, "")
	if status != 200 {
		t.Fatalf("read the first ServiceRequest: %d %s", status, body)
	}
	if old := validR4(t, body); old["replaces"] != nil {
		t.Errorf("the first ServiceRequest replaces %v, want nothing", old["replaces"])
	}

	status, _, body = h.do(t, "GET", "/fhir/Task?_include=Task:focus&_count=10", referrer, "")
	if status != 200 {
		t.Fatalf("search Tasks: %d %s", status, body)
	}
	validR4(t, body)
	var bundle struct {
		Entry []struct {
			Resource struct {
				ResourceType string `json:"resourceType"`
				ID           string `json:"id"`
				Identifier   []struct{ System, Value string }
				Replaces     []struct{ Reference string }
			}
		}
	}
	if err := json.Unmarshal(body, &bundle); err != nil {
		t.Fatal(err)
	}
	var task, included bool
	for _, e := range bundle.Entry {
		r := e.Resource
		if r.ID != onward {
			continue
		}
		switch r.ResourceType {
		case "Task":
			for _, id := range r.Identifier {
				task = task || strings.HasSuffix(id.System, "partner-case-id") && id.Value == "NHSF-78"
			}
		case "ServiceRequest":
			included = len(r.Replaces) == 1 && r.Replaces[0].Reference == "ServiceRequest/"+first.Reference
		}
	}
	if !task || !included {
		t.Errorf("in the search, the new Task carries the case id: %v; its included ServiceRequest replaces the first: %v\n%s", task, included, body)
	}
}
