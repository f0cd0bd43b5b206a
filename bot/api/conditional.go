package api

import (
	"net/http"
	"strings"
)

// NotModified reports whether a read's If-None-Match names etag, the
// current version's tag, so the caller's copy is current and the answer
// is 304 Not Modified with the ETag and no body (RFC 9110 §13.1.2). The
// comparison is weak, as the RFC has it for If-None-Match: W/"3" and "3"
// name the same version, so a FHIR client sending back the W/ tag it got,
// or a proxy that weakened it, is answered the same. The header may list
// several tags, or be *. The JSON API and FHIR reads both use it.
func NotModified(r *http.Request, etag string) bool {
	want := strings.TrimPrefix(etag, "W/")
	for _, h := range r.Header.Values("If-None-Match") {
		for _, tag := range strings.Split(h, ",") {
			tag = strings.TrimSpace(tag)
			if tag == "*" || tag != "" && strings.TrimPrefix(tag, "W/") == want {
				return true
			}
		}
	}
	return false
}
