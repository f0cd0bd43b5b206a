package bot

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"html/template"
	"math"
	"net/http"
	"net/mail"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/go-redis/redis_rate/v10"

	"github.com/onward-network/onward/core"
	"github.com/onward-network/onward/templates"
)

// Sign-in limits: per address and per source IP, counted before the
// address is looked up, so a known and an unknown address are limited
// alike and the answer says nothing about which it was.
var (
	signInPerAddress = redis_rate.Limit{Rate: 5, Burst: 5, Period: 15 * time.Minute}
	signInPerIP      = redis_rate.Limit{Rate: 30, Burst: 30, Period: 15 * time.Minute}
)

// loginPages are the sign-in pages of this file, parsed once with the
// staff layout.
var loginPages = sync.OnceValue(func() map[string]*template.Template {
	out := map[string]*template.Template{}
	for _, name := range []string{"login_email", "settings_email"} {
		out[name] = template.Must(template.New(name).Funcs(htmlFuncs).ParseFS(templates.FS,
			"html/staff/layout.html", "html/staff/card.html", "html/staff/"+name+".html"))
	}
	return out
})

// loginEmailPage is the sign-in page: the email form, or what follows it.
type loginEmailPage struct {
	page
	Email     string
	Sent      bool
	Needed    bool // shown in place of a page that needs a session
	Returning bool // that page is remembered, to return to after signing in
	// Ended: a form was sent without a session (it ended, or was never
	// there), so nothing it held was saved. BackTo names the referral
	// it was about, when it was about one.
	Ended  bool
	BackTo string
	// Typed is the free text the form held, shown back to copy
	// (typedFreeText).
	Typed []typedText
	// Kept says, in words, that the form is kept for its member of staff
	// to find filled in after signing in here (keepForm); "" when not.
	Kept string
	// Notice is why a sign-in link did not sign in (used, expired, not
	// valid), shown above the form to ask for a new one.
	Notice string
	Slack  bool // Slack is configured: signing in there is offered too
}

// nextCookie remembers, for an hour, the staff page someone opened before
// signing in (an email's link to a referral, say), so signing in lands
// there rather than on the inbox.
const nextCookie = "onward_staff_next"

// signInPage is the sign-in page with nothing yet typed. With email off
// (config.MailOff) it says so above the form, before anyone asks for a
// link that would never come.
func (b *Bot) signInPage() loginEmailPage {
	p := loginEmailPage{page: page{Title: sayWeb("web.signin.title", nil)}, Slack: b.cfg.SlackEnabled()}
	if b.cfg.MailOff() {
		p.Notice = b.signInEmailOff()
	}
	return p
}

// signInEmailOff says sign-in by email is not set up on this server, and
// what to do instead.
func (b *Bot) signInEmailOff() string {
	return sayWeb("web.signin.email.off", map[string]any{"Slack": b.cfg.SlackEnabled()})
}

// askToSignIn answers a staff page opened without a session with the
// sign-in form, and remembers the page to return to after signing in. A
// form sent without a session is answered plainly: nothing was saved, and
// signing in returns to the page the form was on. A referral page's form,
// and the refer form, is kept, sealed, for its writer to find after
// signing in, on the page it comes back on (keepForm); the free text of
// any form is shown back to copy, in case it cannot come back. Nothing
// it held is put in a cookie or an address.
func (b *Bot) askToSignIn(w http.ResponseWriter, r *http.Request) {
	p := b.signInPage()
	p.Needed = true
	next := r.URL.RequestURI()
	if r.Method != http.MethodGet {
		p.Ended, p.Typed = true, typedFreeText(r)
		next, p.BackTo = formPage(r.URL.Path)
		if k, ok := b.keepForm(w, r); ok {
			next = k.Page
			// The refer form always comes back filled in: the client's
			// details or needs at least; a referral's form when it held
			// words of its own.
			filled := len(p.Typed) > 0 || k.Path == referPath
			p.Kept = sayWeb("web.kept.ended", map[string]any{"Filled": filled, "Typed": len(p.Typed) > 0})
		}
	}
	if returnPath(next) {
		http.SetCookie(w, &http.Cookie{Name: nextCookie, Value: url.QueryEscape(next), Path: "/staff", MaxAge: 3600,
			HttpOnly: true, Secure: !b.cfg.Dev(), SameSite: http.SameSiteLaxMode})
		p.Returning = true
	}
	b.writeLayout(w, http.StatusUnauthorized, loginPages()["login_email"], "login_email", p)
}

// formPage is the page a staff form posted to path is on, to return to
// after signing in, and the reference of the referral it is about, if
// any. Forms post to their own page's address or, for an action on one
// thing of a list or a referral ({id}/{action}), below it.
func formPage(path string) (page, reference string) {
	parts := strings.Split(strings.TrimPrefix(path, "/staff/"), "/")
	switch {
	case len(parts) >= 2 && parts[0] == "referrals":
		if ref := strings.ToUpper(parts[1]); referenceLike(ref) {
			reference = ref
		}
		if len(parts) == 3 && (parts[2] == "withdraw" || parts[2] == "erase") {
			return path, reference // these forms have a page of their own
		}
		return "/staff/referrals/" + parts[1], reference
	case len(parts) == 4 && parts[0] == "directory": // services/{id}/referable
		return "/staff/" + strings.Join(parts[:3], "/"), ""
	case len(parts) == 3 && parts[0] == "partners", len(parts) == 4 && parts[0] == "admin":
		return "/staff/" + strings.Join(parts[:len(parts)-2], "/"), ""
	case parts[0] == "capacity", parts[0] == "logout":
		return "/staff/", ""
	case len(parts) == 3 && parts[0] == "settings" && parts[1] == "sessions": // sessions/end
		return "/staff/settings/email", ""
	}
	return path, ""
}

// referenceLike reports whether s reads as a referral's reference, to be
// named on the sign-in page: ONW- and a few letters and digits.
func referenceLike(s string) bool {
	code, ok := strings.CutPrefix(s, "ONW-")
	return ok && code != "" && len(code) <= 12 && !strings.ContainsFunc(code, func(c rune) bool {
		return (c < '0' || c > '9') && (c < 'A' || c > 'Z')
	})
}

// returnPath reports whether p may be returned to after signing in: a
// staff page on this site, never the sign-in pages themselves.
func returnPath(p string) bool {
	return strings.HasPrefix(p, "/staff/") && !strings.HasPrefix(p, "/staff/login") && !strings.HasPrefix(p, "/staff/logout") &&
		!strings.ContainsAny(p, "\\\x00\r\n") && !strings.Contains(p, "//") && len(p) <= 1024
}

// afterSignIn is where a fresh session goes: the page remembered by
// askToSignIn, once, else the page the sign-in link names (next, posted
// from the link's page), else the inbox.
func (b *Bot) afterSignIn(w http.ResponseWriter, r *http.Request) string {
	if next := b.rememberedPage(r); next != "" {
		http.SetCookie(w, &http.Cookie{Name: nextCookie, Value: "", Path: "/staff", MaxAge: -1,
			HttpOnly: true, Secure: !b.cfg.Dev(), SameSite: http.SameSiteLaxMode})
		return next
	}
	if next := r.PostFormValue("next"); returnPath(next) {
		return next
	}
	return "/staff/"
}

// rememberedPage is the page askToSignIn remembered in this browser, ""
// for none.
func (b *Bot) rememberedPage(r *http.Request) string {
	c, err := r.Cookie(nextCookie)
	if err != nil {
		return ""
	}
	next, err := url.QueryUnescape(c.Value)
	if err != nil || !returnPath(next) {
		return ""
	}
	return next
}

// loginPage answers /staff/login. Without a token it asks for an email
// address; with the token of a link it only shows a button: link checkers
// and Slack's unfurler fetch links with GET, and must not use up the
// single-use link.
func (b *Bot) loginPage(w http.ResponseWriter, r *http.Request) {
	if !r.URL.Query().Has("token") {
		b.writeLayout(w, http.StatusOK, loginPages()["login_email"], "login_email", b.signInPage())
		return
	}
	tok := r.URL.Query().Get("token")
	if _, err := b.auth.verify(purposeLogin, tok); err != nil {
		b.loginRefused(w, err)
		return
	}
	p := page{Token: tok}
	if next := r.URL.Query().Get("next"); returnPath(next) {
		p.Next = next
	}
	b.renderPage(w, http.StatusOK, "login", p)
}

// login uses up a link and starts a session, or, given an email address,
// sends a sign-in link to it.
func (b *Bot) login(w http.ResponseWriter, r *http.Request) {
	if r.PostFormValue("token") == "" {
		b.loginByEmail(w, r)
		return
	}
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
		// A double click on Continue, or the page sent again: the first
		// press signed its person in, so they go on, not to an error.
		if s, err := b.session(r); err == nil && s.staff.ID == cl.Staff {
			http.Redirect(w, r, b.afterSignIn(w, r), http.StatusSeeOther)
			return
		}
		b.askForNewLink(w, http.StatusGone, sayWeb("web.signin.used", nil))
		return
	}
	st, err := b.engine.StaffByID(r.Context(), cl.Staff)
	if err != nil {
		if a, lerr := b.engine.LeftWithAgency(r.Context(), cl.Staff); lerr == nil {
			// The link was theirs: say why it no longer signs them in.
			b.message(w, http.StatusForbidden, nil, "", "You can no longer sign in",
				a.Name+" has left the network, so its staff can no longer sign in to Onward. "+
					"If you now work for another agency in the network, ask its coordinators to add you.")
			return
		}
		b.loginRefused(w, errTokenInvalid)
		return
	}
	if err := b.setSession(r.Context(), w, st, r.UserAgent()); err != nil {
		b.log.Error("start staff session", "err", err)
		http.Error(w, "could not sign you in", http.StatusInternalServerError)
		return
	}
	b.keptFormSignedIn(r.Context(), w, r, st)
	b.log.Info("staff signed in to the web inbox", "staff", st.ID)
	http.Redirect(w, r, b.afterSignIn(w, r), http.StatusSeeOther)
}

// loginByEmail sends a sign-in link to an active member of staff. Every
// address that reads as one gets the same page, at the same speed: the
// lookup and the email happen after the answer, so neither the words nor
// the timing say whether the address belongs to anyone.
func (b *Bot) loginByEmail(w http.ResponseWriter, r *http.Request) {
	if b.cfg.MailOff() {
		// No email can leave this server: promise none, whoever asks.
		b.message(w, http.StatusServiceUnavailable, nil, "", sayWeb("web.signin.title", nil), b.signInEmailOff())
		return
	}
	raw := strings.TrimSpace(r.PostFormValue("email"))
	p := b.signInPage()
	p.Email = raw
	// One summary of the problem, above the form, and the same words at
	// the field: never the layout's own summary as well (page.Error).
	addr, err := mail.ParseAddress(raw)
	if raw == "" || len(raw) > 320 || err != nil || addr.Name != "" {
		msg := sayWeb("web.signin.email.invalid", nil)
		p.Errors, p.Fields = []fieldProblem{{Field: "email", Message: msg}}, map[string]string{"email": msg}
		b.writeLayout(w, http.StatusBadRequest, loginPages()["login_email"], "login_email", p)
		return
	}
	email := strings.ToLower(addr.Address)
	if wait, err := b.signInAllowed(r, email); err != nil {
		b.log.Error("sign-in rate limit", "err", err)
		b.message(w, http.StatusServiceUnavailable, nil, "", sayWeb("web.signin.title", nil), sayWeb("web.signin.unavailable", nil))
		return
	} else if wait > 0 {
		p.Errors = []fieldProblem{{Field: "email", Message: sayWeb("web.signin.email.limited", map[string]any{"Minutes": int(math.Ceil(wait.Minutes()))})}}
		b.writeLayout(w, http.StatusTooManyRequests, loginPages()["login_email"], "login_email", p)
		return
	}
	next := b.rememberedPage(r)
	b.async("sign-in email", func(ctx context.Context) { b.sendSignInLink(ctx, email, next) })
	p.Sent = true
	b.writeLayout(w, http.StatusOK, loginPages()["login_email"], "login_email", p)
}

// signInAllowed counts one request against the address's and the source
// IP's limits, and says how long to wait when either is used up.
func (b *Bot) signInAllowed(r *http.Request, email string) (time.Duration, error) {
	proxies, err := b.cfg.Proxies()
	if err != nil {
		return 0, err
	}
	ip := core.ClientNetwork(r.RemoteAddr, r.Header.Values("X-Forwarded-For"), proxies)
	h := sha256.Sum256([]byte(b.cfg.SessionSecret + "\x00" + email))
	lim := redis_rate.NewLimiter(b.rdb)
	wait := time.Duration(0)
	for _, c := range []struct {
		key   string
		limit redis_rate.Limit
	}{{b.prefix + "bot:signin:addr:" + hex.EncodeToString(h[:12]), signInPerAddress}, {b.prefix + "bot:signin:ip:" + ip, signInPerIP}} {
		res, err := lim.Allow(r.Context(), c.key, c.limit)
		if err != nil {
			return 0, err
		}
		if res.Allowed == 0 {
			wait = max(wait, res.RetryAfter)
		}
	}
	return wait, nil
}

// sendSignInLink queues a sign-in email to the active member of staff
// with that address, its link returning to the page next; for any other
// address it does nothing.
func (b *Bot) sendSignInLink(ctx context.Context, email, next string) {
	st, err := b.engine.StaffByEmail(ctx, email)
	if errors.Is(err, core.ErrNotFound) {
		return
	}
	if err != nil {
		b.log.Error("sign-in by email: find staff", "err", err)
		return
	}
	link, jti, err := b.auth.loginLinkWithID(st, next)
	if err != nil {
		b.log.Error("sign-in by email: make link", "err", err)
		return
	}
	if err := b.engine.QueueSignInEmail(ctx, st.ID, link, jti); err != nil {
		b.log.Error("sign-in by email: queue email", "staff", st.ID, "err", err)
		return
	}
	// Queued: the outbox worker sends it, and records there whether it went.
	b.log.Info("sign-in email queued", "staff", st.ID)
}

func (b *Bot) loginRefused(w http.ResponseWriter, err error) {
	msg := sayWeb("web.signin.invalid", nil)
	if errors.Is(err, errTokenExpired) {
		msg = sayWeb("web.signin.expired", nil)
	}
	b.askForNewLink(w, http.StatusBadRequest, msg)
}

// askForNewLink answers a sign-in link that cannot sign in (used,
// expired, not valid) with why, and the form to ask for a new one.
func (b *Bot) askForNewLink(w http.ResponseWriter, status int, notice string) {
	p := b.signInPage()
	p.Notice = notice
	b.writeLayout(w, status, loginPages()["login_email"], "login_email", p)
}

// logout ends the session on the server and forgets the cookie.
func (b *Bot) logout(w http.ResponseWriter, r *http.Request, s session) {
	b.endSession(r.Context(), s.staff.ID, s.claims.ID)
	b.clearSession(w)
	b.message(w, http.StatusOK, nil, "", sayWeb("web.signout.title", nil), sayWeb("web.signout", nil))
}
