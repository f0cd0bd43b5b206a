package web

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/onward-network/onward/core/coretest"
)

// An on-call review: every request during a Redis outage logged a
// warning from the rate limit and an error "web self-referral
// unavailable", the directory's too. Each part's outage is now logged
// once when it starts, with the cause, and once when it answers again;
// the directory is named as the directory.
func TestWebOutageIsLoggedOnceASpell(t *testing.T) {
	t.Parallel()
	rdb, p := coretest.RedisThroughProxy(t)
	e := newWebEnv(t, func(c *Config) { c.Redis = rdb })
	b := e.browser()
	if got := b.get(pathStart); got.Status != http.StatusOK {
		t.Fatalf("GET %s with Redis up: %d", pathStart, got.Status)
	}
	p.SetUp(false)
	for range 3 {
		if got := b.get(pathStart); got.Status != http.StatusServiceUnavailable {
			t.Fatalf("GET %s with Redis down: %d", pathStart, got.Status)
		}
		if got := b.get("/directory?need=debt&area=KY1"); got.Status != http.StatusOK {
			t.Fatalf("directory with Redis down: %d", got.Status)
		}
	}
	p.SetUp(true)
	for range 2 {
		if got := b.get(pathStart); got.Status != http.StatusOK {
			t.Fatalf("GET %s with Redis back: %d", pathStart, got.Status)
		}
	}
	e.env.Pool.Close() // PostgreSQL goes: the directory cannot be read
	for range 3 {
		if got := b.get("/directory?need=debt&area=KY1"); got.Status != http.StatusServiceUnavailable {
			t.Fatalf("directory with PostgreSQL down: %d", got.Status)
		}
	}
	log := e.logs.String()
	for want, n := range map[string]int{
		`level=WARN msg="web rate limit (Redis) unavailable"`:  1,
		`msg="web rate limit (Redis) available again"`:         1,
		`level=ERROR msg="web self-referral form unavailable"`: 1,
		`msg="web self-referral form available again"`:         1,
		`level=ERROR msg="web directory unavailable"`:          1,
		"self-referral unavailable\" path=/directory":          0,
		"allowing request": 0,
		`level=ERROR msg="web self-referral form unavailable" err=`: 1,
		`level=ERROR msg="web directory unavailable" err=`:          1,
	} {
		if c := strings.Count(log, want); c != n {
			t.Errorf("%q logged %d times, want %d:\n%s", want, c, n, log)
		}
	}
}

// An on-call review: serve's own SIGTERM logged "web directory
// unavailable ... context canceled" for a request it cut short. A request
// given up is no outage: it is not logged, and does not end one either.
func TestWebRequestGivenUpIsNoOutage(t *testing.T) {
	t.Parallel()
	e := newWebEnv(t)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	req := httptest.NewRequest(http.MethodGet, "/directory?need=debt&area=KY1", nil).WithContext(ctx)
	e.srv.Config.Handler.ServeHTTP(httptest.NewRecorder(), req)
	if log := e.logs.String(); strings.Contains(log, "unavailable") {
		t.Errorf("a request given up was logged as an outage:\n%s", log)
	}
}
