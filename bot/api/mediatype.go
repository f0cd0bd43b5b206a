package api

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"mime"
	"net/http"
	"slices"
	"strings"

	"github.com/onward-network/onward/core"
)

// requestBody is what the OpenAPI document says an operation's request
// body may be: its media types and, when its JSON schema allows no other
// properties (additionalProperties false), the members it may have.
type requestBody struct {
	types   []string
	members []string // nil: the schema does not close its members
}

// requestBodies reads, from the OpenAPI document, each operation's
// request body by ServeMux pattern ("POST /api/v1/referrals"). The
// document is the one list: an operation takes the media types its
// requestBody names (one without a requestBody reads no body), and an
// action the members its schema lists (every action decodes into actIn,
// which has every action's fields; the contract test posts every other
// field to each action).
func requestBodies(doc []byte) (map[string]requestBody, error) {
	type schema struct {
		Ref                  string                     `json:"$ref"`
		Properties           map[string]json.RawMessage `json:"properties"`
		AdditionalProperties *bool                      `json:"additionalProperties"`
	}
	var d struct {
		Paths map[string]map[string]struct {
			RequestBody *struct {
				Content map[string]struct {
					Schema schema `json:"schema"`
				} `json:"content"`
			} `json:"requestBody"`
		} `json:"paths"`
		Components struct {
			Schemas map[string]schema `json:"schemas"`
		} `json:"components"`
	}
	if err := json.Unmarshal(doc, &d); err != nil {
		return nil, err
	}
	out := map[string]requestBody{}
	for path, ops := range d.Paths {
		for method, op := range ops {
			if op.RequestBody == nil {
				continue
			}
			var body requestBody
			for t := range op.RequestBody.Content {
				body.types = append(body.types, t)
			}
			slices.Sort(body.types)
			s := op.RequestBody.Content["application/json"].Schema
			if ref := s.Ref; ref != "" {
				var ok bool
				if s, ok = d.Components.Schemas[strings.TrimPrefix(ref, "#/components/schemas/")]; !ok {
					return nil, fmt.Errorf("%s %s: no schema %s", method, path, ref)
				}
			}
			if s.AdditionalProperties != nil && !*s.AdditionalProperties {
				body.members = []string{}
				for m := range s.Properties {
					body.members = append(body.members, m)
				}
				slices.Sort(body.members)
			}
			out[strings.ToUpper(method)+" "+path] = body
		}
	}
	return out, nil
}

// requireMediaType refuses, with 415, a request whose body is not one of
// the media types the operation takes (RFC 9110 §15.5.16): a text/plain
// or form body is not read as JSON. JSON text is UTF-8 (RFC 8259 §8.1),
// so a charset parameter, which application/json does not define but
// clients send, may only say utf-8. A body sent without a Content-Type is
// read as the operation's JSON (RFC 9110 §8.3 lets a recipient look at
// the data), as it always was; an empty body needs no type.
func requireMediaType(types []string, h Handler) Handler {
	return func(w http.ResponseWriter, r *http.Request, p core.Partner) {
		ct := r.Header.Get("Content-Type")
		if r.ContentLength == 0 || ct == "" {
			h(w, r, p)
			return
		}
		mt, params, err := mime.ParseMediaType(ct)
		charset, hasCharset := params["charset"]
		if err != nil || !slices.Contains(types, mt) || hasCharset && !strings.EqualFold(charset, "utf-8") {
			writeProblem(w, r, unsupportedMediaType(types, ct))
			return
		}
		h(w, r, p)
	}
}

// refuseBody guards an operation the OpenAPI document gives no request
// body (resuming a webhook subscription, rotating its secret): a body
// with anything in it is a 400 saying the operation takes none, before
// the Idempotency-Key is claimed, rather than read as nothing. An empty
// body, or an empty JSON object (which some clients send with every
// POST), says nothing and passes.
func refuseBody(pattern string, h Handler) Handler {
	return func(w http.ResponseWriter, r *http.Request, p core.Partner) {
		if r.ContentLength != 0 && r.Body != nil {
			body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, MaxBody))
			if err != nil {
				writeProblem(w, r, probTooLarge.problem(http.StatusRequestEntityTooLarge, pattern+" takes no body: send it empty"))
				return
			}
			if trimmed := bytes.TrimSpace(body); len(trimmed) > 0 && !emptyObject(trimmed) {
				detail := pattern + " takes no body: send it empty"
				writeProblem(w, r, probMalformed.problem(http.StatusBadRequest, detail))
				return
			}
			r.Body = io.NopCloser(bytes.NewReader(body))
		}
		h(w, r, p)
	}
}

// emptyObject reports whether b is a JSON object with no members.
func emptyObject(b []byte) bool {
	var m map[string]json.RawMessage
	return json.Unmarshal(b, &m) == nil && m != nil && len(m) == 0
}

func unsupportedMediaType(types []string, sent string) problem {
	detail := fmt.Sprintf("send the body as %s (with no charset, or charset=utf-8), not %s; see /api/v1/openapi.json",
		strings.Join(types, " or "), sent)
	return probMediaType.problem(http.StatusUnsupportedMediaType, detail).withErrors(fieldIssue{Field: "Content-Type", Detail: detail})
}
