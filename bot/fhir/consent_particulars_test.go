package fhir_test

import (
	"strings"
	"testing"

	"github.com/onward-network/onward/bot/fhir"
	"github.com/onward-network/onward/core"
)

// bundleCategory is referralBundle's Consent.category.
const bundleCategory = `"category": [{"coding": [{"system": "http://loinc.org", "code": "59284-0"}]}],`

// particularsEdits give referralBundle's Consent when the client agreed
// (dateTime), how (a category in v3 ParticipationMode) and who recorded it
// (the consent-Transcriber extension).
func particularsEdits(dateTime, mode, transcriber string) []string {
	return []string{bundleCategory, `"dateTime": "` + dateTime + `",
       "category": [{"coding": [{"system": "http://loinc.org", "code": "59284-0"}]},
                    {"coding": [{"system": "` + fhir.SystemParticipationMode + `", "code": "` + mode + `"}]}],
       "extension": [{"url": "` + fhir.ExtTranscriber + `", "valueReference": {"display": "` + transcriber + `"}}],`}
}

// TestFHIRConsentParticulars: a Consent's dateTime, a category in v3
// ParticipationMode and the consent-Transcriber extension are when and
// how the client agreed and who recorded it: kept, and read back in the
// same elements as valid R4; each bad one is refused at its element, and
// nothing made. A dateTime to the day says no time: taken as not said.
func TestFHIRConsentParticulars(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	referrer := h.token(t, h.env.Net.Welfare, core.ScopeRead, core.ScopeRefer)
	cab := h.token(t, h.env.Net.CAB, core.ScopeRead, core.ScopeAct)

	status, hdr, body := h.do(t, "POST", "/fhir", referrer, editedBundle(t, "NHSF-P1", particularsEdits("2026-11-23T09:40:00Z", "PHONE", "Ewan Rennie, duty adviser")...))
	if status != 200 {
		t.Fatalf("%d %s", status, body)
	}
	r, err := h.env.Engine.ReferralByReference(t.Context(), strings.TrimPrefix(hdr.Get("Location"), "https://onward.example/fhir/Task/"))
	if err != nil {
		t.Fatal(err)
	}
	c, err := h.env.Engine.Consent(t.Context(), r.ConsentID)
	if err != nil {
		t.Fatal(err)
	}
	p, err := h.env.Engine.ConsentParticulars(t.Context(), c)
	if err != nil {
		t.Fatal(err)
	}
	if p.AgreedAtWords(nil) != "09:40 on 23 November 2026" || p.How != core.ConsentByPhone || p.RecordedBy != "Ewan Rennie, duty adviser" {
		t.Fatalf("particulars kept: %+v", p)
	}
	status, _, body = h.do(t, "GET", "/fhir/Consent/"+fhir.ConsentID(c.ID), cab, "")
	read := validR4(t, body)
	ext, _ := read["extension"].([]any)
	if status != 200 || read["dateTime"] != "2026-11-23T09:40:00.000Z" || !strings.Contains(string(body), `"code":"PHONE"`) ||
		len(ext) != 1 || ext[0].(map[string]any)["url"] != fhir.ExtTranscriber ||
		ext[0].(map[string]any)["valueReference"].(map[string]any)["display"] != "Ewan Rennie, duty adviser" {
		t.Fatalf("the Consent read back: %d %s", status, body)
	}

	status, hdr, body = h.do(t, "POST", "/fhir", referrer, editedBundle(t, "NHSF-P2", bundleCategory, `"dateTime": "2026-11-23", `+bundleCategory))
	if status != 200 {
		t.Fatalf("a Consent dated to the day: %d %s", status, body)
	}
	r, _ = h.env.Engine.ReferralByReference(t.Context(), strings.TrimPrefix(hdr.Get("Location"), "https://onward.example/fhir/Task/"))
	if c, err = h.env.Engine.Consent(t.Context(), r.ConsentID); err != nil || c.AgreedAt != nil || c.How != "" {
		t.Fatalf("a Consent dated to the day and saying no way kept %v %q (%v), want neither", c.AgreedAt, c.How, err)
	}

	for _, tc := range []struct {
		name, dateTime, mode, transcriber, expression, says string
	}{
		{"in the future", "2026-11-24T09:40:00Z", "PHONE", "Ewan Rennie", "Consent.dateTime", "is in the future"},
		{"over a year ago", "2024-11-23T09:40:00Z", "PHONE", "Ewan Rennie", "Consent.dateTime", "more than a year ago"},
		{"a mode not taken", "2026-11-23T09:40:00Z", "VIDEOCONF", "Ewan Rennie", "Consent.category", `"VIDEOCONF"`},
		{"a transcriber naming nobody", "2026-11-23T09:40:00Z", "FACE", " ", "Consent.extension", "valueReference.display"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			before := h.referrals(t)
			status, _, body := h.do(t, "POST", "/fhir", referrer, editedBundle(t, "NHSF-"+tc.name, particularsEdits(tc.dateTime, tc.mode, tc.transcriber)...))
			if status != 422 || !hasIssue(validR4(t, body), tc.expression, tc.says) {
				t.Fatalf("%d %s, want a 422 at %s saying %q", status, body, tc.expression, tc.says)
			}
			if h.referrals(t) != before {
				t.Fatal("a refused Bundle wrote a referral")
			}
		})
	}
}

// TestFHIRParticipationModes: every way a partner may say its client
// agreed has a v3 ParticipationMode code.
func TestFHIRParticipationModes(t *testing.T) {
	t.Parallel()
	for _, how := range core.PartnerConsentHows() {
		if !fhir.HasParticipationMode(core.ConsentHow(how.Code)) {
			t.Errorf("%s has no ParticipationMode code", how.Code)
		}
	}
}
