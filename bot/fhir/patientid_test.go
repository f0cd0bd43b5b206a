package fhir_test

import (
	"context"
	"fmt"
	"regexp"
	"strings"
	"testing"
)

// TestFHIRPatientIdsAreEachSystemsOwn: the Patient id a partner system
// sees is its own pseudonym for the client, so it cannot tell that a
// phone it sent belongs to someone already in the network, nor that
// another system shares its client. Two systems on the two sides of one
// referral see different ids for one client, neither showing the
// client's internal id; each system's id is stable (a second referral of
// the client has the same one), resolves for it (read, searches), and is
// not found for the other system; the old client-<n> form is not found
// for anyone.
func TestFHIRPatientIdsAreEachSystemsOwn(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	referrer, cab, taskURL := h.bundleReferral(t)
	ref := strings.TrimPrefix(taskURL, "/fhir/Task/")
	var client int64
	if err := h.env.Pool.QueryRow(context.Background(), `SELECT client_id FROM referrals WHERE reference = $1`, ref).Scan(&client); err != nil {
		t.Fatal(err)
	}
	patientOf := func(token, path, element string) string {
		t.Helper()
		status, _, body := h.do(t, "GET", path, token, "")
		if status != 200 {
			t.Fatalf("%s: %d %s", path, status, body)
		}
		return validR4(t, body)[element].(map[string]any)["reference"].(string)
	}
	mine, theirs := patientOf(referrer, taskURL, "for"), patientOf(cab, taskURL, "for")
	pseudonym := regexp.MustCompile(`^Patient/pt-[a-z2-7]{26}$`)
	for who, p := range map[string]string{"the referrer": mine, "the receiver": theirs} {
		if !pseudonym.MatchString(p) || strings.Contains(p, fmt.Sprint(client)) {
			t.Errorf("%s sees %s, want a pseudonym that does not show client %d", who, p, client)
		}
	}
	if mine == theirs {
		t.Fatalf("both systems see %s: they can tell they share the client", mine)
	}
	// The same system sees the same id on every resource and referral.
	if sr := patientOf(cab, "/fhir/ServiceRequest/"+ref, "subject"); sr != theirs {
		t.Errorf("ServiceRequest.subject %s, Task.for %s", sr, theirs)
	}
	again := strings.ReplaceAll(referralBundle, "NHSF-77", "NHSF-again")
	status, hdr, body := h.do(t, "POST", "/fhir", referrer, again)
	if status != 200 || !strings.Contains(string(body), `"location":"`+mine+`"`) {
		t.Fatalf("the client referred again: %d %s, want its Patient as %s", status, body, mine)
	}
	if second := patientOf(referrer, strings.TrimPrefix(hdr.Get("Location"), "https://onward.example"), "for"); second != mine {
		t.Errorf("the second referral's Task.for %s, the first's %s", second, mine)
	}

	for _, c := range []struct {
		who, token, path string
		status           int
	}{
		{"the referrer, its id", referrer, "/fhir/" + mine, 200},
		{"the receiver, its id", cab, "/fhir/" + theirs, 200},
		{"the referrer, the receiver's id", referrer, "/fhir/" + theirs, 404},
		{"the receiver, the referrer's id", cab, "/fhir/" + mine, 404},
		{"the referrer, the old id", referrer, fmt.Sprintf("/fhir/Patient/client-%d", client), 404},
		{"the receiver, the old id", cab, fmt.Sprintf("/fhir/Patient/client-%d", client), 404},
		{"the receiver, its id, searching Tasks", cab, "/fhir/Task?patient=" + theirs, 200},
		{"the receiver, its id, searching Consents", cab, "/fhir/Consent?patient=" + theirs, 200},
		{"the receiver, the referrer's id, searching Tasks", cab, "/fhir/Task?subject=" + mine, 400},
		{"the receiver, the old id, searching Consents", cab, fmt.Sprintf("/fhir/Consent?patient=Patient/client-%d", client), 400},
	} {
		t.Run(c.who, func(t *testing.T) {
			status, _, body := h.do(t, "GET", c.path, c.token, "")
			res := validR4(t, body)
			if status != c.status {
				t.Fatalf("%d %s, want %d", status, body, c.status)
			}
			switch {
			case status != 200:
				if res["resourceType"] != "OperationOutcome" || strings.Contains(string(body), "Baird") {
					t.Fatalf("%s, want an OperationOutcome and nothing of the client", body)
				}
			case res["resourceType"] == "Patient":
				if "Patient/"+res["id"].(string) != strings.TrimPrefix(c.path, "/fhir/") {
					t.Errorf("Patient.id %v, read as %s", res["id"], c.path)
				}
			default:
				if entries, _ := res["entry"].([]any); len(entries) == 0 {
					t.Errorf("found nothing: %s", body)
				}
			}
		})
	}
}
