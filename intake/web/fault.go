package web

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"net/url"
	"strings"

	"github.com/onward-network/onward/core"
)

// Fault pages: every failure a client can meet gets a page in plain words
// with the network's phone number, never a stack trace or a bare status.
// Kinds (the template switches on them): unavailable, too_large,
// form_expired, cross_origin, rate_limited, not_found, unreadable,
// internal.

// faultData names the fault.
type faultData struct {
	Kind string
	// On the form_expired page: Kept says whether the client's answers so
	// far are still saved (the page said so always, even when they were
	// gone), and Again is the page to carry on from.
	Kept  bool
	Again string
}

// fault renders the fault page of kind with status.
func (w *Web) fault(rw http.ResponseWriter, r *http.Request, status int, kind string) {
	w.faultFor(rw, r, nil, status, kind)
}

// faultFor is fault for a client whose session is s (nil for none): the
// page is in the language a form page would be (requestLang), and its
// links keep it.
func (w *Web) faultFor(rw http.ResponseWriter, r *http.Request, s *webSession, status int, kind string) {
	p := w.page(r, s)
	p.CSRF = ""
	p.Data = faultData{Kind: kind}
	switch status {
	case http.StatusServiceUnavailable:
		rw.Header().Set("Retry-After", "60")
	}
	w.render(rw, r, status, "web/fault", p)
}

// formExpired answers a form posted with a token its session does not
// hold: the page outlived its session (or the session behind it was
// cleared). s is the session the request has now, nil when none. The
// page is in the client's language (the session's, else the one they
// chose) and says truly whether their answers so far are kept.
func (w *Web) formExpired(rw http.ResponseWriter, r *http.Request, s *webSession) {
	p := w.page(r, s)
	p.CSRF = ""
	again := pathStart
	if r.URL.Path == pathWithdraw || strings.HasPrefix(r.URL.Path, pathWithdraw+"/") {
		again = pathWithdraw
	}
	p.Data = faultData{Kind: "form_expired", Kept: s.kept(), Again: again}
	w.render(rw, r, http.StatusForbidden, "web/fault", p)
}

// unavailable is the page for Redis or Postgres not answering: try again
// or call. The part of the site it is (webPart) is logged once when its
// spell of failures starts, with the cause (never the request's answers),
// and once when it answers again (served); each 503 is counted in the
// HTTP metrics.
func (w *Web) unavailable(rw http.ResponseWriter, r *http.Request, err error) {
	gaveUp := givenUp(r, err)
	part := webPart(r.URL.Path)
	if u := redisUseOf(r.Context()); u != nil {
		u.unavailable = true
		if u.failed.Load() && !gaveUp {
			w.redisSpells.began(part)
		}
	}
	if !gaveUp {
		w.outages.Failed(w.log, slog.LevelError, part, err, "path", r.URL.Path)
	}
	w.fault(rw, r, http.StatusServiceUnavailable, "unavailable")
}

// givenUp reports whether err is r being given up (the client left, or
// serve is stopping and cut it short): no news of PostgreSQL or Redis, so
// it neither starts nor ends a spell of an outage.
func givenUp(r *http.Request, err error) bool {
	return errors.Is(err, context.Canceled) && r.Context().Err() != nil
}

// served runs next on r and, unless it answered with the unavailable
// page, notes that r's part of the site answered: the end of a spell of
// failures there is logged. A spell Redis caused is ended only by a
// request that had Redis's reply (redis_use.go).
func (w *Web) served(next http.Handler, rw http.ResponseWriter, r *http.Request) {
	u := &redisUse{ctx: r.Context()}
	next.ServeHTTP(rw, r.WithContext(context.WithValue(r.Context(), redisUseKey{}, u)))
	part := webPart(r.URL.Path)
	if !u.unavailable && w.redisSpells.ends(part, u.answered.Load()) {
		w.outages.Answered(w.log, part)
	}
}

// webPart names the part of the public site path belongs to, for the log:
// the directory, the withdrawal pages, or the self-referral form (the
// rest: the form, its leaflet links and checks).
func webPart(path string) string {
	switch {
	case path == pathDirectory || strings.HasPrefix(path, pathDirectory+"/"):
		return "web directory"
	case path == pathWithdraw || strings.HasPrefix(path, pathWithdraw+"/"):
		return "web withdrawal"
	}
	return "web self-referral form"
}

// notFound is the page for an address that does not exist, in the
// client's language: the one chosen with ?lang=, else their session's,
// else the lang cookie's, else the browser's.
func (w *Web) notFound(rw http.ResponseWriter, r *http.Request) {
	w.faultFor(rw, r, w.sessionIfAny(r), http.StatusNotFound, "not_found")
}

// crossOriginRefused answers a POST another site's page tried to make, in
// the client's language as notFound's. The refused request changes
// nothing: not even the language recorded on the session, which
// requestLang records for a ?lang= choice, so the page is made from a
// copy of the session that already holds it.
func (w *Web) crossOriginRefused(rw http.ResponseWriter, r *http.Request) {
	w.log.Warn("cross-origin form post refused", "path", r.URL.Path)
	s := w.sessionIfAny(r)
	if s != nil {
		shown := *s
		if code, ok := w.chosenLang(r); ok {
			shown.Answers.Language = code
		}
		s = &shown
	}
	w.faultFor(rw, r, s, http.StatusForbidden, "cross_origin")
}

// sessionIfAny is the request's form session, or nil when it has none
// or Redis does not answer: a fault page is shown all the same, in the
// language the request itself says.
func (w *Web) sessionIfAny(r *http.Request) *webSession {
	s, _, err := w.loadSession(r.Context(), r)
	if err != nil {
		return nil
	}
	return s
}

// FormPaths are the path prefixes of the client's form (the questions,
// leaflet links and withdrawal), whose refusals at the server's edge
// Refuse answers; a prefix without its last slash is meant too.
func FormPaths() []string { return []string{pathStart + "/", "/r/", pathWithdraw + "/"} }

// Refuse answers a request the server's edge refused before any handler
// (characters PostgreSQL cannot store: a NUL, invalid UTF-8) with the
// form's own fault page, as the form answers its other refusals: in the
// client's language (the one chosen on their session, else the
// browser's), with the network's phone and a way back. 404 (the address
// is unreadable) is the page-not-found page; anything else is "we could
// not read your answer" with status, unless it is an answer to one of the
// form's questions: that question is asked again, naming the box
// (refuseAnswer). It has wiring.Refusal's signature;
// title and detail, the edge's English, are not shown.
func (w *Web) Refuse(rw http.ResponseWriter, r *http.Request, status int, title, detail string) {
	w.securityHeaders(w.recoverPanic(http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
		if status == http.StatusBadRequest && w.refuseAnswer(rw, r) {
			return // the question again, naming the box
		}
		kind := "unreadable"
		if status == http.StatusNotFound {
			kind = "not_found"
		}
		// The page links to its own address (the language switcher, the
		// way back): keep of it only what can be read.
		clean := r.Clone(r.Context())
		q := url.Values{}
		if tag := r.URL.Query().Get(langParam); core.Storable(tag) {
			if code, ok := w.cat.Chosen(tag); ok {
				q.Set(langParam, code)
			}
		}
		clean.URL.RawQuery = q.Encode()
		if !core.Storable(clean.URL.Path) {
			clean.URL.Path = pathStart
		}
		s := w.sessionIfAny(r) // none, or Redis down: the browser's language
		p := w.page(clean, s)
		p.CSRF = ""
		p.Back = refusedBack(clean.URL.Path) + w.langQuery(clean, "?")
		p.Data = faultData{Kind: kind}
		w.render(rw, clean, status, "web/fault", p)
	}))).ServeHTTP(rw, r)
}

// refusedBack is the page to go back to from a refused request to path:
// the page that sent it.
func refusedBack(path string) string {
	switch path {
	case pathSendCode, pathCheckCode:
		return pathCheck
	case pathWithdrawConfirm, pathWithdrawRestart:
		return pathWithdraw
	case pathNew:
		return pathStart
	}
	return path
}
