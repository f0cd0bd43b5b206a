package main

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/onward-network/onward/core"
	"github.com/onward-network/onward/core/config"
	"github.com/onward-network/onward/core/coretest"
)

// TestReadyzNamesWhatIsDownWithoutErrorText reproduces finding 10's
// second half: /readyz printed the database's and Redis's error text
// (addresses, driver details) to anyone.
func TestReadyzNamesWhatIsDownWithoutErrorText(t *testing.T) {
	pool := coretest.NewPool(t)
	rdb := redis.NewClient(&redis.Options{Addr: "127.0.0.1:1", MaxRetries: -1, DialTimeout: 200 * time.Millisecond})
	defer rdb.Close()
	code, body := readyz(t, &app{pool: pool, rdb: rdb})
	if code != http.StatusServiceUnavailable || body != "not ready: redis: does not answer\n" {
		t.Fatalf("readyz = %d %q, want only that Redis does not answer", code, body)
	}
	for _, leak := range []string{"127.0.0.1", "refused", "dial", "tcp"} {
		if strings.Contains(body, leak) {
			t.Errorf("readyz shows %q: %q", leak, body)
		}
	}
}

// TestMetricsNeedTokenOrOwnAddress reproduces finding 10's first half:
// /metrics was public and read the whole outbox at every call.
func TestMetricsNeedTokenOrOwnAddress(t *testing.T) {
	for _, c := range []struct {
		env  map[string]string
		want bool
	}{
		{map[string]string{}, false}, // production, nothing set: not on the public address
		{map[string]string{"ONWARD_METRICS_TOKEN": config.NewKey()}, true},
		{map[string]string{"ONWARD_METRICS_TOKEN": config.NewKey(), "ONWARD_METRICS_ADDR": "127.0.0.1:9090"}, false},
		{map[string]string{"ONWARD_ENV": "dev"}, true},
	} {
		cfg, _ := config.Load(func(k string) string { return c.env[k] })
		if got := publicMetrics(cfg); got != c.want {
			t.Errorf("publicMetrics with %v = %v, want %v", c.env, got, c.want)
		}
	}

	env := coretest.NewEnv(t)
	ctx := context.Background()
	token := config.NewKey()
	a := &app{cfg: config.Config{MetricsToken: token}, engine: env.Engine, pool: env.Pool}
	h := metricsHandler(a)
	scrape := func(auth string) (int, string) {
		req := httptest.NewRequest("GET", "/metrics", nil)
		if auth != "" {
			req.Header.Set("Authorization", auth)
		}
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		return rec.Code, rec.Body.String()
	}
	for _, auth := range []string{"", "Bearer wrong", token, "Basic " + token, "Bearer  " + token, "Bearer " + token + " "} {
		if code, body := scrape(auth); code != http.StatusUnauthorized || strings.Contains(body, "onward_") {
			t.Errorf("scrape with %q = %d:\n%s", auth, code, body)
		}
	}
	depth := func() string {
		code, body := scrape("Bearer " + token)
		if code != http.StatusOK {
			t.Fatalf("scrape with the token = %d", code)
		}
		for _, l := range strings.Split(body, "\n") {
			if strings.HasPrefix(l, `onward_outbox_depth{kind="alert.coordinators"}`) {
				return l
			}
		}
		return "none"
	}
	if code, _ := scrape("bearer " + token); code != http.StatusOK {
		t.Errorf("scrape with the scheme in lower case = %d, want 200 (RFC 9110 §11.1)", code)
	}
	before := depth()
	if err := env.Engine.Outbox().Enqueue(ctx, core.OutboxAlert, 0, core.OutboxPayload{Text: "test"}, "metrics-test", time.Time{}); err != nil {
		t.Fatal(err)
	}
	if again := depth(); again != before {
		t.Errorf("a second scrape within seconds read the outbox again: %q then %q", before, again)
	}
	env.Clock.Advance(time.Minute)
	if later := depth(); later != `onward_outbox_depth{kind="alert.coordinators"} 1` {
		t.Errorf("a minute later the depth is %q, want the new row counted", later)
	}
}
