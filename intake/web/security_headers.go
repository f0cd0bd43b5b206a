package web

import (
	"net/http"
)

// contentSecurityPolicy allows only our own stylesheet: no script at all
// (the form works without JavaScript), no inline style, no framing, and
// forms that post only to us.
const contentSecurityPolicy = "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; " +
	"frame-ancestors 'none'; base-uri 'none'"

// permissionsPolicy turns off browser features no page here uses.
const permissionsPolicy = "accelerometer=(), camera=(), geolocation=(), gyroscope=(), magnetometer=(), " +
	"microphone=(), payment=(), usb=(), interest-cohort=()"

// referrerPolicy tells no other site which page a client came from (the
// addresses name a leaflet, a service, a search), yet lets our own form
// posts carry their Origin. Under the Fetch standard ("append a request
// Origin header") a POST from a page with "no-referrer" is sent with
// "Origin: null"; Safari before 16.4, which sends no Sec-Fetch-Site, was
// then refused by every form (crossOrigin).
const referrerPolicy = "same-origin"

// securityHeaders sets the headers every public page carries.
func (w *Web) securityHeaders(next http.Handler) http.Handler {
	return http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
		h := rw.Header()
		h.Set("Content-Security-Policy", contentSecurityPolicy)
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("Referrer-Policy", referrerPolicy)
		h.Set("X-Frame-Options", "DENY")
		h.Set("Permissions-Policy", permissionsPolicy)
		h.Set("Cross-Origin-Opener-Policy", "same-origin")
		h.Set("Cross-Origin-Resource-Policy", "same-origin")
		if w.cfg.Secure {
			h.Set("Strict-Transport-Security", "max-age=31536000; includeSubDomains")
		}
		next.ServeHTTP(rw, r)
	})
}

// protect wraps a public handler in every protection, outermost first:
// security headers, a friendly page for a panic, the per-IP rate limit,
// and refusal of cross-origin POSTs; then it remembers a language chosen
// with ?lang= (rememberLang), on every page alike.
func (w *Web) protect(h http.HandlerFunc) http.Handler {
	return w.securityHeaders(w.recoverPanic(w.rateLimit(w.crossOrigin(w.rememberLang(h)))))
}

// recoverPanic turns a panic into the fault page; the panic value is not
// logged because it may hold a client's answers.
func (w *Web) recoverPanic(next http.Handler) http.Handler {
	return http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
		defer func() {
			if v := recover(); v != nil {
				if v == http.ErrAbortHandler {
					panic(v)
				}
				w.log.Error("web page panicked", "path", r.URL.Path)
				w.fault(rw, r, http.StatusInternalServerError, "internal")
			}
		}()
		next.ServeHTTP(rw, r)
	})
}
