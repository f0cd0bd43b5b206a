package bot

import (
	"net/http"

	"github.com/onward-network/onward/internal/allow"
)

// staffNoRoute is the staff web's catch-all, for an address under
// /staff/ that no route serves: a member of staff who mistypes one, or
// follows a link from an old email, gets the staff web's own page saying
// there is nothing there, with the staff menu to go on from, not the
// public site's page for clients; a visitor not signed in is asked to
// sign in first, as on every staff page, so the staff web says nothing of
// its addresses to anyone else. An address a route serves with another
// method gets 405 naming those methods, as on the public site (its
// noRoute): it is for a script, not a person.
func (b *Bot) staffNoRoute(mux *http.ServeMux) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if methods := allow.Methods(mux, r); methods != "" {
			w.Header().Set("Allow", methods)
			http.Error(w, "method not allowed: "+r.URL.Path+" answers "+methods+", not "+r.Method, http.StatusMethodNotAllowed)
			return
		}
		// Nothing is done here, so a form posted to such an address is
		// answered like a page opened there: no form token is asked for.
		s, ok := b.sessionOrSignIn(w, r)
		if !ok {
			return
		}
		b.message(w, http.StatusNotFound, &s.staff, s.csrf, sayWeb("web.notfound.title", nil), sayWeb("web.notfound.page", nil))
	}
}
