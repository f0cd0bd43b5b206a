package fhir_test

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/onward-network/onward/bot/fhir"
	"github.com/onward-network/onward/core"
)

// TestFHIRPatientOnlyWhileTheRuleAllows: Patient follows core's one
// disclosure rule, the partner standing in for its agency's staff. The
// agency holding the referral reads the client's details while it is
// open and not once it is closed (its staff on the web are refused the
// same); the referring agency's system reads them while it is open, as
// its staff do.
func TestFHIRPatientOnlyWhileTheRuleAllows(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	referrer, cab, taskURL := h.bundleReferral(t)
	ref := strings.TrimPrefix(taskURL, "/fhir/Task/")
	// Each system reads the Patient by the id it was given.
	patientOf := func(token string) string {
		_, _, body := h.do(t, "GET", "/fhir/ServiceRequest/"+ref, token, "")
		return validR4(t, body)["subject"].(map[string]any)["reference"].(string)
	}
	patient := patientOf(cab)
	for who, token := range map[string]string{"the holding agency": cab, "the referring agency": referrer} {
		if status, _, body := h.do(t, "GET", "/fhir/"+patientOf(token), token, ""); status != 200 || !strings.Contains(string(body), "Baird") {
			t.Fatalf("%s's system while the referral is open: %d %s", who, status, body)
		}
	}
	r, err := h.env.Engine.ReferralByReference(t.Context(), ref)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := h.env.Engine.Act(t.Context(), core.TransitionRequest{Referral: r.ID, Action: core.ActionReject,
		Actor: h.env.Net.Adviser.Actor(), Reason: core.ReasonNoCapacity, Feedback: "No appointments free this month"}); err != nil {
		t.Fatal(err)
	}
	status, _, body := h.do(t, "GET", "/fhir/"+patient, cab, "")
	if status != 403 || validR4(t, body)["resourceType"] != "OperationOutcome" || strings.Contains(string(body), "Baird") {
		t.Fatalf("the agency that turned the referral down read the client's details: %d %s", status, body)
	}
}

// TestFHIRPatientWithNoNameLeavesNameOut (review R2 F3): FHIR allows no
// empty string, so a client stored with no name (a referral made before
// names of spaces were refused) is served with no name element rather
// than "text": "", and stays a valid R4 Patient.
func TestFHIRPatientWithNoNameLeavesNameOut(t *testing.T) {
	t.Parallel()
	for _, name := range []string{"", "   "} {
		p := fhir.Patient(core.Client{Name: name, Phone: "07700 900123"}, "p1")
		body, err := json.Marshal(p)
		if err != nil {
			t.Fatal(err)
		}
		if _, ok := validR4(t, body)["name"]; ok {
			t.Errorf("name %q: the Patient has a name element: %s", name, body)
		}
	}
	body, _ := json.Marshal(fhir.Patient(core.Client{Name: " Morag Baird "}, "p2"))
	if !strings.Contains(string(body), `"name":[{"text":"Morag Baird"}]`) {
		t.Errorf("a named client: %s, want the name, trimmed", body)
	}
}
