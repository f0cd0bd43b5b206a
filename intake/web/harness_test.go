package web

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/onward-network/onward/core"
	"github.com/onward-network/onward/core/coretest"
)

// webEnv is a web self-referral server on a fresh seeded database and a
// private Redis prefix, with its log captured.
type webEnv struct {
	t      testing.TB
	env    *coretest.Env
	web    *Web
	srv    *httptest.Server
	prefix string
	logs   *coretest.LogBuffer
}

// testSMSNumber is the number "continue by text message" shows in tests.
const testSMSNumber = "+447700900000"

func newWebEnv(t testing.TB, change ...func(*Config)) *webEnv {
	t.Helper()
	return newWebEnvOn(t, coretest.NewEnv(t), change...)
}

// newWebEnvOn is newWebEnv on env: for a test that changes the network's
// settings in the database before the server reads them.
func newWebEnvOn(t testing.TB, env *coretest.Env, change ...func(*Config)) *webEnv {
	t.Helper()
	rdb, prefix := coretest.NewRedis(t)
	logs := &coretest.LogBuffer{}
	cfg := Config{Engine: env.Engine, Redis: rdb, Log: slog.New(slog.NewTextHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug})),
		KeyPrefix: prefix, PublicURL: "http://onward.test", IPRatePerMinute: 10000, SMSNumber: testSMSNumber}
	for _, c := range change {
		c(&cfg)
	}
	w, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	mux := http.NewServeMux()
	w.Routes(mux)
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	return &webEnv{t: t, env: env, web: w, srv: srv, prefix: prefix, logs: logs}
}

// browser is one person's browser: a cookie jar and the last page seen.
type browser struct {
	t    testing.TB
	e    *webEnv
	c    *http.Client
	last *page
	// acceptLanguage is sent with every request, as a browser set to a
	// language sends it.
	acceptLanguage string
}

// page is a response after redirects.
type page struct {
	Status int
	Path   string // where the redirects ended
	Body   string
	Header http.Header
}

func (e *webEnv) browser() *browser {
	jar, _ := cookiejar.New(nil)
	return &browser{t: e.t, e: e, c: &http.Client{Jar: jar}}
}

func (b *browser) do(req *http.Request) *page {
	b.t.Helper()
	if b.acceptLanguage != "" {
		req.Header.Set("Accept-Language", b.acceptLanguage)
	}
	resp, err := b.c.Do(req)
	if err != nil {
		b.t.Fatalf("%s %s: %v", req.Method, req.URL.Path, err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	p := &page{Status: resp.StatusCode, Path: resp.Request.URL.Path, Body: string(body), Header: resp.Header}
	if resp.Request.URL.RawQuery != "" {
		p.Path += "?" + resp.Request.URL.RawQuery
	}
	b.last = p
	return p
}

func (b *browser) get(path string) *page {
	b.t.Helper()
	req, _ := http.NewRequest(http.MethodGet, b.e.srv.URL+path, nil)
	return b.do(req)
}

var csrfRe = regexp.MustCompile(`name="csrf" value="([^"]+)"`)

// token is the CSRF token of the last page.
func (b *browser) token() string {
	b.t.Helper()
	if b.last == nil {
		b.t.Fatal("no page seen yet")
	}
	m := csrfRe.FindStringSubmatch(b.last.Body)
	if m == nil {
		b.t.Fatalf("no CSRF token on %s:\n%s", b.last.Path, b.last.Body)
	}
	return m[1]
}

// postRaw posts exactly the values given.
func (b *browser) postRaw(path string, v url.Values, header ...string) *page {
	b.t.Helper()
	req, _ := http.NewRequest(http.MethodPost, b.e.srv.URL+path, strings.NewReader(v.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	return b.do(req)
}

// answer opens the question at path and posts v with the page's token,
// the way a person fills in and sends a form.
func (b *browser) answer(path string, v url.Values) *page {
	b.t.Helper()
	p := b.get(path)
	if p.Path != path {
		b.t.Fatalf("GET %s ended at %s (status %d)", path, p.Path, p.Status)
	}
	v = cloneValues(v)
	v.Set("csrf", b.token())
	return b.postRaw(path, v)
}

func cloneValues(v url.Values) url.Values {
	out := url.Values{}
	for k, vs := range v {
		out[k] = append([]string(nil), vs...)
	}
	return out
}

// answers is a complete, valid set of answers, by question.
type answers map[string]url.Values

func goodAnswers() answers {
	return answers{
		pathNeeds:    {"needs": {"debt"}},
		pathPostcode: {"postcode": {"ky1 1ab"}},
		pathFood:     {"no_food": {"no"}},
		pathHome:     {"losing_home": {"no"}},
		pathName:     {"name": {"Morag Baird"}},
		pathContact:  {"phone": {"07700 900123"}, "email": {"morag@example.com"}},
		pathMethod:   {"contact_method": {"text"}},
		pathTime:     {"contact_time": {"morning"}},
		pathConsent:  {"consent": {"yes"}, "version": {"v1"}},
	}
}

// fill answers every question in order from the start page, checking each
// answer leads to the next question, and ends on "check your answers".
func (b *browser) fill(a answers, from string) *page {
	b.t.Helper()
	p := b.get(from)
	if p.Status != http.StatusOK || p.Path != pathStart {
		b.t.Fatalf("GET %s: status %d at %s", from, p.Status, p.Path)
	}
	for _, st := range formSteps {
		p = b.answer(st, a[st])
		if p.Status != http.StatusOK || strings.Contains(p.Body, "There is a problem") {
			b.t.Fatalf("answer %s: status %d at %s:\n%s", st, p.Status, p.Path, p.Body)
		}
	}
	if p.Path != pathCheck {
		b.t.Fatalf("after the last question: at %s, want %s", p.Path, pathCheck)
	}
	return p
}

// send posts "check your answers".
func (b *browser) send() *page {
	b.t.Helper()
	b.get(pathCheck)
	return b.postRaw(pathCheck, url.Values{"csrf": {b.token()}})
}

// count returns the number of rows in a table.
func (e *webEnv) count(table string) int {
	e.t.Helper()
	return coretest.CountRows(e.t, e.env.Pool, table)
}

// referrals returns every referral, oldest first.
func (e *webEnv) referrals() []core.Referral {
	e.t.Helper()
	rs, err := e.env.Engine.ListReferrals(context.Background(), core.ReferralFilter{})
	if err != nil {
		e.t.Fatal(err)
	}
	return rs
}

// assertNothingWritten checks no client, consent or referral exists.
func (e *webEnv) assertNothingWritten() {
	e.t.Helper()
	for _, table := range []string{"clients", "consents", "referrals"} {
		if n := e.count(table); n != 0 {
			e.t.Errorf("%s has %d rows, want none", table, n)
		}
	}
}

// sessionOf reads a browser's session straight from Redis.
func (e *webEnv) sessionOf(b *browser) *webSession {
	e.t.Helper()
	u, _ := url.Parse(e.srv.URL)
	req, _ := http.NewRequest(http.MethodGet, e.srv.URL, nil)
	for _, c := range b.c.Jar.Cookies(u) {
		req.AddCookie(c)
	}
	s, _, err := e.web.loadSession(context.Background(), req)
	if err != nil {
		e.t.Fatalf("load session: %v", err)
	}
	return s
}
