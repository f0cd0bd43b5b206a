package web

import (
	"net/http"
	"slices"
	"strings"
)

// probedMethods are the methods an address is checked for when a request
// reaches a catch-all: every method a route of the server is registered
// with.
var probedMethods = []string{http.MethodGet, http.MethodHead, http.MethodPost, http.MethodPut,
	http.MethodPatch, http.MethodDelete, http.MethodOptions}

// allowedMethods is the Allow header's value for r's address: the methods
// a route of mux serves it with ("GET, HEAD"), or "" when none does. A
// catch-all (a pattern without a method, such as "/") serves no method:
// it is where an address nobody serves ends up.
func allowedMethods(mux *http.ServeMux, r *http.Request) string {
	var allow []string
	probe := *r
	for _, m := range probedMethods {
		probe.Method = m
		if _, pattern := mux.Handler(&probe); strings.Contains(pattern, " ") {
			allow = append(allow, m)
		}
	}
	slices.Sort(allow)
	return strings.Join(allow, ", ")
}

// noRoute is the site's catch-all: a request whose address a route of
// mux serves with another method gets 405 with an Allow header naming
// those methods, as HTTP asks (RFC 9110 §15.5.6); anything else gets the
// site's 404 page. Nobody meets the 405 by following the site's links:
// it is for a webhook set to GET in a provider's console, or a script
// posting to a page, whose engineer needs to know the address is right
// and the method wrong. So it is plain words, not a page.
func (w *Web) noRoute(mux *http.ServeMux) http.HandlerFunc {
	return func(rw http.ResponseWriter, r *http.Request) {
		allow := allowedMethods(mux, r)
		if allow == "" {
			w.notFound(rw, r)
			return
		}
		rw.Header().Set("Allow", allow)
		http.Error(rw, "method not allowed: "+r.URL.Path+" answers "+allow+", not "+r.Method, http.StatusMethodNotAllowed)
	}
}

// home is the site's root: the page for asking for advice, which is what
// somebody typing the network's address from a leaflet has come for. The
// query (a chosen language) goes with it.
func (w *Web) home(rw http.ResponseWriter, r *http.Request) {
	to := "/refer"
	if r.URL.RawQuery != "" {
		to += "?" + r.URL.RawQuery
	}
	http.Redirect(rw, r, to, http.StatusFound)
}
