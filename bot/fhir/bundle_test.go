package fhir_test

import (
	"context"
	"strings"
	"testing"

	"github.com/onward-network/onward/core"
)

// TestFHIRBundleIsTakenAsSent: a referral Bundle whose references name
// no entry, whose entries share a fullUrl (R4 bdl-7) or repeat a
// resource, or whose dates are not FHIR dates, is not valid FHIR: a 400
// OperationOutcome naming the element. A requester other than the
// sending system's agency is a 422, as it is on a PUT, never quietly
// replaced. Each writes nothing; the same elements written well are
// taken.
func TestFHIRBundleIsTakenAsSent(t *testing.T) {
	h := newHarness(t)
	referrer := h.token(t, h.env.Net.Welfare, core.ScopeRead, core.ScopeRefer)
	count := func() int {
		var n int
		_ = h.env.Pool.QueryRow(context.Background(), `SELECT count(*) FROM referrals`).Scan(&n)
		return n
	}
	const (
		taskFor  = `"for": {"reference": "urn:uuid:6f1c2d0e-0000-4000-8000-000000000003"},`
		taskHead = `"resourceType": "Task", "status": "requested", "intent": "order",`
		patient  = `"name": [{"given": ["Morag"], "family": "Baird"}],`
		lastOne  = "}}}\n  ]"
	)
	patientEntry := `{"fullUrl": "urn:uuid:6f1c2d0e-0000-4000-8000-000000000003", "request": {"method": "POST", "url": "Patient"},
     "resource": {"resourceType": "Patient", "name": [{"text": "Someone Else"}], "telecom": [{"system": "phone", "value": "07700 900999"}]}}`
	for _, c := range []struct {
		name             string
		from, to         string
		status           int
		expression, says string
	}{
		{"Task.for names no entry", taskFor, `"for": {"reference": "urn:uuid:dead"},`, 400, "Task.for", "no entry of this Bundle"},
		{"Task.for missing", taskFor, ``, 400, "Task.for", "required"},
		{"Task.focus names no entry", `"focus": {"reference": "urn:uuid:6f1c2d0e-0000-4000-8000-000000000002"}`, `"focus": {"reference": "ServiceRequest/ONW-2345678"}`, 400, "Task.focus", "no entry of this Bundle"},
		{"ServiceRequest.subject names no entry", `"subject": {"reference": "urn:uuid:6f1c2d0e-0000-4000-8000-000000000003"}`, `"subject": {"reference": "Patient/pt-aaaa"}`, 400, "ServiceRequest.subject", "no entry of this Bundle"},
		{"a fullUrl twice", lastOne, "}}},\n    " + patientEntry + "\n  ]", 400, "Bundle.entry[4].fullUrl", "bdl-7"},
		{"a second Patient", lastOne, "}}},\n    " + strings.Replace(patientEntry, "000000000003", "000000000009", 1) + "\n  ]", 400, "Bundle.entry[4].resource", "one each"},
		{"authoredOn not a date", taskHead, taskHead + ` "authoredOn": "yesterday",`, 400, "Task.authoredOn", "not a FHIR dateTime"},
		{"authoredOn with no zone", taskHead, taskHead + ` "authoredOn": "2026-12-01T09:30:00",`, 400, "Task.authoredOn", "not a FHIR dateTime"},
		{"birthDate not a date", patient, patient + ` "birthDate": "1980-13-45",`, 400, "Patient.birthDate", "not a FHIR date"},
		{"birthDate no month has", patient, patient + ` "birthDate": "1980-02-30",`, 400, "Patient.birthDate", "not a FHIR date"},
		{"requester another agency", taskHead, taskHead + ` "requester": {"reference": "Organization/kirkton-cab"},`, 422, "Task.requester", "Organization/kc-welfare-rights"},
		{"requester no agency", taskHead, taskHead + ` "requester": {"reference": "Organization/nobody"},`, 422, "Task.requester", "Organization/kc-welfare-rights"},
		{"dates and requester written well", taskHead, taskHead + ` "authoredOn": "2026-12-01T09:30:00Z", "requester": {"reference": "Organization/kc-welfare-rights"},`, 200, "", ""},
		{"a birthDate of a year", patient, patient + ` "birthDate": "1980",`, 200, "", ""},
		{"a requester absolute on this server", taskHead, taskHead + ` "requester": {"reference": "https://onward.example/fhir/Organization/kc-welfare-rights"},`, 200, "", ""},
	} {
		t.Run(c.name, func(t *testing.T) {
			if !strings.Contains(referralBundle, c.from) {
				t.Fatalf("the Bundle has no %s", c.from)
			}
			bundle := strings.Replace(strings.Replace(referralBundle, c.from, c.to, 1), "NHSF-77", "NHSF-"+c.name, 1)
			before := count()
			status, _, body := h.do(t, "POST", "/fhir", referrer, bundle)
			res := validR4(t, body)
			if status != c.status {
				t.Fatalf("%d %s, want %d", status, body, c.status)
			}
			if status == 200 {
				return
			}
			if res["resourceType"] != "OperationOutcome" || !hasIssue(res, c.expression, c.says) {
				t.Fatalf("%s, want an OperationOutcome naming %s saying %q", body, c.expression, c.says)
			}
			if count() != before {
				t.Fatal("a refused Bundle wrote a referral")
			}
		})
	}
}
