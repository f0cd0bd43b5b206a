package fhir_test

import (
	"strings"
	"testing"

	"github.com/onward-network/onward/core"
)

// TestFHIRPatientOnlyWhileTheRuleAllows: Patient follows core's one
// disclosure rule, the partner standing in for its agency's staff. The
// agency holding the referral reads the client's details while it is
// open and not once it is closed (its staff on the web are refused the
// same); the referring agency's system reads them while it is open, as
// its staff do.
func TestFHIRPatientOnlyWhileTheRuleAllows(t *testing.T) {
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
