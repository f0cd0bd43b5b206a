package report_test

import (
	"context"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/onward-network/onward/core"
	"github.com/onward-network/onward/core/coretest"
	"github.com/onward-network/onward/core/report"
)

// An on-call review: while PostgreSQL was down, serve logged "refresh
// report rollups" at WARN on every tick (every 30 s for the whole
// outage) beside the one line the worker writes. The refresher says
// once that it cannot refresh, with the cause, and once that it works
// again.
func TestRefresherLogsAnOutageOnce(t *testing.T) {
	t.Parallel()
	pool, p := coretest.PoolThroughProxy(t, coretest.NewDatabase(t))
	var log coretest.LogBuffer
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() {
		done <- report.New(pool, core.SystemClock{}).RunRefresher(ctx, 20*time.Millisecond, slog.New(slog.NewTextHandler(&log, nil)))
	}()
	defer func() {
		cancel()
		<-done
	}()
	waitForLog := func(text string) {
		t.Helper()
		deadline := time.Now().Add(10 * time.Second)
		for !strings.Contains(log.String(), text) {
			if time.Now().After(deadline) {
				t.Fatalf("the refresher did not log %q within 10 s:\n%s", text, log.String())
			}
			time.Sleep(20 * time.Millisecond)
		}
	}
	waitForLog("report rollups rebuilt")
	p.SetUp(false)
	waitForLog("level=WARN")
	time.Sleep(300 * time.Millisecond) // many ticks, each failing
	p.SetUp(true)
	waitForLog("available again")
	cancel()
	<-done
	done <- nil

	got := log.String()
	if n := strings.Count(got, "level=WARN"); n != 1 {
		t.Errorf("the outage was logged at WARN %d times, want once:\n%s", n, got)
	}
	if !strings.Contains(got, `msg="report rollups refresh unavailable"`) || !strings.Contains(got, "err=") {
		t.Errorf("the outage's one line does not say what failed and why:\n%s", got)
	}
	if n := strings.Count(got, "report rollups refresh available again"); n != 1 {
		t.Errorf("the end of the outage was logged %d times, want once:\n%s", n, got)
	}
}
