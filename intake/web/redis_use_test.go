package web

import (
	"context"
	"net"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/onward-network/onward/core/coretest"
)

// An on-call review: during one Redis outage the form's log said
// "unavailable" and "available again" over and over, because a page that
// never used Redis (a stylesheet, the "text us instead" page) answering
// ended the spell. Only a request that had Redis's reply ends it: one
// line each way.
func TestRedisOutageEndsOnlyWithARequestThatUsedRedis(t *testing.T) {
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
		for _, path := range []string{"/static/web/onward.css", "/refer/text"} {
			if got := b.get(path); got.Status != http.StatusOK {
				t.Fatalf("GET %s with Redis down: %d", path, got.Status)
			}
		}
	}
	if log := e.logs.String(); strings.Contains(log, "web self-referral form available again") {
		t.Errorf("a page that did not use Redis ended the form's Redis outage:\n%s", log)
	}
	p.SetUp(true)
	for range 2 {
		if got := b.get(pathStart); got.Status != http.StatusOK {
			t.Fatalf("GET %s with Redis back: %d", pathStart, got.Status)
		}
	}
	log := e.logs.String()
	for want, n := range map[string]int{
		`level=ERROR msg="web self-referral form unavailable"`: 1,
		`msg="web self-referral form available again"`:         1,
	} {
		if c := strings.Count(log, want); c != n {
			t.Errorf("%q logged %d times, want %d:\n%s", want, c, n, log)
		}
	}
}

// An on-call review: during a Redis outage every public page waited the
// Redis timeout in the rate limit before it was let through. Once the
// limit could not reach Redis it leaves Redis alone for limitPauseFor,
// letting pages through as it does when Redis fails, then asks again.
func TestRateLimitLeavesAnUnreachableRedisAloneForAWhile(t *testing.T) {
	t.Parallel()
	var dials atomic.Int32
	rdb := coretest.UnreachableRedis(t)
	rdb.AddHook(dialCounter{&dials})
	e := newWebEnv(t, func(c *Config) { c.Redis = rdb })
	b := e.browser()
	const page = "/static/web/onward.css" // a page that uses no Redis of its own
	get := func() {
		t.Helper()
		if got := b.get(page); got.Status != http.StatusOK {
			t.Fatalf("GET %s with Redis unreachable: %d", page, got.Status)
		}
	}
	get()
	first := dials.Load()
	if first == 0 {
		t.Fatal("the rate limit did not try Redis")
	}
	start := time.Now()
	for range 3 {
		get()
	}
	if got := dials.Load(); got != first && time.Since(start) < limitPauseFor {
		t.Errorf("within %s of failing, the rate limit dialled Redis %d more times", limitPauseFor, got-first)
	}
	time.Sleep(limitPauseFor - time.Since(start) + 100*time.Millisecond)
	get()
	if dials.Load() == first {
		t.Errorf("%s after failing, the rate limit did not try Redis again", limitPauseFor)
	}
	if c := strings.Count(e.logs.String(), `msg="web rate limit (Redis) unavailable"`); c != 1 {
		t.Errorf("the rate limit's outage logged %d times, want once:\n%s", c, e.logs.String())
	}
}

// dialCounter is a go-redis hook counting the client's dials.
type dialCounter struct{ n *atomic.Int32 }

func (d dialCounter) DialHook(next redis.DialHook) redis.DialHook {
	return func(ctx context.Context, network, addr string) (net.Conn, error) {
		d.n.Add(1)
		return next(ctx, network, addr)
	}
}

func (dialCounter) ProcessHook(next redis.ProcessHook) redis.ProcessHook { return next }

func (dialCounter) ProcessPipelineHook(next redis.ProcessPipelineHook) redis.ProcessPipelineHook {
	return next
}
