package web

import (
	"net/http"
	"net/netip"
	"net/url"
	"slices"
	"strings"
	"testing"
)

// A POST another site's page makes is refused, whether the browser says so
// with Sec-Fetch-Site or only with Origin, and nothing is saved.
func TestWebCrossSitePostRefused(t *testing.T) {
	t.Parallel()
	e := newWebEnv(t)
	b := e.browser()
	b.get(pathStart)
	b.get(pathNeeds)
	token := b.token()
	for _, header := range [][]string{
		{"Sec-Fetch-Site", "cross-site"},
		{"Origin", "https://evil.example"},
	} {
		p := b.postRaw(pathNeeds, url.Values{"csrf": {token}, "needs": {"debt"}}, header...)
		if p.Status != http.StatusForbidden || !strings.Contains(p.Body, "cannot be sent from another website") {
			t.Errorf("%s: status %d, want 403 with the friendly page", header[0], p.Status)
		}
	}
	if s := e.sessionOf(b); len(s.Answers.Needs) != 0 {
		t.Errorf("a cross-site post saved needs %v", s.Answers.Needs)
	}
	// The same post from our own page goes through.
	if p := b.postRaw(pathNeeds, url.Values{"csrf": {token}, "needs": {"debt"}}, "Sec-Fetch-Site", "same-origin"); p.Path != pathPostcode {
		t.Errorf("same-origin post: at %s", p.Path)
	}
}

// A POST without the session's token (an old browser sending neither
// Sec-Fetch-Site nor Origin, or a forged form) is refused.
func TestWebCSRFTokenRequired(t *testing.T) {
	t.Parallel()
	e := newWebEnv(t)
	b := e.browser()
	b.get(pathStart)
	for _, token := range []string{"", "not-the-token"} {
		p := b.postRaw(pathNeeds, url.Values{"csrf": {token}, "needs": {"debt"}})
		if p.Status != http.StatusForbidden {
			t.Errorf("token %q: status %d, want 403", token, p.Status)
		}
	}
	// Another person's token does not work in this session.
	other := e.browser()
	other.get(pathStart)
	other.get(pathNeeds)
	if p := b.postRaw(pathNeeds, url.Values{"csrf": {other.token()}, "needs": {"debt"}}); p.Status != http.StatusForbidden {
		t.Errorf("another session's token: status %d", p.Status)
	}
	if s := e.sessionOf(b); len(s.Answers.Needs) != 0 {
		t.Errorf("needs saved without a valid token: %v", s.Answers.Needs)
	}
}

func TestWebSecurityHeaders(t *testing.T) {
	t.Parallel()
	e := newWebEnv(t)
	b := e.browser()
	for _, path := range []string{pathStart, pathNeeds, "/directory", "/static/web/onward.css", "/refer/nowhere", "/r/abc"} {
		p := b.get(path)
		h := p.Header
		csp := h.Get("Content-Security-Policy")
		for _, want := range []string{"default-src 'none'", "frame-ancestors 'none'", "form-action 'self'", "style-src 'self'"} {
			if !strings.Contains(csp, want) {
				t.Errorf("%s: CSP %q lacks %q", path, csp, want)
			}
		}
		if strings.Contains(csp, "unsafe-inline") || strings.Contains(csp, "script-src") && !strings.Contains(csp, "script-src 'none'") {
			t.Errorf("%s: CSP allows script or inline: %q", path, csp)
		}
		for k, want := range map[string]string{"X-Content-Type-Options": "nosniff", "Referrer-Policy": "same-origin", "X-Frame-Options": "DENY"} {
			if h.Get(k) != want {
				t.Errorf("%s: %s = %q, want %q", path, k, h.Get(k), want)
			}
		}
		if !strings.Contains(h.Get("Permissions-Policy"), "camera=()") {
			t.Errorf("%s: Permissions-Policy %q", path, h.Get("Permissions-Policy"))
		}
		if strings.Contains(p.Body, "<script") || strings.Contains(p.Body, " style=") {
			t.Errorf("%s: page has inline script or style", path)
		}
	}
	if p := b.get(pathNeeds); p.Header.Get("Cache-Control") != "no-store" {
		t.Errorf("question page Cache-Control %q, want no-store", p.Header.Get("Cache-Control"))
	}
}

func TestWebSessionCookie(t *testing.T) {
	t.Parallel()
	e := newWebEnv(t)
	resp, err := http.Get(e.srv.URL + pathStart)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	cs := resp.Cookies()
	if len(cs) != 1 || cs[0].Name != "onward_form" || !cs[0].HttpOnly || cs[0].SameSite != http.SameSiteLaxMode || cs[0].Secure {
		t.Fatalf("dev cookie %+v, want one HttpOnly SameSite=Lax cookie", cs)
	}
	if len(cs[0].Value) < 40 {
		t.Errorf("session id %q is too short to be unguessable", cs[0].Value)
	}
	secure := newWebEnv(t, func(c *Config) { c.Secure = true })
	resp, err = http.Get(secure.srv.URL + pathStart)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	cs = resp.Cookies()
	if len(cs) != 1 || cs[0].Name != "__Host-onward_form" || !cs[0].Secure || cs[0].Path != "/" {
		t.Errorf("production cookie %+v, want a Secure __Host- cookie", cs)
	}
	if resp.Header.Get("Strict-Transport-Security") == "" {
		t.Error("no HSTS outside dev")
	}
}

// A cookie naming a session the server never made is not adopted.
func TestWebIgnoresPlantedSessionID(t *testing.T) {
	t.Parallel()
	e := newWebEnv(t)
	req, _ := http.NewRequest(http.MethodGet, e.srv.URL+pathStart, nil)
	req.AddCookie(&http.Cookie{Name: "onward_form", Value: "attacker-chosen-id"})
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	cs := resp.Cookies()
	if len(cs) != 1 || cs[0].Value == "attacker-chosen-id" {
		t.Fatalf("cookies %+v: the planted id was kept", cs)
	}
}

func TestWebRateLimitPerIP(t *testing.T) {
	t.Parallel()
	e := newWebEnv(t, func(c *Config) { c.IPRatePerMinute = 5 })
	b := e.browser()
	var statuses []int
	for range 7 {
		statuses = append(statuses, b.get("/directory").Status)
	}
	for i, s := range statuses {
		want := http.StatusOK
		if i >= 5 {
			want = http.StatusTooManyRequests
		}
		if s != want {
			t.Errorf("request %d: status %d, want %d (all: %v)", i+1, s, want, statuses)
		}
	}
	if p := b.last; p.Header.Get("Retry-After") == "" || !strings.Contains(p.Body, "Too many requests") || !strings.Contains(p.Body, "0800 000 0000") {
		t.Errorf("429 page lacks Retry-After or the friendly words:\n%s", p.Body)
	}
}

// Behind a trusted reverse proxy, each client the proxy names has a
// limit of its own; a client cannot escape its limit by naming another.
func TestWebRateLimitBehindTrustedProxy(t *testing.T) {
	t.Parallel()
	e := newWebEnv(t, func(c *Config) {
		c.IPRatePerMinute = 2
		c.TrustedProxies = []netip.Prefix{netip.MustParsePrefix("127.0.0.1/32")}
	})
	b := e.browser()
	from := func(xff string) int {
		req, _ := http.NewRequest(http.MethodGet, e.srv.URL+"/directory", nil)
		req.Header.Set("X-Forwarded-For", xff)
		return b.do(req).Status
	}
	got := []int{from("198.51.100.1"), from("198.51.100.1"), from("203.0.113.50, 198.51.100.1"), from("198.51.100.2")}
	want := []int{http.StatusOK, http.StatusOK, http.StatusTooManyRequests, http.StatusOK}
	if !slices.Equal(got, want) {
		t.Fatalf("statuses %v, want %v", got, want)
	}
}

// Filling the field people cannot see looks like success and writes
// nothing.
func TestWebHoneypot(t *testing.T) {
	t.Parallel()
	e := newWebEnv(t)
	b := e.browser()
	b.get(pathStart)
	a := goodAnswers()
	for _, st := range formSteps {
		v := cloneValues(a[st])
		if st == pathName {
			v.Set(fieldHoneypot, "http://spam.example")
		}
		b.answer(st, v)
	}
	p := b.send()
	if p.Status != http.StatusOK || p.Path != pathDone || !strings.Contains(p.Body, "Request sent") {
		t.Fatalf("honeypot send: status %d at %s", p.Status, p.Path)
	}
	e.assertNothingWritten()
	if !strings.Contains(e.logs.String(), "honeypot") {
		t.Error("honeypot refusal not logged")
	}
}

// A body far larger than any answer gets a friendly page, not a crash.
func TestWebOversizedPost(t *testing.T) {
	t.Parallel()
	e := newWebEnv(t)
	b := e.browser()
	b.get(pathStart)
	b.get(pathName)
	p := b.postRaw(pathName, url.Values{"csrf": {b.token()}, "name": {strings.Repeat("x", 100_000)}})
	if p.Status != http.StatusRequestEntityTooLarge || !strings.Contains(p.Body, "too long") {
		t.Errorf("oversized post: status %d", p.Status)
	}
}
