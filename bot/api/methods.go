package api

import (
	"fmt"
	"net/http"
	"slices"
	"strings"
)

// Refuse405 answers a call with a method its path does not answer, in the
// caller's format; allow is the Allow header's value (such as "GET, HEAD").
type Refuse405 func(w http.ResponseWriter, r *http.Request, allow string)

// HandleOtherMethods gives every path among patterns (ServeMux patterns
// of the form "METHOD /path") a handler for the methods it does not
// answer: 405 with an Allow header naming those it does, as HTTP asks
// (RFC 9110 §15.5.6), rather than the catch-all's 404, which would tell a
// partner the operation is not there at all. A path that answers GET
// answers HEAD too (ServeMux serves HEAD with the GET handler).
func HandleOtherMethods(mux *http.ServeMux, patterns []string, refuse Refuse405) {
	methods := map[string][]string{}
	var paths []string
	for _, p := range patterns {
		method, path, ok := strings.Cut(p, " ")
		if !ok {
			panic(fmt.Sprintf("api: pattern %q names no method", p))
		}
		if _, seen := methods[path]; !seen {
			paths = append(paths, path)
		}
		methods[path] = append(methods[path], method)
		if method == http.MethodGet {
			methods[path] = append(methods[path], http.MethodHead)
		}
	}
	for _, path := range paths {
		ms := methods[path]
		slices.Sort(ms)
		allow := strings.Join(slices.Compact(ms), ", ")
		mux.HandleFunc(path, func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Allow", allow)
			refuse(w, r, allow)
		})
	}
}

// refuseMethod answers a call with another method in the API's own
// format, an RFC 9457 problem.
func refuseMethod(w http.ResponseWriter, r *http.Request, allow string) {
	writeProblem(w, r, problem{Status: http.StatusMethodNotAllowed, Title: "Method not allowed",
		Detail: r.URL.Path + " answers " + allow + ", not " + r.Method + "; see /api/v1/openapi.json"})
}

// refuseTokenMethod answers a call to the token endpoint with another
// method than POST, as the token endpoint answers every error (RFC 6749
// §5.2).
func refuseTokenMethod(w http.ResponseWriter, r *http.Request, allow string) {
	tokenError(w, http.StatusMethodNotAllowed, "invalid_request",
		"the token endpoint answers "+allow+", not "+r.Method)
}
