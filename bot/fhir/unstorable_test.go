package fhir_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/onward-network/onward/core"
)

// TestFHIRUnstorableTextNamesTheElement (review R2 F8): text Onward
// cannot store as sent (an escaped NUL, half of a character) is refused
// with a 400 OperationOutcome naming the element that holds it, as every
// other refusal of a body does, not only "a string in the body".
func TestFHIRUnstorableTextNamesTheElement(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	referrer := h.token(t, h.env.Net.Welfare, core.ScopeRead, core.ScopeRefer)
	for _, c := range []struct {
		name, from, to, expression, says string
	}{
		{"NUL in a note", `"note": [{"text": "Rent arrears letter"}]`, `"note": [{"text": "Rent\u0000arrears"}]`,
			"Bundle.entry.resource.note.text", "Bundle.entry.resource.note.text holds a NUL character"},
		{"half a character in a name", `"given": ["Morag"]`, `"given": ["Mo\ud83drag"]`,
			"Bundle.entry.resource.name.given", "Bundle.entry.resource.name.given holds half of a character"},
	} {
		bundle := strings.Replace(strings.Replace(referralBundle, c.from, c.to, 1), "NHSF-77", "NHSF-"+c.name, 1)
		if !strings.Contains(bundle, c.to) {
			t.Fatalf("%s: the case changed nothing in the Bundle", c.name)
		}
		status, _, body := h.do(t, "POST", "/fhir", referrer, bundle)
		oo := validR4(t, body)
		if status != http.StatusBadRequest || oo["resourceType"] != "OperationOutcome" || !hasIssue(oo, c.expression, c.says) {
			t.Errorf("%s: %d %s, want 400 naming %s saying %q", c.name, status, body, c.expression, c.says)
		}
	}
}
