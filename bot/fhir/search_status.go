package fhir

import (
	"fmt"
	"slices"
	"strings"
)

// The status codes FHIR R4 defines for a Task (ValueSet task-status) and
// a ServiceRequest (request-status). A search for one of them that no
// referral can have ("draft") rightly finds nothing; a value that is none
// of them (a typo, "acepted") is refused with a 400 naming the codes, as
// every other bad search value is, rather than answered as if no
// referral matched.
var (
	taskStatusCodes    = []string{"draft", "requested", "received", "accepted", "rejected", "ready", "cancelled", "in-progress", "on-hold", "failed", "completed", "entered-in-error"}
	requestStatusCodes = []string{"draft", "active", "on-hold", "revoked", "completed", "entered-in-error", "unknown"}
)

// statusParam reads a status search's value, a token or several separated
// by commas, each [system|]code, as the codes it names; of is the
// resource searched, for the refusal's words.
func statusParam(v, of string, codes []string) ([]string, error) {
	var out []string
	for _, tok := range strings.Split(v, ",") {
		if i := strings.LastIndex(tok, "|"); i >= 0 {
			tok = tok[i+1:]
		}
		if !slices.Contains(codes, tok) {
			return nil, &invalid{text: fmt.Sprintf("status %q is not a %s status; use one of %s (several separated by commas)",
				tok, of, strings.Join(codes, ", ")), expression: "status"}
		}
		out = append(out, tok)
	}
	return out, nil
}
