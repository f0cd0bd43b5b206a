package web

import (
	"crypto/subtle"
	"net/http"
)

// Two locks on every POST: Go's http.CrossOriginProtection (in
// crossOrigin) refuses requests a browser marks as coming from another
// site, and the session's CSRF token (checked in session) must come back
// in the form, which covers old browsers that send neither Sec-Fetch-Site
// nor Origin.

// crossOrigin refuses POSTs from other sites (w.cop), with one exception:
// a POST whose Origin is "null" and which carries no Sec-Fetch-Site is let
// through when it brings back its session's form token. That is what an
// older browser without Sec-Fetch-Site (Safari before 16.4) sends from our
// own page when the page's referrer policy hides its origin (a page cached
// from before referrerPolicy, a privacy setting or extension). An opaque
// origin says nothing either way, and the token, which another site
// cannot read, is the real defence; so the posts that have no token to
// bring (the directory's search and "text me this service") are refused
// as before, and so is a null Origin that comes with Sec-Fetch-Site
// cross-site (a sandboxed frame on another site).
func (w *Web) crossOrigin(next http.Handler) http.Handler {
	guarded := w.cop.Handler(next)
	return http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodPost || r.Header.Get("Sec-Fetch-Site") != "" || r.Header.Get("Origin") != "null" {
			guarded.ServeHTTP(rw, r)
			return
		}
		s := w.sessionIfAny(r)
		if s == nil {
			w.crossOriginRefused(rw, r)
			return
		}
		if !w.readForm(rw, r) {
			return
		}
		if !tokenEqual(r.PostForm.Get(fieldCSRF), s.CSRF) {
			w.crossOriginRefused(rw, r)
			return
		}
		next.ServeHTTP(rw, r) // the handler reads the form parsed here, and checks the token again
	})
}

// tokenEqual compares a submitted token with the session's in constant
// time; an empty token never matches.
func tokenEqual(got, want string) bool {
	if got == "" || want == "" {
		return false
	}
	return subtle.ConstantTimeCompare([]byte(got), []byte(want)) == 1
}
