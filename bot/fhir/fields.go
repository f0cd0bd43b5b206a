package fhir

import (
	"regexp"
	"strings"

	"github.com/onward-network/onward/bot/api"
)

// fieldPaths are the FHIRPath expressions, in the resources a partner
// sends, of the fields core and the partner API name in their refusals:
// a referral Bundle's Patient, ServiceRequest, Task and Consent, and a
// Task put to change its status.
var fieldPaths = map[string]string{
	"client.name":             "Patient.name",
	"client.phone":            "Patient.telecom",
	"client.email":            "Patient.telecom",
	"client.postcode":         "Patient.address.postalCode",
	"client.district":         "Patient.address.postalCode",
	"client.notes":            "ServiceRequest.note",
	"needs":                   "ServiceRequest.category",
	"crisis":                  "ServiceRequest.priority",
	"to_agency":               "Task.owner",
	"case_id":                 "Task.identifier",
	"Idempotency-Key":         "Bundle.identifier",
	"consent.wording_version": "Consent.policy",
	"consent.scope":           "Consent.provision.actor",
	"consent.agencies":        "Consent.provision.actor",
	"consent.witnessed_by":    "Consent.verification.verifiedWith",
	"consent.given_at":        "Consent.dateTime",
	"consent.method":          "Consent.category",
	"consent.recorded_by":     "Consent.extension",
	"reason":                  "Task.statusReason",
	"feedback":                "Task.statusReason.text",
	"outcome":                 "Task.output",
	"advice_type":             "Task.output",
	"advice_topic":            "Task.output",
	"note":                    "Task.note",
}

// fieldPath is the FHIRPath expression of a field a refusal names, and
// the name the diagnostics give it: a field this interface named itself
// ("Consent.status") is kept; one of core's or the partner API's is
// looked up without its index (needs[0] is one of the needs, so
// ServiceRequest.category; an amount of a financial gain is a
// Task.output). A field with no place in the resources a partner sends
// gets no expression.
func fieldPath(field string) (expression, name string) {
	if field != "" && field[0] >= 'A' && field[0] <= 'Z' && strings.Contains(field, ".") {
		return field, field
	}
	name = api.FieldName(field)
	if p, ok := fieldPaths[indexRE.ReplaceAllString(name, "")]; ok {
		return p, name
	}
	if strings.HasPrefix(name, "gain.") {
		return "Task.output", name
	}
	return "", name
}

// indexRE is an index in a field name: needs[0], consent.agencies[1].
var indexRE = regexp.MustCompile(`\[[0-9]+\]`)

// elementPath is the FHIRPath of an element from its path in the JSON
// (api.UnknownMember), without the array indexes: output, 0, valueString
// is output.valueString.
func elementPath(path []string) string {
	var names []string
	for _, p := range path {
		if strings.Trim(p, "0123456789") != "" {
			names = append(names, p)
		}
	}
	return strings.Join(names, ".")
}
