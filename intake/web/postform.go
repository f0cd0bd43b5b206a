package web

import "net/http"

// readForm reads a posted form of at most maxFormBytes; when it cannot,
// it has answered and returns false.
func (w *Web) readForm(rw http.ResponseWriter, r *http.Request) bool {
	r.Body = http.MaxBytesReader(rw, r.Body, maxFormBytes)
	if err := r.ParseForm(); err != nil {
		w.fault(rw, r, http.StatusRequestEntityTooLarge, "too_large")
		return false
	}
	return true
}

// readSessionForm reads a posted form that must carry its session s's
// form token; when it cannot, or the token is wrong, it has answered and
// returns false.
func (w *Web) readSessionForm(rw http.ResponseWriter, r *http.Request, s *webSession) bool {
	if !w.readForm(rw, r) {
		return false
	}
	if !tokenEqual(r.PostForm.Get(fieldCSRF), s.CSRF) {
		w.formExpired(rw, r, s)
		return false
	}
	return true
}
