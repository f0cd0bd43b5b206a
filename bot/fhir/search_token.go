package fhir

import (
	"context"
	"strings"

	"github.com/onward-network/onward/core"
)

// token is one value of a FHIR token search: code, system|code, or
// |code (a code with no system).
type token struct {
	system, code string
	hasSystem    bool
}

// tokens reads a token search's value: its alternatives, separated by
// commas, each split at its first |; a backslash escapes a comma, a bar,
// a dollar or a backslash in a value (FHIR R4 search, "Escaping Search
// Parameters").
func tokens(v string) []token {
	var out []token
	var cur strings.Builder
	var t token
	flush := func() {
		if t.code = cur.String(); t.hasSystem || t.code != "" {
			out = append(out, t)
		}
		t = token{}
		cur.Reset()
	}
	for i := 0; i < len(v); i++ {
		switch c := v[i]; {
		case c == '\\' && i+1 < len(v) && strings.IndexByte(`,|$\\`, v[i+1]) >= 0:
			i++
			cur.WriteByte(v[i])
		case c == ',':
			flush()
		case c == '|' && !t.hasSystem:
			t.system, t.hasSystem = cur.String(), true
			cur.Reset()
		default:
			cur.WriteByte(c)
		}
	}
	flush()
	return out
}

// fixedToken is a token search parameter of an element every referral's
// resource holds the same code in: every Task's code is fulfill, every
// Task's and ServiceRequest's intent is order. A search for that code
// filters nothing out; a search for another finds nothing, as FHIR's
// search has it, rather than being refused.
type fixedToken struct {
	name, system, code string
	// implicit is true of a code element (intent), whose system is
	// implied rather than written: |code matches it, as an element with no
	// system. A Coding (Task.code) has its system written.
	implicit bool
}

// Task.code and intent, ServiceRequest.intent.
var (
	taskCode      = fixedToken{name: "code", system: SystemTaskCode, code: "fulfill"}
	requestIntent = fixedToken{name: "intent", system: "http://hl7.org/fhir/request-intent", code: "order", implicit: true}
)

// matches reports whether a value of the search parameter (alternatives
// separated by commas) names the code every resource holds.
func (f fixedToken) matches(v string) bool {
	for _, t := range tokens(v) {
		if t.hasSystem && t.code == "" && t.system == f.system {
			return true // system| : any code of the system
		}
		if t.code != f.code {
			continue
		}
		if !t.hasSystem || t.system == f.system || t.system == "" && f.implicit {
			return true
		}
	}
	return false
}

// identifierRefs reads an identifier search's value as the references of
// the referrals it names, by the identifiers a Task and ServiceRequest
// carry: Onward's reference (SystemReference) and the partner's case id
// (SystemCaseID). A value with no system is either; one with another
// system, or none (|value), names no referral. A system with no value
// (system|) names every referral with an identifier in that system, as
// FHIR's token search has it: every referral for SystemReference (all is
// then true, and refs nil), each of the partner's cases for SystemCaseID.
// A case id is the partner's own, unique to it and not across partners,
// so only the case ids of p's cases are matched, in the query itself:
// another partner's case with the same id never reaches the search's
// results, its total or its paging.
func (s *Server) identifierRefs(ctx context.Context, p core.Partner, v string) (refs []string, all bool, err error) {
	var cases []string
	anyCase := false
	for _, t := range tokens(v) {
		switch {
		case t.hasSystem && t.system == "" && t.code == "":
			return nil, false, &invalid{text: "identifier takes a system, a value or both, as system|value, system|, value or |value, like " +
				SystemCaseID + "|NHSF-77", expression: "identifier"}
		case !t.hasSystem:
			refs, cases = append(refs, t.code), append(cases, t.code)
		case t.system == SystemReference && t.code == "":
			return nil, true, nil
		case t.system == SystemReference:
			refs = append(refs, t.code)
		case t.system == SystemCaseID && t.code == "":
			anyCase = true
		case t.system == SystemCaseID:
			cases = append(cases, t.code)
		}
	}
	var found []string
	switch {
	case anyCase:
		found, err = s.engine.AnyCaseReferences(ctx, p.ID)
	case len(cases) > 0:
		found, err = s.engine.CaseReferences(ctx, p.ID, cases)
	}
	if err != nil {
		return nil, false, err
	}
	return append(refs, found...), false, nil
}
