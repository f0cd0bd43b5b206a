package web

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/onward-network/onward/core/coretest"
)

// With Redis down the form says plainly to try again or call, with the
// network's number, and never shows a stack trace; the directory, which
// needs no session, keeps working.
func TestWebRedisDown(t *testing.T) {
	t.Parallel()
	rdb := coretest.UnreachableRedis(t)
	e := newWebEnv(t, func(c *Config) { c.Redis = rdb })
	b := e.browser()
	for _, path := range []string{pathStart, pathNeeds, "/r/abc123", "/refer/service/1"} {
		p := b.get(path)
		if p.Status != http.StatusServiceUnavailable {
			t.Errorf("GET %s: status %d, want 503", path, p.Status)
		}
		for _, want := range []string{"Sorry, there is a problem with the service", "try again", "0800 000 0000"} {
			if !strings.Contains(p.Body, want) {
				t.Errorf("GET %s: page lacks %q", path, want)
			}
		}
		if strings.Contains(p.Body, "goroutine") || strings.Contains(p.Body, "dial tcp") || strings.Contains(p.Body, ".go:") {
			t.Errorf("GET %s: page shows internals:\n%s", path, p.Body)
		}
	}
	b.c.Jar.SetCookies(mustURL(e.srv.URL), []*http.Cookie{{Name: "onward_form", Value: "some-session"}})
	if p := b.postRaw(pathNeeds, url.Values{"csrf": {"x"}, "needs": {"debt"}}); p.Status != http.StatusServiceUnavailable {
		t.Errorf("POST with Redis down: status %d, want 503", p.Status)
	}
	if p := b.get("/directory?need=debt&area=KY1"); p.Status != http.StatusOK || !strings.Contains(p.Body, "Kirkton Citizens Advice") {
		t.Errorf("directory with Redis down: status %d", p.Status)
	}
	e.assertNothingWritten()
	if !strings.Contains(e.logs.String(), "unavailable") {
		t.Error("the failure was not logged")
	}
}

// The database failing at the moment of sending gets the same page, and
// the answers stay in the session to send again.
func TestWebDatabaseDownAtSend(t *testing.T) {
	t.Parallel()
	e := newWebEnv(t)
	b := e.browser()
	b.fill(goodAnswers(), pathStart)
	b.get(pathCheck)
	token := b.token()
	e.env.Pool.Close()
	p := b.postRaw(pathCheck, url.Values{"csrf": {token}})
	if p.Status != http.StatusServiceUnavailable || !strings.Contains(p.Body, "0800 000 0000") {
		t.Fatalf("send with the database down: status %d\n%s", p.Status, p.Body)
	}
	if s := e.sessionOf(b); s.Submitted || s.Answers.Name != "Morag Baird" {
		t.Errorf("answers lost after a failed send: %+v", s)
	}
}

func mustURL(s string) *url.URL {
	u, err := url.Parse(s)
	if err != nil {
		panic(err)
	}
	return u
}
