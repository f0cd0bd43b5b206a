package notify_test

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/onward-network/onward/core"
	"github.com/onward-network/onward/notify"
	"github.com/onward-network/onward/notify/notifytest"
)

// stepTemplates are the texts the fault tests send, told apart by their
// first words.
var stepTemplates = []struct{ name, prefix string }{
	{core.SMSConfirmation, "Thank you."},
	{core.SMSCancelled, "Your referral ONW"},
	{core.SMSConsentRemoved, "We have recorded"},
	{core.SMSRerouted, "The service you were referred to"},
	{core.SMSRedirected, "Your referral has been passed"},
}

// sequence is what one referral should receive, in order.
type sequence struct {
	ref   core.Referral
	steps []string // "slack:<text>" or "sms:<template>"
}

// queueSequences writes, for each referral, steps alternating a
// coordinator alert about it and a text to its client.
func queueSequences(t *testing.T, h *harness, referrals, steps int) []sequence {
	t.Helper()
	ctx := context.Background()
	var seqs []sequence
	for i := 0; i < referrals; i++ {
		r := h.selfRefer(t, fmt.Sprintf("seq-%d", i), nil)
		seqs = append(seqs, sequence{ref: r})
	}
	h.markAllSent(t)
	for j := 0; j < steps; j++ {
		for i := range seqs {
			r := seqs[i].ref
			var err error
			if j%2 == 0 {
				text := fmt.Sprintf("order %s %d", r.Reference, j)
				err = h.engine.Outbox().Enqueue(ctx, core.OutboxAlert, r.ID, core.OutboxPayload{ReferralID: r.ID, Text: text},
					fmt.Sprintf("test:%d:%d", r.ID, j), time.Time{})
				seqs[i].steps = append(seqs[i].steps, "slack:"+text)
			} else {
				tmpl := stepTemplates[(j/2)%len(stepTemplates)].name
				err = h.engine.Outbox().Enqueue(ctx, core.OutboxClientSMS, r.ID, core.OutboxPayload{ReferralID: r.ID, Template: tmpl},
					fmt.Sprintf("test:%d:%d", r.ID, j), time.Time{})
				seqs[i].steps = append(seqs[i].steps, "sms:"+tmpl)
			}
			if err != nil {
				t.Fatal(err)
			}
		}
	}
	return seqs
}

// queueBulk writes n coordinator alerts that belong to no referral.
func queueBulk(t *testing.T, h *harness, n int) {
	t.Helper()
	for i := 1; i <= n; i++ {
		text := fmt.Sprintf("bulk %d", i)
		if err := h.engine.Outbox().Enqueue(context.Background(), core.OutboxAlert, 0, core.OutboxPayload{Text: text},
			fmt.Sprintf("bulk:%d", i), time.Time{}); err != nil {
			t.Fatal(err)
		}
	}
}

// waitDelivered waits until no row is left undelivered.
func waitDelivered(t *testing.T, h *harness, within time.Duration) {
	t.Helper()
	deadline := time.Now().Add(within)
	for {
		left := h.pending(t)
		if left == 0 {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d rows still undelivered after %s", left, within)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// received is what the fakes accepted, by message.
type received struct {
	slack map[string][]time.Time // text → acceptance times
	sms   map[string][]time.Time // reference + template → acceptance times
}

func collect(t *testing.T, h *harness) received {
	t.Helper()
	got := received{slack: map[string][]time.Time{}, sms: map[string][]time.Time{}}
	for _, c := range h.slack.Calls() {
		text := strings.TrimPrefix(c.Text, ":bell: ")
		got.slack[text] = append(got.slack[text], c.At)
	}
	for _, m := range h.twilio.Accepted() {
		key := ""
		for _, st := range stepTemplates {
			if strings.HasPrefix(m.Body, st.prefix) {
				key = st.name
			}
		}
		i := strings.Index(m.Body, "ONW-")
		if key == "" || i < 0 {
			t.Errorf("unexpected text %q", m.Body)
			continue
		}
		ref := strings.TrimRight(m.Body[i:i+10], ".) ")
		got.sms[ref+" "+key] = append(got.sms[ref+" "+key], m.At)
	}
	return got
}

// checkSequences asserts every step of every referral arrived exactly
// once and in order.
func checkSequences(t *testing.T, got received, seqs []sequence) {
	t.Helper()
	for _, s := range seqs {
		var prev time.Time
		for j, step := range s.steps {
			var times []time.Time
			if text, ok := strings.CutPrefix(step, "slack:"); ok {
				times = got.slack[text]
			} else {
				times = got.sms[s.ref.Reference+" "+strings.TrimPrefix(step, "sms:")]
			}
			if len(times) != 1 {
				t.Errorf("%s step %d (%s) delivered %d times, want exactly once", s.ref.Reference, j, step, len(times))
				continue
			}
			if !times[0].After(prev) {
				t.Errorf("%s step %d (%s) arrived before step %d", s.ref.Reference, j, step, j-1)
			}
			prev = times[0]
		}
	}
}

func runWorker(t *testing.T, w *notify.Worker) (stop func()) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- w.Run(ctx) }()
	return func() {
		cancel()
		select {
		case <-done:
		case <-time.After(10 * time.Second):
			t.Error("worker did not stop")
		}
	}
}

// Providers that fail with 5xx, rate-limit with Retry-After and hang past
// the client timeout, then recover: every row is delivered exactly once,
// each referral's rows in order.
func TestFaultsThenRecovery(t *testing.T) {
	t.Parallel()
	h := newHarness(t, harnessOpts{realClock: true, timeout: 300 * time.Millisecond, maxAttempt: 40})
	seqs := queueSequences(t, h, 4, 8)
	queueBulk(t, h, 60)
	h.slack.SetScript(notifytest.Sequence(
		notifytest.Step{N: 6, Reply: notifytest.Reply{Status: 500}},
		notifytest.Step{N: 2, Reply: notifytest.Reply{Status: 429, RetryAfter: 1}},
		notifytest.Step{N: 3, Reply: notifytest.Reply{Hang: 2 * time.Second}},
		notifytest.Step{N: 2, Reply: notifytest.Reply{Code: "internal_error"}},
	))
	h.twilio.SetScript(notifytest.Sequence(
		notifytest.Step{N: 4, Reply: notifytest.Reply{Status: 500}},
		notifytest.Step{N: 3, Reply: notifytest.Reply{Status: 429}},
		notifytest.Step{N: 3, Reply: notifytest.Reply{Hang: 2 * time.Second}},
		notifytest.Step{N: 2, Reply: notifytest.Reply{Status: 503, Code: "20500"}},
	))
	stop := runWorker(t, h.worker(t, func(o *notify.Options) { o.Concurrency = 8 }))
	waitDelivered(t, h, 30*time.Second)
	stop()

	got := collect(t, h)
	checkSequences(t, got, seqs)
	for i := 1; i <= 60; i++ {
		if n := len(got.slack[fmt.Sprintf("bulk %d", i)]); n != 1 {
			t.Errorf("bulk %d delivered %d times", i, n)
		}
	}
	retried := 0
	for _, r := range h.rows(t) {
		if r.Dead {
			t.Errorf("row %d dead-lettered: %s", r.ID, r.LastError)
		}
		if r.Attempts > 1 {
			retried++
		}
	}
	if retried < 10 {
		t.Errorf("only %d rows needed a retry: the faults did not bite", retried)
	}
}

// Three workers on 1,000 rows: each is delivered once, and rows of one
// referral still leave in order.
func TestThreeWorkersDeliverEachRowOnce(t *testing.T) {
	t.Parallel()
	h := newHarness(t, harnessOpts{realClock: true})
	seqs := queueSequences(t, h, 6, 10)
	queueBulk(t, h, 1000-6*10)
	var stops []func()
	for i := 0; i < 3; i++ {
		stops = append(stops, runWorker(t, h.worker(t, func(o *notify.Options) { o.Concurrency = 8; o.Config.WorkerBatch = 20 })))
	}
	waitDelivered(t, h, 60*time.Second)
	var wg sync.WaitGroup
	for _, stop := range stops {
		wg.Add(1)
		go func() { defer wg.Done(); stop() }()
	}
	wg.Wait()
	got := collect(t, h)
	checkSequences(t, got, seqs)
	for i := 1; i <= 1000-6*10; i++ {
		if n := len(got.slack[fmt.Sprintf("bulk %d", i)]); n != 1 {
			t.Errorf("bulk %d delivered %d times", i, n)
		}
	}
	if n := len(h.slack.Calls()) + len(h.twilio.Accepted()); n != 1000 {
		t.Errorf("providers accepted %d messages, want 1000", n)
	}
}

// The worker's LISTEN connection is killed: it reconnects, LISTENs again
// and is woken by the next notification (the poll is an hour away).
func TestListenReconnects(t *testing.T) {
	t.Parallel()
	h := newHarness(t, harnessOpts{realClock: true})
	h.markAllSent(t)
	stop := runWorker(t, h.worker(t, func(o *notify.Options) { o.Config.WorkerPoll = time.Hour }))
	defer stop()
	ctx := context.Background()
	deliver := func(text string) {
		t.Helper()
		if err := h.engine.Outbox().Enqueue(ctx, core.OutboxAlert, 0, core.OutboxPayload{Text: text}, text, time.Time{}); err != nil {
			t.Fatal(err)
		}
		deadline := time.Now().Add(5 * time.Second)
		for time.Now().Before(deadline) {
			for _, c := range h.slack.Calls() {
				if c.Text == ":bell: "+text {
					return
				}
			}
			time.Sleep(10 * time.Millisecond)
		}
		t.Fatalf("%q not delivered within 5s", text)
	}
	first := listenerPID(t, h, 0)
	deliver("before")
	var ok bool
	if err := h.env.Pool.QueryRow(ctx, `SELECT pg_terminate_backend($1)`, first).Scan(&ok); err != nil || !ok {
		t.Fatalf("terminate listener: %v %v", ok, err)
	}
	second := listenerPID(t, h, first)
	if second == first {
		t.Fatal("same listener")
	}
	deliver("after")
}

// listenerPID waits for a backend of the test database LISTENing on the
// outbox channel, other than not.
func listenerPID(t *testing.T, h *harness, not int) int {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		var pid int
		err := h.env.Pool.QueryRow(context.Background(), `SELECT pid FROM pg_stat_activity
			WHERE datname = current_database() AND query = 'LISTEN `+core.OutboxChannel+`' AND pid <> $1 LIMIT 1`, not).Scan(&pid)
		if err == nil {
			return pid
		}
		time.Sleep(20 * time.Millisecond)
	}
	t.Fatal("no LISTEN connection")
	return 0
}
