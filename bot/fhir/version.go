package fhir

import (
	"fmt"
	"net/http"
	"strconv"

	"github.com/onward-network/onward/bot/api"
	"github.com/onward-network/onward/core"
)

// versionHeaders sets what a Task's or ServiceRequest's answer says of
// its version in HTTP, as FHIR's http.html has a read answer: the ETag
// W/"<meta.versionId>", and Last-Modified, meta.lastUpdated (to the
// second, as HTTP dates are).
func versionHeaders(w http.ResponseWriter, ref core.Referral) {
	w.Header().Set("ETag", versionTag(ref))
	w.Header().Set("Last-Modified", ref.StatusAt.UTC().Format(http.TimeFormat))
}

// versionTag is a Task's or ServiceRequest's ETag, W/"<meta.versionId>".
func versionTag(ref core.Referral) string { return fmt.Sprintf(`W/"%d"`, ref.Version) }

// notModified answers a read whose If-None-Match names the current
// version 304 Not Modified, with the version headers and no body, and
// reports whether it did (api.NotModified compares).
func notModified(w http.ResponseWriter, r *http.Request, ref core.Referral) bool {
	if !api.NotModified(r, versionTag(ref)) {
		return false
	}
	versionHeaders(w, ref)
	w.WriteHeader(http.StatusNotModified)
	return true
}

// currentVersion reads the referral a Task or ServiceRequest read names
// (typ), as visibleReferral does. A vread (…/_history/{vid}) reads the
// same when vid is the current version; Onward keeps no other, so any
// other vid is a 404 saying so. On failure it has answered and ok is
// false.
func (s *Server) currentVersion(w http.ResponseWriter, r *http.Request, p core.Partner, typ string) (ref core.Referral, slugs map[core.AgencyID]string, ok bool) {
	ref, slugs, ok = s.visibleReferral(w, r, p, r.PathValue("id"))
	if !ok {
		return ref, slugs, false
	}
	if vid := r.PathValue("vid"); vid != "" && vid != strconv.Itoa(ref.Version) {
		outcome(w, http.StatusNotFound, "not-found", fmt.Sprintf("Onward keeps only the current version of a %s, and %s/%s is at version %d, not %q; "+
			"read it with GET /fhir/%s/%s", typ, typ, ref.Reference, ref.Version, vid, typ, ref.Reference), "")
		return ref, slugs, false
	}
	return ref, slugs, true
}
