package api

import (
	"encoding/json"
	"fmt"
	"mime"
	"net/http"
	"slices"
	"strings"

	"github.com/onward-network/onward/core"
)

// requestMediaTypes reads, from the OpenAPI document, the media types each
// operation's request body may have, by ServeMux pattern ("POST
// /api/v1/referrals"). The document is the one list: an operation takes
// what its requestBody names, and one without a requestBody reads no body.
func requestMediaTypes(doc []byte) (map[string][]string, error) {
	var d struct {
		Paths map[string]map[string]struct {
			RequestBody *struct {
				Content map[string]json.RawMessage `json:"content"`
			} `json:"requestBody"`
		} `json:"paths"`
	}
	if err := json.Unmarshal(doc, &d); err != nil {
		return nil, err
	}
	out := map[string][]string{}
	for path, ops := range d.Paths {
		for method, op := range ops {
			if op.RequestBody == nil {
				continue
			}
			var types []string
			for t := range op.RequestBody.Content {
				types = append(types, t)
			}
			slices.Sort(types)
			out[strings.ToUpper(method)+" "+path] = types
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

func unsupportedMediaType(types []string, sent string) problem {
	detail := fmt.Sprintf("send the body as %s (with no charset, or charset=utf-8), not %s; see /api/v1/openapi.json",
		strings.Join(types, " or "), sent)
	return problem{Type: problemBase + "media-type", Status: http.StatusUnsupportedMediaType, Title: "Unsupported media type",
		Detail: detail, Errors: []fieldIssue{{Field: "Content-Type", Detail: detail}}}
}
