package web

import (
	"net/http"

	"github.com/onward-network/onward/internal/allow"
)

// noRoute is the site's catch-all: a request whose address a route of
// mux serves with another method gets 405 with an Allow header naming
// those methods, as HTTP asks (RFC 9110 §15.5.6); anything else gets the
// site's 404 page. Nobody meets the 405 by following the site's links:
// it is for a webhook set to GET in a provider's console, or a script
// posting to a page, whose engineer needs to know the address is right
// and the method wrong. So it is plain words, not a page.
func (w *Web) noRoute(mux *http.ServeMux) http.HandlerFunc {
	return func(rw http.ResponseWriter, r *http.Request) {
		methods := allow.Methods(mux, r)
		if methods == "" {
			w.notFound(rw, r)
			return
		}
		rw.Header().Set("Allow", methods)
		http.Error(rw, "method not allowed: "+r.URL.Path+" answers "+methods+", not "+r.Method, http.StatusMethodNotAllowed)
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
