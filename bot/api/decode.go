package api

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"unicode/utf8"

	"github.com/onward-network/onward/core"
)

// MaxBody is the largest request body accepted.
const MaxBody = 1 << 20

// decode reads a JSON body strictly: at most MaxBody bytes, no unknown
// fields, the right types, one value. Each refusal names the field.
func decode(w http.ResponseWriter, r *http.Request, dst any) error {
	body, err := readBody(w, r)
	if err != nil {
		return err
	}
	return decodeBytes(body, dst)
}

// readBody reads a request body of at most MaxBody bytes.
func readBody(w http.ResponseWriter, r *http.Request) ([]byte, error) {
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, MaxBody))
	var mbe *http.MaxBytesError
	if errors.As(err, &mbe) {
		return nil, probTooLarge.problem(http.StatusRequestEntityTooLarge, fmt.Sprintf("the body must be at most %d bytes", MaxBody))
	}
	if err != nil {
		return nil, problem{Status: http.StatusBadRequest, Title: "Could not read the request body", Detail: "send the body again"}
	}
	return body, nil
}

// UnstorableText says why a JSON body cannot be taken as the text Onward
// stores, or is nil: bytes that are not UTF-8, which JSON text must be
// (RFC 8259 §8.1) and which encoding/json would quietly turn into U+FFFD,
// changing what was sent; or a string escaping a NUL, which PostgreSQL
// cannot store, or half of a character, which would not be stored as
// sent (core.UnstorableJSON). The JSON API and FHIR refuse such a body
// with it, each in its own error format.
func UnstorableText(body []byte) error {
	if !utf8.Valid(body) {
		return errors.New("the body is not UTF-8, which JSON text must be (RFC 8259 §8.1); send it encoded as UTF-8")
	}
	return core.UnstorableJSON(body)
}

// decodeBytes decodes body into dst as decode does. Member names are
// case-sensitive, as the document writes them: encoding/json would fill
// "reason" from "Reason" or "REASON", so a member named in another case
// is refused as a member the request does not take, naming the one
// meant. Names are checked before types: of a body with both mistakes,
// the misnamed member is the one named.
func decodeBytes(body []byte, dst any) error {
	if len(bytes.TrimSpace(body)) == 0 {
		return nil // no body: every field takes its zero value
	}
	if err := UnstorableText(body); err != nil {
		return unstorableProblem(body, err)
	}
	if string(bytes.TrimSpace(body)) == "null" {
		// encoding/json leaves dst as it was for null, which would read
		// as an object with every field missing.
		return notAnObject("null")
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	err := dec.Decode(dst)
	if err == nil && dec.More() {
		err = errors.New("extra data after the JSON object")
	}
	var (
		syn *json.SyntaxError
		typ *json.UnmarshalTypeError
	)
	unknown, isUnknown := UnknownFieldName(err)
	if err == nil || isUnknown || errors.As(err, &typ) {
		if issue, ok := MisnamedMember(body, dst); ok {
			return memberProblem(issue)
		}
	}
	switch {
	case err == nil:
		return nil
	case errors.As(err, &typ) && typ.Field == "":
		return notAnObject(jsonValue(typ.Value))
	case errors.As(err, &typ):
		// The decoder names the first member of the wrong type; a
		// partner is told of every one at once.
		if issues := typeIssues(body, dst); len(issues) > 0 {
			return typeRefusal{problem: typeProblem(issues), issues: issues, body: body}
		}
		field := typ.Field
		return validationProblemOne(field, fmt.Sprintf("%s must be %s, not %s", field, jsonType(typ.Type.Kind().String()), typ.Value))
	case isUnknown:
		// MisnamedMember finds the member the decoder refused, where it
		// is; should it not, the decoder's name is all there is.
		return memberProblem(MemberIssue{Path: []string{unknown}})
	case errors.As(err, &syn), errors.Is(err, io.ErrUnexpectedEOF), errors.Is(err, io.EOF):
		return probMalformed.problem(http.StatusBadRequest, "the body is not valid JSON: "+err.Error())
	}
	return probMalformed.problem(http.StatusBadRequest, err.Error())
}

// notAnObject refuses a body that is not the object every operation
// takes: what is an array, a number, null…
func notAnObject(what string) problem {
	p := validationProblemOne("", fmt.Sprintf("the body must be a JSON object, not %s", what))
	p.Errors[0].Pointer = "#"
	return p
}

// memberProblem refuses the member at issue.Path (MisnamedMember): one
// the request has no field for, one named as a field is but in another
// case (told the name meant), or one given twice. Inside "client",
// "nhs_number" is client.nhs_number, at #/client/nhs_number.
func memberProblem(issue MemberIssue) problem {
	field := fieldOf(issue.Path)
	p := validationProblemOne(field, memberDetail(issue))
	p.Errors[0].Pointer = jsonPointer(issue.Path)
	return p
}

// memberDetail says what is wrong with the member issue names.
func memberDetail(issue MemberIssue) string {
	path, want := issue.Path, issue.Want
	field := fieldOf(path)
	switch {
	case issue.Repeated:
		return fmt.Sprintf("%s is given more than once; give each field once", field)
	case want == "":
		return fmt.Sprintf("%s is not a field of this request; see /api/v1/openapi.json", field)
	}
	meant := fieldOf(append(path[:len(path)-1:len(path)-1], want))
	return fmt.Sprintf("%s is not a field of this request; did you mean %s? Field names are case-sensitive; see /api/v1/openapi.json", field, meant)
}

// typeProblem is a 422 naming every member of the wrong type, each at
// its own pointer.
func typeProblem(issues []typeIssue) problem {
	p := probValidation.problem(http.StatusUnprocessableEntity, "")
	details := make([]string, len(issues))
	for i, is := range issues {
		p.Errors = append(p.Errors, fieldIssue{Field: valueField(is.Path), Pointer: jsonPointer(is.Path), Detail: is.Detail})
		details[i] = is.Detail
	}
	p.Detail = strings.Join(details, "; ")
	return p
}

func validationProblemOne(field, detail string) problem {
	p := probValidation.problem(http.StatusUnprocessableEntity, detail)
	p.Errors = []fieldIssue{{Field: field, Pointer: "#/" + strings.ReplaceAll(field, ".", "/"), Detail: detail}}
	return p
}

// fieldOf is the API's name for a member at path, as it names fields in
// refusals: members joined with dots, array indexes in brackets
// (consent.agencies[1]). Every step but the last of an UnknownMember path
// is a known member or an index; the last is the unknown member.
func fieldOf(path []string) string {
	var b strings.Builder
	for i, p := range path {
		index := i > 0 && i < len(path)-1 && p != "" && strings.Trim(p, "0123456789") == ""
		switch {
		case index:
			b.WriteString("[" + p + "]")
		case i > 0:
			b.WriteString("." + p)
		default:
			b.WriteString(p)
		}
	}
	return b.String()
}

// jsonPointer is the RFC 6901 pointer, as a URI fragment, of the member
// at path: "~" and "/" in a name escaped, the rest percent-encoded as a
// fragment needs.
func jsonPointer(path []string) string {
	p := "#"
	for _, s := range path {
		s = strings.NewReplacer("~", "~0", "/", "~1").Replace(s)
		p += "/" + (&url.URL{Fragment: s}).EscapedFragment()
	}
	return p
}

// jsonValue names a JSON value as encoding/json's type errors give it
// ("array", "number 5"), with its article.
func jsonValue(v string) string {
	switch kind, _, _ := strings.Cut(v, " "); kind {
	case "array", "object":
		return "an " + kind
	case "string", "number":
		return "a " + kind
	case "bool":
		return "true or false"
	}
	return v
}

func jsonType(kind string) string {
	switch kind {
	case "bool":
		return "true or false"
	case "string":
		return "a string"
	case "slice", "array":
		return "an array"
	case "struct", "map":
		return "an object"
	case "int", "int64", "int32", "uint", "float64":
		return "a number"
	}
	return "a " + kind
}

// writeJSON answers with a JSON body.
func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}
