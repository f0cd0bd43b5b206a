package notify_test

import (
	"context"
	"fmt"
	"log/slog"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/onward-network/onward/core"
	"github.com/onward-network/onward/core/coretest"
	"github.com/onward-network/onward/notify"
	"github.com/onward-network/onward/notify/notifytest"
)

// queueAlerts writes n coordinator alerts, told apart by prefix.
func queueAlerts(t *testing.T, h *harness, prefix string, n int) {
	t.Helper()
	for i := range n {
		text := fmt.Sprintf("%s %d", prefix, i)
		if err := h.engine.Outbox().Enqueue(context.Background(), core.OutboxAlert, 0, core.OutboxPayload{Text: text},
			text, time.Time{}); err != nil {
			t.Fatal(err)
		}
	}
}

func eventually(t *testing.T, what string, within time.Duration, ok func() bool) {
	t.Helper()
	deadline := time.Now().Add(within)
	for !ok() {
		if time.Now().After(deadline) {
			t.Fatalf("%s: not within %s", what, within)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

var logLine = regexp.MustCompile(`level=(WARN|ERROR) msg=("(?:[^"\\]|\\.)*"|\S+)`)

// TestWorkerSaysOnceThatPostgresIsAway: a worker whose PostgreSQL goes
// away while rows wait logs that it cannot reach it once, however many
// rows and polls the outage spans, says so in its metrics (/readyz) while
// it lasts, logs once when it answers again, and then delivers every row.
func TestWorkerSaysOnceThatPostgresIsAway(t *testing.T) {
	t.Parallel()
	h := newHarness(t, harnessOpts{realClock: true})
	h.markAllSent(t)
	// The worker reaches PostgreSQL through the proxy; the test writes
	// rows straight to it.
	eng, p := h.engineThroughProxy(t, core.SystemClock{})
	var log coretest.LogBuffer
	m := notify.NewMetrics()
	w := h.worker(t, func(o *notify.Options) {
		o.Engine = eng
		o.Log = slog.New(slog.NewTextHandler(&log, nil))
		o.Metrics = m
		o.Config.WorkerPoll = 50 * time.Millisecond
	})
	stop := runWorker(t, w)
	queueAlerts(t, h, "before", 1)
	waitDelivered(t, h, 10*time.Second)

	p.SetUp(false)
	queueAlerts(t, h, "during", 20)
	eventually(t, "the worker says it cannot reach PostgreSQL", 10*time.Second, m.WorkerCannotReachDatabase)
	time.Sleep(3 * time.Second) // claims fail again and again meanwhile
	if !m.WorkerCannotReachDatabase() {
		t.Error("the worker stopped saying it cannot reach PostgreSQL while it still could not")
	}
	p.SetUp(true)
	waitDelivered(t, h, 20*time.Second)
	eventually(t, "the worker says PostgreSQL answers again", 5*time.Second, func() bool { return !m.WorkerCannotReachDatabase() })
	stop()

	got := log.String()
	if n := strings.Count(got, "cannot reach PostgreSQL"); n != 1 {
		t.Errorf("logged %d times that PostgreSQL cannot be reached, want once:\n%s", n, got)
	}
	if n := strings.Count(got, "PostgreSQL answers again"); n != 1 {
		t.Errorf("logged %d times that PostgreSQL answers again, want once:\n%s", n, got)
	}
	seen := map[string]int{}
	for _, l := range logLine.FindAllStringSubmatch(got, -1) {
		seen[l[2]]++
	}
	for msg, n := range seen {
		if n > 1 {
			t.Errorf("warning %s logged %d times during one outage, want once:\n%s", msg, n, got)
		}
	}
	if n := len(h.slack.Calls()); n != 21 {
		t.Errorf("Slack received %d alerts, want 21", n)
	}
}

// TestShutdownHandsBackLeasedRows: told to stop while it holds leased
// rows, a worker finishes the deliveries that end within its grace
// period; the rest it gives back, so another worker claims them at once
// rather than when the lease (an hour here) runs out. Either way no row is
// lost.
func TestShutdownHandsBackLeasedRows(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name        string
		slack       notifytest.Reply
		grace       time.Duration
		deliveredBy string // "first" or "second" worker
	}{
		{"deliveries end within the grace", notifytest.Reply{Delay: 300 * time.Millisecond}, 5 * time.Second, "first"},
		{"deliveries outlast the grace", notifytest.Reply{Hang: time.Minute}, 500 * time.Millisecond, "second"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			h := newHarness(t, harnessOpts{realClock: true})
			h.markAllSent(t)
			queueAlerts(t, h, "held", 3)
			h.slack.SetScript(func(int) notifytest.Reply { return tc.slack })
			first := h.worker(t, func(o *notify.Options) {
				o.Grace, o.Lease = tc.grace, time.Hour
				o.Config.WorkerPoll = 50 * time.Millisecond
			})
			ctx, cancel := context.WithCancel(context.Background())
			done := make(chan error, 1)
			go func() { done <- first.Run(ctx) }()
			eventually(t, "all three rows in flight", 10*time.Second, func() bool { return h.slack.Requests() >= 3 })
			cancel()
			select {
			case <-done:
			case <-time.After(tc.grace + 5*time.Second):
				t.Fatalf("the worker did not stop within its grace period (%s) and some", tc.grace)
			}
			firstDelivered := len(h.slack.Calls())

			h.slack.SetScript(nil)
			second := h.worker(t, func(o *notify.Options) { o.Lease = time.Hour })
			claimed, err := second.RunOnce(context.Background())
			if err != nil {
				t.Fatal(err)
			}
			switch tc.deliveredBy {
			case "first":
				if firstDelivered != 3 || claimed != 0 {
					t.Errorf("first worker delivered %d, second claimed %d; want 3 and 0", firstDelivered, claimed)
				}
			case "second":
				if firstDelivered != 0 || claimed != 3 {
					t.Errorf("first worker delivered %d, second claimed %d at once; want 0 and 3 (given back)", firstDelivered, claimed)
				}
			}
			if n := h.pending(t); n != 0 {
				t.Errorf("%d rows left undelivered", n)
			}
			if n := len(h.slack.Calls()); n != 3 {
				t.Errorf("Slack received %d alerts, want each of 3 once", n)
			}
		})
	}
}
