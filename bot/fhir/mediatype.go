package fhir

import (
	"mime"
	"net/http"
	"slices"
	"strconv"
	"strings"

	"github.com/onward-network/onward/bot/api"
	"github.com/onward-network/onward/core"
)

// jsonTypes are the media types Onward reads and writes FHIR in: FHIR's
// own JSON type and plain JSON, which FHIR R4 (http.html#mime-type) lets
// a server take as the same thing. Onward speaks no XML or RDF.
var jsonTypes = []string{ContentType, "application/json"}

// fhirVersions are the values of the fhirVersion media type parameter
// (FHIR R4 http.html#version-parameter) naming R4, the one version Onward
// speaks.
var fhirVersions = []string{"4.0", "4.0.1"}

// formatNames are the _format values naming JSON (FHIR R4
// http.html#mime-type: json, or one of the JSON media types).
var formatNames = []string{"json", ContentType, "application/json"}

// requireJSON refuses, with 415 and an OperationOutcome, a body that is
// not sent as FHIR JSON (FHIR R4 http.html: a server SHOULD answer 415 to
// a Content-Type it does not support), as the JSON API refuses text/plain
// and form bodies: a text/plain or form body is never read as a Task or a
// Bundle. FHIR's clients SHALL send the Content-Type, so one without is
// refused too. A charset, if any, is utf-8 (JSON is UTF-8), and a
// fhirVersion, if any, R4's. Nothing is read, kept or written first.
func requireJSON(h api.Handler) api.Handler {
	return func(w http.ResponseWriter, r *http.Request, p core.Partner) {
		ct := r.Header.Get("Content-Type")
		mt, params, err := mime.ParseMediaType(ct)
		charset, hasCharset := params["charset"]
		version, hasVersion := params["fhirversion"] // ParseMediaType lowers parameter names
		if ct == "" || err != nil || !slices.Contains(jsonTypes, mt) ||
			hasCharset && !strings.EqualFold(charset, "utf-8") || hasVersion && !slices.Contains(fhirVersions, version) {
			sent := "; this request has no Content-Type"
			if ct != "" {
				sent = ", not " + strconv.Quote(ct)
			}
			outcome(w, http.StatusUnsupportedMediaType, "not-supported",
				"send the body as "+ContentType+" (or application/json; with no charset, or charset=utf-8)"+sent, "Content-Type")
			return
		}
		h(w, r, p)
	}
}

// acceptable answers 406 Not Acceptable, with an OperationOutcome (in
// JSON, the one format Onward has), when the request asks for a format
// other than JSON (FHIR R4 http.html#mime-type: a server that cannot give
// the format asked for SHOULD answer 406, not another format): _format,
// which overrides Accept, names another format, or Accept names no JSON
// type and no wildcard that covers one.
func acceptable(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if f, ok := r.URL.Query()["_format"]; ok {
			for _, v := range f {
				// A "+" left unescaped in the query (_format=application/fhir+json)
				// arrives as a space.
				mt := strings.TrimSpace(strings.ReplaceAll(v, " ", "+"))
				if parsed, _, err := mime.ParseMediaType(mt); err == nil {
					mt = parsed
				}
				if !slices.Contains(formatNames, strings.ToLower(mt)) {
					outcome(w, http.StatusNotAcceptable, "not-supported",
						"Onward gives FHIR in JSON only: _format "+strconv.Quote(v)+" cannot be served; use _format=json or leave it out (see /fhir/metadata)", "_format")
					return
				}
			}
		} else if accept := r.Header.Values("Accept"); strings.TrimSpace(strings.Join(accept, "")) != "" {
			if ok, version := acceptsJSON(accept); !ok && version != "" {
				outcome(w, http.StatusNotAcceptable, "not-supported",
					"Onward gives FHIR R4 only: Accept "+strconv.Quote(strings.Join(accept, ", "))+" asks for FHIR version "+strconv.Quote(version)+
						"; accept "+ContentType+" with fhirVersion=4.0, or no fhirVersion (see /fhir/metadata)", "")
				return
			} else if !ok {
				outcome(w, http.StatusNotAcceptable, "not-supported",
					"Onward gives FHIR in JSON only: Accept "+strconv.Quote(strings.Join(accept, ", "))+" names no JSON type; accept "+ContentType+" (see /fhir/metadata)", "")
				return
			}
		}
		h.ServeHTTP(w, r)
	})
}

// acceptsJSON reports whether Accept headers take FHIR JSON: a media range
// that is one of the JSON types, application/*, or */*, with a q above 0
// and, if it names a fhirVersion, R4's. When they do not, but a range
// would have but for its fhirVersion, otherVersion is that version, so
// the refusal can name what was really wrong.
func acceptsJSON(headers []string) (ok bool, otherVersion string) {
	for _, h := range headers {
		for part := range strings.SplitSeq(h, ",") {
			if strings.TrimSpace(part) == "" {
				continue
			}
			mt, params, err := mime.ParseMediaType(part)
			if err != nil {
				continue
			}
			if q, ok := params["q"]; ok {
				if f, err := strconv.ParseFloat(q, 64); err != nil || f <= 0 {
					continue
				}
			}
			if !slices.Contains(jsonTypes, mt) && mt != "application/*" && mt != "*/*" {
				continue
			}
			if v, ok := params["fhirversion"]; ok && !slices.Contains(fhirVersions, v) {
				otherVersion = v
				continue
			}
			return true, ""
		}
	}
	return false, otherVersion
}
