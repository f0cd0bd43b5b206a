package fhir

import (
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/onward-network/onward/core"
)

// Code systems of Onward's own codes. FHIR allows a URI that names the
// system; these are URNs because the codes are Onward's.
const (
	SystemReference = "urn:onward:referral-reference"
	SystemCaseID    = "urn:onward:partner-case-id"
	SystemNeed      = "urn:onward:need"
	SystemReason    = "urn:onward:rejection-reason"
	SystemOutcome   = "urn:onward:outcome"
	// SystemAdviceType codes the National Standards advice type
	// (core.AdviceTypes), SystemAdviceTopic the network's advice topic, and
	// SystemGain names each amount of the financial gain (core.GainFields
	// keys) in Task.output entries carrying a valueMoney in GBP.
	SystemAdviceType  = "urn:onward:advice-type"
	SystemAdviceTopic = "urn:onward:advice-topic"
	SystemGain        = "urn:onward:gain"
	SystemWording     = "urn:onward:consent-wording:"
	// SystemNetworkPolicy, as a Consent.policy uri, is the network's data
	// sharing protocol: a Consent under it with no provision.actor lets
	// every agency of the network see the client's details (core's
	// ScopeNetwork). Without it, a Consent naming no actor covers only the
	// receiving agency.
	SystemNetworkPolicy = "urn:onward:data-sharing-protocol"
	// SystemTaskCode is FHIR's Task codes (a referral's Task is fulfill);
	// SystemLanguage codes languages by BCP 47 tag.
	SystemTaskCode = "http://hl7.org/fhir/CodeSystem/task-code"
	SystemLanguage = "urn:ietf:bcp:47"
	// SystemSNOMED is SNOMED CT. A ServiceRequest's code is its
	// "Patient referral" procedure: SDOHCC-ServiceRequest binds code, as
	// required, to US Core Procedure Codes, which take SNOMED CT's
	// procedures, and a code of words alone would not meet it. No SDOH
	// category (food-insecurity, …) is claimed beside Onward's needs: with
	// one, the profile asks for a code from that domain's own value set,
	// which Onward's needs do not map to one for one.
	SystemSNOMED = "http://snomed.info/sct"
	profileTask  = "http://hl7.org/fhir/us/sdoh-clinicalcare/StructureDefinition/SDOHCC-TaskForReferralManagement"
	profileSR    = "http://hl7.org/fhir/us/sdoh-clinicalcare/StructureDefinition/SDOHCC-ServiceRequest"
)

// snomedPatientReferral is SNOMED CT's 3457005 |Patient referral
// (procedure)|, the code of every referral's ServiceRequest.
const snomedPatientReferral = "3457005"

// Resource is one FHIR resource as JSON: resourceType first-class.
type Resource = map[string]any

func coding(system, code, display string) map[string]any {
	c := map[string]any{"system": system, "code": code}
	if display != "" {
		c["display"] = display
	}
	return c
}

func concept(system, code, display string) map[string]any {
	return map[string]any{"coding": []any{coding(system, code, display)}}
}

func ref(s string) map[string]any { return map[string]any{"reference": s} }

func instant(t time.Time) string { return t.UTC().Format("2006-01-02T15:04:05.000Z") }

func meta(version int, updated time.Time, profile string) map[string]any {
	m := map[string]any{"versionId": fmt.Sprint(version), "lastUpdated": instant(updated)}
	if profile != "" {
		m["profile"] = []any{profile}
	}
	return m
}

// ConsentID is the FHIR id of a consent record.
func ConsentID(id core.ConsentID) string { return fmt.Sprintf("consent-%d", id) }

// ServiceID is the FHIR id of a directory service.
func ServiceID(id core.ServiceID) string { return fmt.Sprintf("service-%d", id) }

func parseID(prefix, id string) (int64, bool) {
	var n int64
	rest, ok := strings.CutPrefix(id, prefix)
	if !ok {
		return 0, false
	}
	if _, err := fmt.Sscanf(rest, "%d", &n); err != nil || fmt.Sprint(n) != rest || n <= 0 {
		return 0, false
	}
	return n, true
}

// Task is a referral as an SDOH Clinical Care TaskForReferralManagement:
// Task.status is Onward's status one to one, statusReason the rejection
// reason, output the outcome; its identifiers are Onward's reference and
// the partner's case id (links.CaseID, kept by a referral a redirect made).
// patient is the client's Patient id as the system reading it sees it.
func Task(r core.Referral, slugs map[core.AgencyID]string, links core.ReferralLinks, patient string) Resource {
	t := Resource{
		"resourceType": "Task", "id": r.Reference,
		"meta":       meta(r.Version, r.StatusAt, profileTask),
		"identifier": referralIdentifiers(r, links),
		"status":     string(r.Status), "intent": "order",
		"code":       concept(SystemTaskCode, "fulfill", "Fulfill the focal request"),
		"focus":      ref("ServiceRequest/" + r.Reference),
		"for":        ref("Patient/" + patient),
		"authoredOn": instant(r.CreatedAt), "lastModified": instant(r.StatusAt),
	}
	if r.FromAgencyID != nil {
		t["requester"] = ref("Organization/" + slugs[*r.FromAgencyID])
	} else {
		t["requester"] = map[string]any{"display": "Onward (self-referral)"}
	}
	if r.ToAgencyID != nil {
		t["owner"] = ref("Organization/" + slugs[*r.ToAgencyID])
	}
	if r.Reason != nil {
		sr := concept(SystemReason, string(*r.Reason), r.Reason.Label())
		if r.Feedback != "" {
			sr["text"] = r.Feedback
		}
		t["statusReason"] = sr
	} else if r.Status == core.StatusCancelled && r.Feedback != "" {
		t["statusReason"] = map[string]any{"text": r.Feedback}
	}
	if r.Outcome != nil {
		out := []any{map[string]any{
			"type":                 map[string]any{"coding": []any{coding(SystemOutcome, "outcome", "Outcome")}, "text": "Outcome"},
			"valueCodeableConcept": concept(SystemOutcome, string(*r.Outcome), r.Outcome.Label()),
		}}
		if r.AdviceType != nil {
			out = append(out, map[string]any{
				"type":                 map[string]any{"text": "Advice type"},
				"valueCodeableConcept": concept(SystemAdviceType, string(*r.AdviceType), r.AdviceType.Label()),
			})
		}
		if r.AdviceTopic != nil {
			out = append(out, map[string]any{
				"type":                 map[string]any{"text": "Advice topic"},
				"valueCodeableConcept": concept(SystemAdviceTopic, *r.AdviceTopic, ""),
			})
		}
		g := r.Gain()
		for _, f := range core.GainFields {
			if p := g.Get(f.Key); p != 0 {
				out = append(out, map[string]any{
					"type":       map[string]any{"coding": []any{coding(SystemGain, f.Key, f.Label)}, "text": f.Label},
					"valueMoney": map[string]any{"value": json.Number(core.PoundsInput(p)), "currency": "GBP"},
				})
			}
		}
		t["output"] = out
	}
	return t
}

// referralIdentifiers are the identifiers of a referral's Task and
// ServiceRequest, which an identifier search matches (identifierRefs):
// Onward's reference, and the partner's case id when a partner made the
// referral or the first in its chain (links.CaseID).
func referralIdentifiers(r core.Referral, links core.ReferralLinks) []any {
	ids := []any{map[string]any{"system": SystemReference, "value": r.Reference}}
	if links.CaseID != "" {
		ids = append(ids, map[string]any{"system": SystemCaseID, "value": links.CaseID})
	}
	return ids
}

// serviceRequestStatus maps a referral's status onto ServiceRequest's.
func serviceRequestStatus(s core.Status) string {
	switch s {
	case core.StatusOnHold:
		return "on-hold"
	case core.StatusCompleted:
		return "completed"
	case core.StatusRejected, core.StatusCancelled, core.StatusFailed:
		return "revoked"
	}
	return "active"
}

// ServiceRequest is what the referral asks for: one category per need;
// its identifiers are the Task's (referralIdentifiers). A
// referral that carries another on (a redirect, or one turned down and
// referred on) replaces that one's ServiceRequest (links.From).
// patient is the client's Patient id as the system reading it sees it.
func ServiceRequest(r core.Referral, slugs map[core.AgencyID]string, links core.ReferralLinks, patient string) Resource {
	cats := []any{}
	var labels []string
	for _, n := range r.Needs {
		cats = append(cats, concept(SystemNeed, string(n), n.Label()))
		labels = append(labels, n.Label())
	}
	sr := Resource{
		"resourceType": "ServiceRequest", "id": r.Reference,
		"meta":       meta(r.Version, r.StatusAt, profileSR),
		"identifier": referralIdentifiers(r, links),
		"status":     serviceRequestStatus(r.Status), "intent": "order",
		"category": cats,
		"code": map[string]any{"coding": []any{coding(SystemSNOMED, snomedPatientReferral, "Patient referral")},
			"text": "Help with " + strings.ToLower(strings.Join(labels, ", "))},
		"subject":        ref("Patient/" + patient),
		"authoredOn":     instant(r.CreatedAt),
		"supportingInfo": []any{ref("Consent/" + ConsentID(r.ConsentID))},
	}
	if links.From != "" {
		sr["replaces"] = []any{ref("ServiceRequest/" + links.From)}
	}
	if r.Crisis {
		sr["priority"] = "urgent"
	}
	if r.FromAgencyID != nil {
		sr["requester"] = ref("Organization/" + slugs[*r.FromAgencyID])
	}
	if r.ToAgencyID != nil {
		sr["performer"] = []any{ref("Organization/" + slugs[*r.ToAgencyID])}
	}
	return sr
}

// Consent is a consent record: who may see the client's details, under
// which wording, given when, and whether it still stands; for a partner
// system's, when and how the client agreed and who recorded it, as p
// says (consentParticulars). patient is the client's Patient id as the
// system reading it sees it.
func Consent(c core.Consent, p core.ConsentParticulars, slugs map[core.AgencyID]string, patient string) Resource {
	status := "active"
	if c.WithdrawnAt != nil {
		status = "inactive"
	}
	prov := map[string]any{"type": "permit"}
	policy := []any{map[string]any{"uri": SystemWording + c.WordingVersion}}
	if c.Scope == core.ScopeNetwork {
		policy = append(policy, map[string]any{"uri": SystemNetworkPolicy})
	}
	if c.Scope == core.ScopeAgencies {
		var actors []any
		for _, a := range c.AgencyIDs {
			actors = append(actors, map[string]any{
				"role":      concept("http://terminology.hl7.org/CodeSystem/v3-ParticipationType", "IRCP", "information recipient"),
				"reference": ref("Organization/" + slugs[a]),
			})
		}
		prov["actor"] = actors
	}
	res := Resource{
		"resourceType": "Consent", "id": ConsentID(c.ID),
		"status":     status,
		"scope":      concept("http://terminology.hl7.org/CodeSystem/consentscope", "patient-privacy", "Privacy Consent"),
		"category":   []any{concept("http://loinc.org", "59284-0", "Patient Consent")},
		"patient":    ref("Patient/" + patient),
		"dateTime":   instant(c.GivenAt),
		"policy":     policy,
		"policyRule": concept("http://terminology.hl7.org/CodeSystem/v3-ActCode", "OPTIN", "opt-in"),
		"provision":  prov,
	}
	if v := consentVerification(c, p, patient); v != nil {
		res["verification"] = []any{v}
	}
	consentParticulars(res, p)
	return res
}

// consentVerification is how a consent was confirmed with the client, as
// FHIR's Consent.verification: every consent Onward holds was (a
// referral is refused without it); verifiedWith is the client themselves
// when they gave it by text or on the web, and, for a partner system's,
// who there confirmed it (as its Bundle said: verifiedWith.display). A
// consent recorded by staff names nobody here.
func consentVerification(c core.Consent, p core.ConsentParticulars, patient string) map[string]any {
	v := map[string]any{"verified": true, "verificationDate": instant(c.GivenAt)}
	switch c.Channel {
	case core.ChannelSMS, core.ChannelWeb:
		v["verifiedWith"] = ref("Patient/" + patient)
	case core.ChannelAPI:
		if w := p.WitnessedBy; w != "" {
			v["verifiedWith"] = map[string]any{"display": w}
		}
	case core.ChannelStaff:
	default:
		return nil
	}
	return v
}

// Patient is a client's details, for a system the consent covers, under
// the id that system sees (patientIDs). FHIR allows no empty string, so a
// name stored empty (a referral made before blank names were refused)
// leaves the name out rather than serving "".
func Patient(c core.Client, id string) Resource {
	p := Resource{"resourceType": "Patient", "id": id}
	if name := strings.TrimSpace(c.Name); name != "" {
		p["name"] = []any{map[string]any{"text": name}}
	}
	var telecom []any
	if c.Phone != "" {
		telecom = append(telecom, map[string]any{"system": "phone", "value": string(c.Phone)})
	}
	if c.Email != "" {
		telecom = append(telecom, map[string]any{"system": "email", "value": c.Email})
	}
	if telecom != nil {
		p["telecom"] = telecom
	}
	switch {
	case c.Postcode != "":
		p["address"] = []any{map[string]any{"postalCode": string(c.Postcode), "country": "GB"}}
	case c.District != "":
		p["address"] = []any{map[string]any{"postalCode": c.District, "country": "GB"}}
	}
	// The language to book an interpreter in comes first, preferred (as a
	// Bundle gives it: toCreate), then the one texts go in.
	var comms []any
	if l := c.InterpreterFor(); l != "" && l != c.Language {
		comms = append(comms, map[string]any{"language": concept(SystemLanguage, l, core.LanguageName(l)), "preferred": true})
	}
	if c.Language != "" {
		comms = append(comms, map[string]any{"language": concept(SystemLanguage, c.Language, "")})
	}
	if comms != nil {
		p["communication"] = comms
	}
	return p
}

// Organization is an agency of the directory.
func Organization(a core.Agency) Resource {
	o := Resource{"resourceType": "Organization", "id": a.Slug, "active": true, "name": a.Name,
		"identifier": []any{map[string]any{"system": "urn:onward:agency", "value": a.Slug}}}
	var telecom []any
	if a.Phone != "" {
		telecom = append(telecom, map[string]any{"system": "phone", "value": a.Phone})
	}
	if a.Email != "" {
		telecom = append(telecom, map[string]any{"system": "email", "value": a.Email})
	}
	if a.Website != "" {
		telecom = append(telecom, map[string]any{"system": "url", "value": a.Website})
	}
	if telecom != nil {
		o["telecom"] = telecom
	}
	return o
}

// HealthcareService is a directory service.
func HealthcareService(s core.Service, agencySlug string) Resource {
	cats := []any{}
	for _, n := range s.Needs {
		cats = append(cats, concept(SystemNeed, string(n), n.Label()))
	}
	h := Resource{"resourceType": "HealthcareService", "id": ServiceID(s.ID), "active": s.Active,
		"providedBy": ref("Organization/" + agencySlug), "name": s.Name, "category": cats}
	if s.Description != "" {
		h["comment"] = s.Description
	}
	if s.Eligibility != "" {
		h["eligibility"] = []any{map[string]any{"comment": s.Eligibility}}
	}
	var langs []any
	for _, l := range s.Languages {
		langs = append(langs, concept(SystemLanguage, l, ""))
	}
	if langs != nil {
		h["communication"] = langs
	}
	if s.OpeningHours != "" {
		h["availabilityExceptions"] = s.OpeningHours
	}
	return h
}

// OperationOutcome is an error, or a warning, in FHIR's words.
func OperationOutcome(severity, code, text, expression string) Resource {
	issue := map[string]any{"severity": severity, "code": code, "diagnostics": text}
	if expression != "" {
		issue["expression"] = []any{expression}
	}
	return Resource{"resourceType": "OperationOutcome", "issue": []any{issue}}
}
