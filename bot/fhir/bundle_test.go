package fhir_test

import (
	"bytes"
	"encoding/json"
	"slices"
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
	t.Parallel()
	h := newHarness(t)
	referrer := h.token(t, h.env.Net.Welfare, core.ScopeRead, core.ScopeRefer)
	count := func() int { return h.referrals(t) }
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
			bundle := strings.ReplaceAll(strings.Replace(referralBundle, c.from, c.to, 1), "NHSF-77", "NHSF-"+c.name)
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

// TestFHIRBundleRetriedAsSerialisedAfresh: a FHIR client that lost the
// answer builds the same Bundle again to retry it: its keys in another
// order and other whitespace, a new Bundle.timestamp and meta.lastUpdated,
// and new urn:uuid: fullUrls with the references to them renamed to
// match. That is the same Bundle: it gets the first answer and refers no
// one twice. The same Bundle with one element changed is still another
// Bundle under the same identifier: 409, nothing written.
func TestFHIRBundleRetriedAsSerialisedAfresh(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	referrer := h.token(t, h.env.Net.Welfare, core.ScopeRead, core.ScopeRefer)
	count := func() int { return h.referrals(t) }
	// serialised is referralBundle as a client builds it at the given
	// time: uuids of its own, a timestamp and meta, keys sorted and
	// indented (as encoding/json writes them).
	serialised := func(uuid, at string, edit func(b map[string]any)) string {
		var b map[string]any
		if err := json.Unmarshal([]byte(strings.ReplaceAll(referralBundle, "6f1c2d0e-0000-4000-8000-0000000000", uuid)), &b); err != nil {
			t.Fatal(err)
		}
		b["timestamp"] = at
		b["meta"] = map[string]any{"lastUpdated": at}
		for _, e := range b["entry"].([]any) {
			e.(map[string]any)["resource"].(map[string]any)["meta"] = map[string]any{"lastUpdated": at, "versionId": "1"}
		}
		if edit != nil {
			edit(b)
		}
		out, err := json.MarshalIndent(b, "", "\t")
		if err != nil {
			t.Fatal(err)
		}
		return string(out)
	}

	first := serialised("0d3a9b71-5c2e-4f6a-9e0b-1c7d2a4f88", "2026-12-01T09:30:00Z", nil)
	status, _, answer := h.do(t, "POST", "/fhir", referrer, first)
	if status != 200 {
		t.Fatalf("first: %d %s", status, answer)
	}
	before := count()

	retry := serialised("a41e6c2f-93b8-4d17-b2c5-7e0f9d3a61", "2026-12-01T09:31:07.512+00:00", nil)
	if first == retry || strings.Contains(retry, "0d3a9b71") {
		t.Fatal("the retry is not serialised afresh")
	}
	status, hdr, again := h.do(t, "POST", "/fhir", referrer, retry)
	if status != 200 || !bytes.Equal(again, answer) || hdr.Get("Location") == "" {
		t.Fatalf("the Bundle serialised afresh: %d %s, want the first answer", status, again)
	}
	// The client's own form again (the original text) is the same too.
	if status, _, again := h.do(t, "POST", "/fhir", referrer, referralBundle); status != 200 || !bytes.Equal(again, answer) {
		t.Fatalf("the Bundle as first written: %d %s, want the first answer", status, again)
	}

	changed := serialised("a41e6c2f-93b8-4d17-b2c5-7e0f9d3a61", "2026-12-01T09:31:07Z", func(b map[string]any) {
		sr := b["entry"].([]any)[1].(map[string]any)["resource"].(map[string]any)
		sr["note"] = []any{map[string]any{"text": "Rent arrears letter and a council tax reminder"}}
	})
	status, _, body := h.do(t, "POST", "/fhir", referrer, changed)
	if oo := validR4(t, body); status != 409 || oo["resourceType"] != "OperationOutcome" {
		t.Fatalf("another Bundle under the same identifier: %d %s, want 409", status, body)
	}
	if count() != before {
		t.Fatal("a retry wrote a second referral")
	}

	// A client that gives each resource its fullUrl's uuid as its id,
	// sends a Bundle.id and lists the entries in another order, all
	// afresh: the same request (a server ignores the id of a resource it
	// creates).
	withIDs := serialised("c63a8e41-07d9-4b2e-a5f1-2d8b6c9e04", "2026-12-01T09:32:00Z", func(b map[string]any) {
		b["id"] = "bundle-sent-again"
		es := b["entry"].([]any)
		for _, e := range es {
			em := e.(map[string]any)
			em["resource"].(map[string]any)["id"] = strings.TrimPrefix(em["fullUrl"].(string), "urn:uuid:")
		}
		slices.Reverse(es)
	})
	if status, _, again := h.do(t, "POST", "/fhir", referrer, withIDs); status != 200 || !bytes.Equal(again, answer) {
		t.Fatalf("the Bundle with resource ids, a Bundle.id and its entries reversed: %d %s, want the first answer", status, again)
	}

	// A case id that is a urn:uuid is the partner's value, not a name:
	// another one is another Bundle.
	uuidCase := func(value string) string {
		b := strings.Replace(referralBundle, "NHSF-77", "NHSF-uuid-case", 1)
		return strings.Replace(b, `"value": "NHSF-77"`, `"value": "urn:uuid:`+value+`"`, 1)
	}
	if status, _, body := h.do(t, "POST", "/fhir", referrer, uuidCase("11111111-1111-4111-8111-111111111111")); status != 200 {
		t.Fatalf("a Bundle whose case id is a urn:uuid: %d %s", status, body)
	}
	status, _, body = h.do(t, "POST", "/fhir", referrer, uuidCase("22222222-2222-4222-8222-222222222222"))
	if status != 409 {
		t.Fatalf("another case id under the same identifier: %d %s, want 409", status, body)
	}
}
