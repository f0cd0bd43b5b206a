package web

import (
	"crypto/subtle"
)

// Two locks on every POST: Go's http.CrossOriginProtection (in protect)
// refuses requests a browser marks as coming from another site, and the
// session's CSRF token (checked in session) must come back in the form,
// which covers old browsers that send neither Sec-Fetch-Site nor Origin.

// tokenEqual compares a submitted token with the session's in constant
// time; an empty token never matches.
func tokenEqual(got, want string) bool {
	if got == "" || want == "" {
		return false
	}
	return subtle.ConstantTimeCompare([]byte(got), []byte(want)) == 1
}
