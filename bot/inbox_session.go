package bot

import (
	"crypto/subtle"
	"errors"
	"net/http"

	"github.com/onward-network/onward/core"
)

// session is a signed-in member of staff.
type session struct {
	staff  core.Staff
	claims claims
	csrf   string
}

// staffHandler is an inbox handler for a signed-in member of staff.
type staffHandler func(w http.ResponseWriter, r *http.Request, s session)

// signedIn wraps a handler: no valid session, no page; a form post
// without the session's form token is refused.
func (b *Bot) signedIn(h staffHandler) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		s, err := b.session(r)
		if err != nil {
			b.message(w, http.StatusUnauthorized, nil, "", sayWeb("web.signin.title", nil), sayWeb("web.signin.needed", nil))
			return
		}
		if r.Method == http.MethodPost {
			if subtle.ConstantTimeCompare([]byte(r.PostFormValue("csrf")), []byte(s.csrf)) != 1 {
				b.message(w, http.StatusForbidden, &s.staff, s.csrf, sayWeb("web.csrf.title", nil), sayWeb("web.csrf", nil))
				return
			}
		}
		h(w, r, s)
	}
}

var errNoSession = errors.New("no session")

// session reads and checks the session cookie; staff who have since left
// are signed out.
func (b *Bot) session(r *http.Request) (session, error) {
	c, err := r.Cookie(sessionCookie)
	if err != nil {
		return session{}, errNoSession
	}
	cl, err := b.auth.verify(purposeSession, c.Value)
	if err != nil {
		return session{}, err
	}
	st, err := b.engine.StaffByID(r.Context(), cl.Staff)
	if err != nil {
		return session{}, err
	}
	return session{staff: st, claims: cl, csrf: b.auth.csrfToken(cl)}, nil
}

// setSession signs the member of staff in: HttpOnly, SameSite=Lax, and
// Secure everywhere but a developer's machine.
func (b *Bot) setSession(w http.ResponseWriter, st core.Staff) error {
	tok, _, err := b.auth.sign(purposeSession, st.ID, sessionTTL)
	if err != nil {
		return err
	}
	http.SetCookie(w, &http.Cookie{Name: sessionCookie, Value: tok, Path: "/staff", MaxAge: int(sessionTTL.Seconds()),
		HttpOnly: true, Secure: !b.cfg.Dev(), SameSite: http.SameSiteLaxMode})
	return nil
}

func (b *Bot) clearSession(w http.ResponseWriter) {
	http.SetCookie(w, &http.Cookie{Name: sessionCookie, Value: "", Path: "/staff", MaxAge: -1,
		HttpOnly: true, Secure: !b.cfg.Dev(), SameSite: http.SameSiteLaxMode})
}
