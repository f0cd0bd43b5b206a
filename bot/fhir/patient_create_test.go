package fhir_test

import (
	"context"
	"strings"
	"testing"

	"github.com/onward-network/onward/core"
)

// The Patient of referralBundle, as the cases below change it.
const bundlePatient = `"telecom": [{"system": "phone", "value": "07700 900123"}], "address": [{"postalCode": "KY1 1AB"}]}},`

// A partner system's review: a Bundle's Patient.communication was read
// and dropped, so a client the NHS recorded as speaking Polish was texted
// in English; a draft ServiceRequest made a live referral; of two phones
// the landline was kept and the mobile lost; a phone given as system sms
// was refused as no phone; any Task.code and any gender passed. Each is
// now read as FHIR means it, or refused naming the element.
func TestFHIRCreateReadsThePatientAsFHIRMeansIt(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	referrer := h.token(t, h.env.Net.Welfare, core.ScopeRead, core.ScopeRefer)
	cab := h.token(t, h.env.Net.CAB, core.ScopeRead, core.ScopeAct)
	lang := func(code string, preferred bool) string {
		p := ""
		if preferred {
			p = `, "preferred": true`
		}
		return `{"language": {"coding": [{"system": "urn:ietf:bcp:47", "code": "` + code + `"}]}` + p + `}`
	}
	withPatient := func(s string) []string { return []string{bundlePatient, s + "}},"} }
	for _, c := range []struct {
		name        string
		edits       []string
		status      int
		expression  string // of the refusal
		says        string
		phone       core.Phone
		language    string // the client's texts
		interpreter string // the language to book an interpreter in
	}{
		{"polish", withPatient(`"telecom": [{"system": "phone", "value": "07700 900191"}], "communication": [` + lang("pl-PL", false) + `]`),
			200, "", "", "+447700900191", "pl", ""},
		{"preferred of two", withPatient(`"telecom": [{"system": "phone", "value": "07700 900192"}], "communication": [` + lang("en", false) + `, ` + lang("pl", true) + `]`),
			200, "", "", "+447700900192", "pl", ""},
		{"romanian", withPatient(`"telecom": [{"system": "phone", "value": "07700 900196"}], "communication": [` + lang("ro", true) + `]`),
			200, "", "", "+447700900196", "", "ro"},
		{"landline and mobile", withPatient(`"telecom": [{"system": "phone", "value": "01632 960999", "use": "home"}, {"system": "phone", "value": "07700 900194"}]`),
			200, "", "", "+447700900194", "", ""},
		{"sms", withPatient(`"telecom": [{"system": "sms", "value": "07700 900195"}]`),
			200, "", "", "+447700900195", "", ""},
		{"not a language", withPatient(`"telecom": [{"system": "phone", "value": "07700 900123"}], "communication": [` + lang("polish please", false) + `]`),
			422, "Patient.communication.language", "BCP 47", "", "", ""},
		{"gender", withPatient(`"telecom": [{"system": "phone", "value": "07700 900123"}], "gender": "dragon"`),
			422, "Patient.gender", "male, female, other or unknown", "", "", ""},
		{"draft", []string{`"resourceType": "ServiceRequest", "status": "active"`, `"resourceType": "ServiceRequest", "status": "draft"`},
			422, "ServiceRequest.status", "status active", "", "", ""},
		{"task code", []string{`"code": "fulfill"`, `"code": "approve"`},
			422, "Task.code", "code fulfill", "", "", ""},
	} {
		t.Run(c.name, func(t *testing.T) {
			bundle := editedBundle(t, "NHSF-patient-"+strings.ReplaceAll(c.name, " ", "-"), c.edits...)
			status, hdr, body := h.do(t, "POST", "/fhir", referrer, bundle)
			res := validR4(t, body)
			if status != c.status {
				t.Fatalf("%d %s, want %d", status, body, c.status)
			}
			if status != 200 {
				if !hasIssue(res, c.expression, c.says) {
					t.Fatalf("%s, want an OperationOutcome naming %s saying %q", body, c.expression, c.says)
				}
				return
			}
			ref := strings.TrimPrefix(hdr.Get("Location"), "https://onward.example/fhir/Task/")
			r, err := h.env.Engine.ReferralByReference(context.Background(), ref)
			if err != nil {
				t.Fatal(err)
			}
			client, err := h.env.Engine.ClientDetailsFor(context.Background(), r.ClientID)
			if err != nil {
				t.Fatal(err)
			}
			wantLang := c.language
			if wantLang == "" {
				wantLang = "en"
			}
			if client.Phone != c.phone || client.Language != wantLang || client.InterpreterFor() != c.interpreter {
				t.Fatalf("client phone %s language %q interpreter %q, want %s %q %q",
					client.Phone, client.Language, client.InterpreterFor(), c.phone, wantLang, c.interpreter)
			}
			// The receiving agency reads the languages back on the Patient.
			status, _, body = h.do(t, "GET", "/fhir/Task/"+ref, cab, "")
			task := validR4(t, body)
			patient := task["for"].(map[string]any)["reference"].(string)
			status, _, body = h.do(t, "GET", "/fhir/"+patient, cab, "")
			validR4(t, body)
			for _, code := range []string{c.language, c.interpreter} {
				if code != "" && !strings.Contains(string(body), `"code":"`+code+`"`) {
					t.Errorf("the Patient read back (%d) lacks the language %s: %s", status, code, body)
				}
			}
		})
	}
}
