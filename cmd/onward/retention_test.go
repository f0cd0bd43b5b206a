package main

import (
	"context"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/onward-network/onward/core/coretest"
)

// An on-call review found a retention run that failed (PostgreSQL away at
// that moment) waiting a day to try again, and saying nothing of it. It is
// tried again after a short wait, growing while it fails, each failure
// saying so and when the next try is; once a run works, the next is a
// day later.
func TestRetentionRetriesSoonAfterAFailedRun(t *testing.T) {
	env := coretest.NewEnv(t)
	if _, err := env.Pool.Exec(context.Background(), `UPDATE network_settings SET retention_months = 12`); err != nil {
		t.Fatal(err)
	}
	pool, p := coretest.PoolThroughProxy(t, env.URL)
	eng, _, _, _ := coretest.NewEngine(t, pool)
	p.SetUp(false)
	var log coretest.LogBuffer
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		runRetention(ctx, eng, slog.New(slog.NewTextHandler(&log, nil)),
			retentionTimes{first: 10 * time.Millisecond, every: time.Hour, retryFirst: 100 * time.Millisecond, retryMax: 200 * time.Millisecond})
		close(done)
	}()
	defer func() { cancel(); <-done }()
	waitLog := func(text string) {
		t.Helper()
		deadline := time.Now().Add(10 * time.Second)
		for !strings.Contains(log.String(), text) {
			if time.Now().After(deadline) {
				t.Fatalf("the log never said %q:\n%s", text, log.String())
			}
			time.Sleep(10 * time.Millisecond)
		}
	}
	for _, in := range []string{"in=100ms", "in=200ms"} {
		waitLog(`msg="retention skipped: it will be tried again" ` + in + " at=")
	}
	p.SetUp(true)
	waitLog(`msg="retention applied" months=12`)
	time.Sleep(500 * time.Millisecond) // a retry would have run by now
	if n := strings.Count(log.String(), "retention applied"); n != 1 {
		t.Errorf("retention applied %d times, want once (the next run a day later):\n%s", n, log.String())
	}
}
