package web

import (
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
)

// arabicPage is how an Arabic page opens.
const arabicPage = `<html lang="ar" dir="rtl">`

// words is message id in language code, as the pages show it.
func (e *webEnv) words(code, id string) string {
	e.t.Helper()
	s := e.web.cat.Text(code, id)
	if s == "" || s == id {
		e.t.Fatalf("no %s words for %s", code, id)
	}
	return s
}

// langCookieOf is the lang cookie a response set, nil when none.
func langCookieOf(p *page, name string) *http.Cookie {
	for _, c := range (&http.Response{Header: p.Header}).Cookies() {
		if c.Name == name {
			return c
		}
	}
	return nil
}

// TestLangChosenLanguageOutlivesTheSession is audit A1's finding 7: an
// English browser chooses Arabic, answers a question, and leaves the form
// until its session expires. Posting the next page then starts again in
// Arabic (not English), saying the answers were cleared; posting the old
// page again says the page expired and that the answers are gone, in
// Arabic, never that they are saved.
func TestLangChosenLanguageOutlivesTheSession(t *testing.T) {
	t.Parallel()
	e := newWebEnv(t)
	b := e.browser()
	b.acceptLanguage = "en-GB,en;q=0.9"
	start := b.get(pathStart + "?lang=ar")
	c := langCookieOf(start, "onward_lang")
	if c == nil || c.Value != "ar" || !c.HttpOnly || c.SameSite != http.SameSiteLaxMode || c.Path != "/" || c.Secure || c.MaxAge <= 0 {
		t.Fatalf("choosing Arabic set the lang cookie %+v, want onward_lang=ar, HttpOnly, SameSite=Lax, Path=/, lasting", c)
	}
	b.answer(pathNeeds, goodAnswers()[pathNeeds])
	postcode := b.get(pathPostcode)
	if !strings.Contains(postcode.Body, arabicPage) {
		t.Fatalf("the postcode page is not in the Arabic chosen:\n%s", postcode.Body)
	}
	old := b.token()
	if err := e.web.rdb.Del(t.Context(), e.web.sessionKey(e.sessionOf(b).id)).Err(); err != nil {
		t.Fatal(err)
	}

	again := b.postRaw(pathPostcode, url.Values{"csrf": {old}, "postcode": {"KY1 1AB"}})
	if again.Path != pathStart || !strings.Contains(again.Body, arabicPage) ||
		!strings.Contains(again.Body, e.words("ar", "web.start.expired_title")) {
		t.Errorf("after the session expired the form restarted at %s, not in Arabic saying the answers were cleared:\n%s", again.Path, again.Body)
	}

	expired := b.postRaw(pathPostcode, url.Values{"csrf": {old}, "postcode": {"KY1 1AB"}})
	if expired.Status != http.StatusForbidden || !strings.Contains(expired.Body, arabicPage) {
		t.Fatalf("the old page posted again: %d, want 403 in Arabic:\n%s", expired.Status, expired.Body)
	}
	if !strings.Contains(expired.Body, e.words("ar", "web.fault.form_expired_cleared_body")) ||
		strings.Contains(expired.Body, e.words("ar", "web.fault.form_expired_body")) {
		t.Errorf("the expired page does not say the answers are gone, or says they are saved:\n%s", expired.Body)
	}
	if !strings.Contains(expired.Body, `href="/refer?lang=ar">`+e.words("ar", "web.fault.form_expired_start_link")) {
		t.Errorf("the expired page's way on does not start again in Arabic:\n%s", expired.Body)
	}
}

// TestLangExpiredPageSaysAnswersAreKept: a form whose token does not match
// a session that still holds answers (a page from before the session was
// replaced, in another tab) says the answers so far are saved, in the
// session's language, and leads back to them.
func TestLangExpiredPageSaysAnswersAreKept(t *testing.T) {
	t.Parallel()
	e := newWebEnv(t)
	b := e.browser()
	b.get(pathStart + "?lang=pl")
	b.answer(pathNeeds, goodAnswers()[pathNeeds])
	b.jarForget("onward_lang") // the session alone says Polish
	p := b.postRaw(pathPostcode, url.Values{"csrf": {"not-this-session"}, "postcode": {"KY1 1AB"}})
	if p.Status != http.StatusForbidden || !strings.Contains(p.Body, `<html lang="pl"`) {
		t.Fatalf("a stale token: %d, want 403 in the session's Polish:\n%s", p.Status, p.Body)
	}
	if !strings.Contains(p.Body, e.words("pl", "web.fault.form_expired_body")) ||
		strings.Contains(p.Body, e.words("pl", "web.fault.form_expired_cleared_body")) {
		t.Errorf("the expired page does not say the answers are kept:\n%s", p.Body)
	}
	if !strings.Contains(p.Body, `href="/refer?lang=pl">`+e.words("pl", "web.fault.form_expired_link")) {
		t.Errorf("the expired page does not lead back to the request in Polish:\n%s", p.Body)
	}
	if s := e.sessionOf(b); len(s.Answers.Needs) != 1 {
		t.Errorf("the answers are not kept: %+v", s.Answers)
	}
}

// TestLangWithdrawalExpiredInTheChosenLanguage: a withdrawal posted after
// its session is gone is answered in the language chosen, says nothing is
// saved, and leads back to the withdrawal page.
func TestLangWithdrawalExpiredInTheChosenLanguage(t *testing.T) {
	t.Parallel()
	e := newWebEnv(t)
	b := e.browser()
	b.acceptLanguage = "en-GB"
	b.get(pathWithdraw + "?lang=uk")
	old := b.token()
	if err := e.web.rdb.Del(t.Context(), e.web.sessionKey(e.sessionOf(b).id)).Err(); err != nil {
		t.Fatal(err)
	}
	p := b.postRaw(pathWithdraw, url.Values{"csrf": {old}, "reference": {"ONW-ABCDEF1"}, "phone": {"07700 900123"}})
	if p.Status != http.StatusForbidden || !strings.Contains(p.Body, `<html lang="uk"`) ||
		!strings.Contains(p.Body, e.words("uk", "web.fault.form_expired_cleared_body")) ||
		!strings.Contains(p.Body, `href="/withdraw?lang=uk"`) {
		t.Errorf("the expired withdrawal: %d, want 403 in Ukrainian saying it was cleared, leading to /withdraw:\n%s", p.Status, p.Body)
	}
}

// TestLangCookie: the cookie is Secure, with the __Host- prefix, when the
// public address is https; choosing the language the browser asks for
// anyway deletes it; a cookie naming no shipped language is ignored; and
// pages say their words vary with cookies, for caches.
func TestLangCookie(t *testing.T) {
	t.Parallel()
	e := newWebEnv(t, func(c *Config) { c.PublicURL = "https://onward.test" })
	b := e.browser()
	b.acceptLanguage = "pl"
	p := b.get("/privacy?lang=ur")
	c := langCookieOf(p, "__Host-onward_lang")
	if c == nil || c.Value != "ur" || !c.Secure || !c.HttpOnly || c.Path != "/" {
		t.Fatalf("over https the lang cookie is %+v, want __Host-onward_lang=ur, Secure, HttpOnly, Path=/", c)
	}
	if !strings.Contains(p.Header.Get("Vary"), "Cookie") {
		t.Errorf("Vary %q does not name Cookie", p.Header.Get("Vary"))
	}

	plain := newWebEnv(t)
	for _, tc := range []struct {
		cookie, accept, want string
	}{
		{"ar", "en-GB", arabicPage},
		{"ar", "pl", arabicPage},
		{"xx", "pl", `<html lang="pl"`},
		{"", "pl", `<html lang="pl"`},
	} {
		req, _ := http.NewRequest(http.MethodGet, plain.srv.URL+"/privacy", nil)
		req.Header.Set("Accept-Language", tc.accept)
		if tc.cookie != "" {
			req.AddCookie(&http.Cookie{Name: "onward_lang", Value: tc.cookie})
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		body := readAll(t, resp)
		if !strings.Contains(body, tc.want) {
			t.Errorf("cookie %q, browser %q: the page does not open %s", tc.cookie, tc.accept, tc.want)
		}
	}

	// Back to the browser's own language: the cookie goes.
	b2 := plain.browser()
	b2.acceptLanguage = "pl"
	b2.get("/privacy?lang=ar")
	back := b2.get("/privacy?lang=pl")
	if c := langCookieOf(back, "onward_lang"); c == nil || c.MaxAge >= 0 {
		t.Errorf("choosing the browser's own language left the cookie: %+v", c)
	}
	if p := b2.get("/privacy"); !strings.Contains(p.Body, `<html lang="pl"`) {
		t.Error("after choosing Polish again the page is not Polish")
	}
}

// jarForget deletes a cookie from the browser, as a person clearing it
// would.
func (b *browser) jarForget(name string) {
	u, _ := url.Parse(b.e.srv.URL)
	b.c.Jar.SetCookies(u, []*http.Cookie{{Name: name, Path: "/", MaxAge: -1}})
}

func readAll(t *testing.T, resp *http.Response) string {
	t.Helper()
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}
