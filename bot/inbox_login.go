package bot

import (
	"errors"
	"net/http"
)

// loginPage answers the link from `/onward login` or `onward staff
// login-link`. It only shows a button: link checkers and Slack's unfurler
// fetch links with GET, and must not use up the single-use link.
func (b *Bot) loginPage(w http.ResponseWriter, r *http.Request) {
	tok := r.URL.Query().Get("token")
	if _, err := b.auth.verify(purposeLogin, tok); err != nil {
		b.loginRefused(w, err)
		return
	}
	b.renderPage(w, http.StatusOK, "login", page{Token: tok})
}

// login uses up the link and starts a session.
func (b *Bot) login(w http.ResponseWriter, r *http.Request) {
	tok := r.PostFormValue("token")
	cl, err := b.auth.verify(purposeLogin, tok)
	if err != nil {
		b.loginRefused(w, err)
		return
	}
	// Single use: fail closed if Redis cannot say whether it was used.
	fresh, err := b.rdb.SetNX(r.Context(), b.prefix+"bot:login-used:"+cl.ID, 1, loginLinkTTL).Result()
	if err != nil {
		b.log.Error("check login link use", "err", err)
		b.message(w, http.StatusServiceUnavailable, nil, "", sayWeb("web.signin.title", nil), sayWeb("web.signin.unavailable", nil))
		return
	}
	if !fresh {
		b.message(w, http.StatusGone, nil, "", sayWeb("web.signin.title", nil), sayWeb("web.signin.used", nil))
		return
	}
	st, err := b.engine.StaffByID(r.Context(), cl.Staff)
	if err != nil {
		b.loginRefused(w, errTokenInvalid)
		return
	}
	if err := b.setSession(w, st); err != nil {
		b.log.Error("start staff session", "err", err)
		http.Error(w, "could not sign you in", http.StatusInternalServerError)
		return
	}
	b.log.Info("staff signed in to the web inbox", "staff", st.ID)
	http.Redirect(w, r, "/staff/", http.StatusSeeOther)
}

func (b *Bot) loginRefused(w http.ResponseWriter, err error) {
	msg := sayWeb("web.signin.invalid", nil)
	if errors.Is(err, errTokenExpired) {
		msg = sayWeb("web.signin.expired", nil)
	}
	b.message(w, http.StatusBadRequest, nil, "", sayWeb("web.signin.title", nil), msg)
}

// logout ends the session.
func (b *Bot) logout(w http.ResponseWriter, r *http.Request, s session) {
	b.clearSession(w)
	b.message(w, http.StatusOK, nil, "", sayWeb("web.signout.title", nil), sayWeb("web.signout", nil))
}
