package fhir

import (
	"encoding/json"
	"fmt"
	"strings"

	"github.com/onward-network/onward/bot/api"
	"github.com/onward-network/onward/core"
)

// A partner system's Consent says when the client agreed, how, and who
// recorded it there (core.ConsentParticulars), in R4's own terms: when
// is Consent.dateTime; how is a Consent.category coded in HL7's v3
// ParticipationMode (R4's Consent has no element for it, and category
// classifies the consent statement, its binding extensible); who recorded
// it is R4's core extension consent-Transcriber, a Reference of which
// only the display is given (a name or a role, not a resource).

const (
	// SystemParticipationMode is HL7 v3's ParticipationMode: how someone
	// took part in an act (face-to-face, by telephone, in writing).
	SystemParticipationMode = "http://terminology.hl7.org/CodeSystem/v3-ParticipationMode"
	// ExtTranscriber is R4's core extension naming who transcribed a
	// consent into the system.
	ExtTranscriber = "http://hl7.org/fhir/StructureDefinition/consent-Transcriber"
)

// participationModes are the ways a client may agree
// (core.PartnerConsentHows) as v3 ParticipationMode codes.
var participationModes = map[core.ConsentHow]fCoding{
	core.ConsentInPerson:  {System: SystemParticipationMode, Code: "FACE", Display: "face-to-face"},
	core.ConsentByPhone:   {System: SystemParticipationMode, Code: "PHONE", Display: "telephone"},
	core.ConsentInWriting: {System: SystemParticipationMode, Code: "WRITTEN", Display: "written"},
	core.ConsentOnline:    {System: SystemParticipationMode, Code: "ONLINEWRIT", Display: "online written"},
}

// consentHowOf is the way of agreeing a ParticipationMode code stands
// for, if Onward records it.
func consentHowOf(code string) (core.ConsentHow, bool) {
	for how, c := range participationModes {
		if c.Code == code {
			return how, true
		}
	}
	return "", false
}

// participationCodes lists the codes a Consent.category may give, in the
// order core offers the ways.
func participationCodes() string {
	var codes []string
	for _, h := range core.PartnerConsentHows() {
		c := participationModes[core.ConsentHow(h.Code)]
		codes = append(codes, fmt.Sprintf("%s (%s)", c.Code, h.Label))
	}
	return strings.Join(codes, ", ")
}

// consentParticulars adds to a Consent what the partner system said of
// it: when the client agreed (else dateTime stays when Onward recorded
// it), how, and who recorded it.
func consentParticulars(res Resource, p core.ConsentParticulars) {
	if p.AgreedAt != nil {
		res["dateTime"] = instant(*p.AgreedAt)
	}
	if c, ok := participationModes[p.How]; ok {
		res["category"] = append(res["category"].([]any), concept(c.System, c.Code, c.Display))
	}
	if p.RecordedBy != "" {
		res["extension"] = []any{map[string]any{"url": ExtTranscriber, "valueReference": map[string]any{"display": p.RecordedBy}}}
	}
}

// readConsentParticulars reads when and how the client agreed and who
// recorded it into the JSON API's consent.given_at, method and
// recorded_by. A dateTime to the day (or month, or year) says no time,
// so it is taken as not said, as a Consent with none is.
func readConsentParticulars(c *fConsent, out *api.ConsentRequest, bad func(field, msg string)) {
	if strings.Contains(c.DateTime, "T") {
		out.GivenAt = c.DateTime
	}
	for _, cat := range c.Category {
		for _, cd := range cat.Coding {
			if cd.System != SystemParticipationMode {
				continue
			}
			how, ok := consentHowOf(cd.Code)
			switch {
			case !ok:
				bad("Consent.category", fmt.Sprintf("Consent.category %q (%s) is not a way Onward records how a client agreed; use one of %s",
					cd.Code, SystemParticipationMode, participationCodes()))
			case out.Method != "" && out.Method != string(how):
				bad("Consent.category", "Consent.category says more than one way the client agreed ("+SystemParticipationMode+"): give one")
			default:
				out.Method = string(how)
			}
		}
	}
	if len(c.Extension) == 0 {
		return
	}
	var exts []struct {
		URL            string      `json:"url"`
		ValueReference *fReference `json:"valueReference"`
	}
	if err := json.Unmarshal(c.Extension, &exts); err != nil {
		bad("Consent.extension", "Consent.extension must be a list of extensions, each with its url")
		return
	}
	for _, e := range exts {
		if e.URL != ExtTranscriber {
			continue
		}
		if e.ValueReference == nil || strings.TrimSpace(e.ValueReference.Display) == "" {
			bad("Consent.extension", "the consent-Transcriber extension names who recorded the consent in valueReference.display (a name or a role)")
			continue
		}
		out.RecordedBy = e.ValueReference.Display
	}
}
