// Package allow says which methods a server's routes serve an address
// with, for the Allow header of a 405: the public site and the staff web
// each have a catch-all for addresses nobody serves, and both answer a
// wrong method the same way.
package allow

import (
	"net/http"
	"slices"
	"strings"
)

// probed are the methods an address is checked for: every method a route
// of the server is registered with.
var probed = []string{http.MethodGet, http.MethodHead, http.MethodPost, http.MethodPut,
	http.MethodPatch, http.MethodDelete, http.MethodOptions}

// Methods is the Allow header's value for r's address: the methods a
// route of mux serves it with ("GET, HEAD"), or "" when none does. A
// catch-all (a pattern without a method, such as "/" or "/staff/") serves
// no method: it is where an address nobody serves ends up.
func Methods(mux *http.ServeMux, r *http.Request) string {
	var allow []string
	probe := *r
	for _, m := range probed {
		probe.Method = m
		if _, pattern := mux.Handler(&probe); strings.Contains(pattern, " ") {
			allow = append(allow, m)
		}
	}
	slices.Sort(allow)
	return strings.Join(allow, ", ")
}
