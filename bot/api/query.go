package api

import (
	"fmt"
	"maps"
	"net/http"
	"net/url"
	"slices"
	"strings"

	"github.com/onward-network/onward/core"
)

// queryProblems reads a request's query and checks it against the
// parameters its operation takes: one it does not take, or one given more
// than once (of which only the first would be read), is named with the
// parameters it takes, as FHIR refuses a search parameter it does not
// support rather than answering as if it were not there. A misspelt
// filter (?agnecy=kirkton-cab) would otherwise list every referral, as
// would one Go cannot decode and drops (?status=completed;,
// core.UnreadableQuery).
func queryProblems(r *http.Request, takes ...string) (url.Values, []core.FieldError) {
	q := r.URL.Query()
	fields := core.UnreadableQuery(r.URL.RawQuery)
	for _, name := range slices.Sorted(maps.Keys(q)) {
		switch {
		case !slices.Contains(takes, name):
			msg := fmt.Sprintf("%s is not a query parameter this takes; it takes %s", name, strings.Join(takes, ", "))
			if len(takes) == 0 {
				msg = name + " is not a query parameter this takes; it takes none"
			}
			if i := slices.IndexFunc(takes, func(t string) bool { return strings.EqualFold(t, name) }); i >= 0 {
				msg += fmt.Sprintf(" (did you mean %s?)", takes[i])
			}
			fields = append(fields, core.FieldError{Field: name, Message: msg})
		case len(q[name]) > 1:
			fields = append(fields, core.FieldError{Field: name, Message: name + " is given more than once; give it once"})
		}
	}
	return q, fields
}

// queryProblem is a 422 naming each bad query parameter by the name the
// request used, with no JSON pointer: a pointer is a place in a body.
func queryProblem(fields []core.FieldError) problem {
	p := probValidation.problem(http.StatusUnprocessableEntity, "")
	var parts []string
	for _, f := range fields {
		detail := "query parameter " + f.Field + ": " + f.Message
		p.Errors = append(p.Errors, fieldIssue{Field: f.Field, Detail: detail})
		parts = append(parts, detail)
	}
	p.Detail = strings.Join(parts, "; ")
	return p
}

// noQuery refuses, as queryProblems does, any query parameter sent to an
// operation that takes none: GET /api/v1/agencies?need=debt would
// otherwise answer every agency, as if it had filtered them. It runs
// before a POST's Idempotency-Key is claimed, so the refusal is not kept.
func (a *API) noQuery(h Handler) Handler {
	return func(w http.ResponseWriter, r *http.Request, p core.Partner) {
		if _, fields := queryProblems(r); len(fields) > 0 {
			a.fail(w, r, queryProblem(fields))
			return
		}
		h(w, r, p)
	}
}
