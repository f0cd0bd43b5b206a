package web

import (
	"net/http"
)

// Fault pages: every failure a client can meet gets a page in plain words
// with the network's phone number, never a stack trace or a bare status.
// Kinds (the template switches on them): unavailable, too_large,
// form_expired, cross_origin, rate_limited, not_found, internal.

// faultData names the fault.
type faultData struct{ Kind string }

// fault renders the fault page of kind with status.
func (w *Web) fault(rw http.ResponseWriter, r *http.Request, status int, kind string) {
	p := w.page(r, nil)
	p.Data = faultData{Kind: kind}
	switch status {
	case http.StatusServiceUnavailable:
		rw.Header().Set("Retry-After", "60")
	}
	w.render(rw, r, status, "web/fault", p)
}

// unavailable is the page for Redis or Postgres not answering: try again
// or call. The error is logged without the request's answers.
func (w *Web) unavailable(rw http.ResponseWriter, r *http.Request, err error) {
	w.log.Error("web self-referral unavailable", "path", r.URL.Path, "err", err)
	w.fault(rw, r, http.StatusServiceUnavailable, "unavailable")
}

// notFound is the page for an address that does not exist.
func (w *Web) notFound(rw http.ResponseWriter, r *http.Request) {
	w.fault(rw, r, http.StatusNotFound, "not_found")
}

// crossOriginRefused answers a POST another site's page tried to make.
func (w *Web) crossOriginRefused(rw http.ResponseWriter, r *http.Request) {
	w.log.Warn("cross-origin form post refused", "path", r.URL.Path)
	w.fault(rw, r, http.StatusForbidden, "cross_origin")
}
