package api

import (
	"context"
	"encoding/json"
	"errors"
	"strconv"
	"strings"

	"github.com/onward-network/onward/core"
)

// typeRefusal is decodeBytes' refusal of members of the wrong type: the
// problem naming each, and the body it read them in, so that a create
// can check the rest of the request too (withTypeRefusals).
type typeRefusal struct {
	problem
	issues []typeIssue
	body   []byte
}

// Unwrap lets a typeRefusal be answered as the problem it is.
func (t typeRefusal) Unwrap() error { return t.problem }

// withoutMembers is body with the members at paths taken out (an
// array's element is set to null), or false when body is not an object.
func withoutMembers(body []byte, paths [][]string) ([]byte, bool) {
	var root any
	if err := json.Unmarshal(body, &root); err != nil {
		return nil, false
	}
	if _, ok := root.(map[string]any); !ok {
		return nil, false
	}
	for _, path := range paths {
		removeAt(root, path)
	}
	out, err := json.Marshal(root)
	return out, err == nil
}

// removeAt takes the member at path out of v, if it is there.
func removeAt(v any, path []string) {
	for i, step := range path {
		last := i == len(path)-1
		switch node := v.(type) {
		case map[string]any:
			if last {
				delete(node, step)
				return
			}
			v = node[step]
		case []any:
			n, err := strconv.Atoi(step)
			if err != nil || n < 0 || n >= len(node) {
				return
			}
			if last {
				node[n] = nil
				return
			}
			v = node[n]
		default:
			return
		}
	}
}

// withTypeRefusals answers a create whose members of the wrong type
// were refused (tr) with every other mistake in it as well, as a request
// with only those mistakes would be told: the request is read again
// without the members of the wrong type and checked as a create is,
// reading and writing nothing. A mistake core finds in a member already
// refused for its type (a name given as a number is also "missing") is
// left out: the type says what is wrong with it.
func (a *API) withTypeRefusals(ctx context.Context, tr typeRefusal, p core.Partner) error {
	paths := make([][]string, len(tr.issues))
	for i, is := range tr.issues {
		paths[i] = is.Path
	}
	rest, ok := withoutMembers(tr.body, paths)
	if !ok {
		return tr.problem
	}
	var in CreateRequest
	if err := decodeBytes(rest, &in); err != nil {
		return tr.problem
	}
	all := tr.problem
	for _, f := range validationProblem(a.createChecks(ctx, in, p)).Errors {
		if coveredBy(f.Field, tr.issues) {
			continue
		}
		all.Errors = append(all.Errors, f)
		all.Detail += "; " + f.Detail
	}
	return all
}

// coveredBy says whether field is a member refused for its type, or
// inside or around one (needs, when needs[1] was refused).
func coveredBy(field string, issues []typeIssue) bool {
	for _, is := range issues {
		bad := valueField(is.Path)
		if field == bad || strings.HasPrefix(field, bad+".") || strings.HasPrefix(field, bad+"[") || strings.HasPrefix(bad, field+"[") || strings.HasPrefix(bad, field+".") {
			return true
		}
	}
	return false
}

// createChecks is every mistake a create request has, found as Create
// finds them but without making the referral: agencies not in the
// directory, then core's own checks.
func (a *API) createChecks(ctx context.Context, in CreateRequest, p core.Partner) []core.FieldError {
	_, ids, err := a.agencySlugs(ctx, append([]string{in.ToAgency}, in.Consent.Agencies...)...)
	if err != nil {
		return nil
	}
	req, unknown := partnerReferral(in, ids, p, "")
	var ve *core.ValidationError
	if errors.As(a.withCoreRefusals(req, in, unknown), &ve) {
		return ve.Fields
	}
	return nil
}
