package api

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"unicode/utf8"

	"github.com/onward-network/onward/core"
)

// MaxBody is the largest request body accepted.
const MaxBody = 1 << 20

// decode reads a JSON body strictly: at most MaxBody bytes, no unknown
// fields, the right types, one value. Each refusal names the field.
func decode(w http.ResponseWriter, r *http.Request, dst any) error {
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, MaxBody))
	var mbe *http.MaxBytesError
	if errors.As(err, &mbe) {
		return problem{Type: problemBase + "too-large", Status: http.StatusRequestEntityTooLarge, Title: "Request body too large",
			Detail: fmt.Sprintf("the body must be at most %d bytes", MaxBody)}
	}
	if err != nil {
		return problem{Status: http.StatusBadRequest, Title: "Could not read the request body", Detail: "send the body again"}
	}
	return decodeBytes(body, dst)
}

// UnstorableText says why a JSON body cannot be taken as the text Onward
// stores, or is nil: bytes that are not UTF-8, which JSON text must be
// (RFC 8259 §8.1) and which encoding/json would quietly turn into U+FFFD,
// changing what was sent; or a string escaping a NUL, which PostgreSQL
// cannot store (core.StorableJSON). The JSON API and FHIR refuse such a
// body with it, each in its own error format.
func UnstorableText(body []byte) error {
	switch {
	case !utf8.Valid(body):
		return errors.New("the body is not UTF-8, which JSON text must be (RFC 8259 §8.1); send it encoded as UTF-8")
	case !core.StorableJSON(body):
		return errors.New(`a string in the body holds a NUL character (\u0000), which Onward cannot store; remove it and send again`)
	}
	return nil
}

func decodeBytes(body []byte, dst any) error {
	if len(bytes.TrimSpace(body)) == 0 {
		return nil // no body: every field takes its zero value
	}
	if err := UnstorableText(body); err != nil {
		return problem{Type: problemBase + "malformed", Status: http.StatusBadRequest, Title: "Unstorable text", Detail: err.Error()}
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	err := dec.Decode(dst)
	if err == nil && dec.More() {
		err = errors.New("extra data after the JSON object")
	}
	if err == nil {
		return nil
	}
	var (
		syn *json.SyntaxError
		typ *json.UnmarshalTypeError
	)
	switch {
	case errors.As(err, &typ):
		field := typ.Field
		return validationProblemOne(field, fmt.Sprintf("%s must be %s, not %s", field, jsonType(typ.Type.Kind().String()), typ.Value))
	case strings.HasPrefix(err.Error(), "json: unknown field "):
		field := strings.Trim(strings.TrimPrefix(err.Error(), "json: unknown field "), `"`)
		return validationProblemOne(field, fmt.Sprintf("%s is not a field of this request; see /api/v1/openapi.json", field))
	case errors.As(err, &syn), errors.Is(err, io.ErrUnexpectedEOF), errors.Is(err, io.EOF):
		return problem{Type: problemBase + "malformed", Status: http.StatusBadRequest, Title: "Malformed JSON",
			Detail: "the body is not valid JSON: " + err.Error()}
	}
	return problem{Type: problemBase + "malformed", Status: http.StatusBadRequest, Title: "Malformed JSON", Detail: err.Error()}
}

func validationProblemOne(field, detail string) problem {
	p := problem{Type: problemBase + "validation", Status: http.StatusUnprocessableEntity, Title: "The request has invalid fields", Detail: detail}
	p.Errors = []fieldIssue{{Field: field, Pointer: "#/" + strings.ReplaceAll(field, ".", "/"), Detail: detail}}
	return p
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
