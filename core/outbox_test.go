package core_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/onward-network/onward/core"
	"github.com/onward-network/onward/core/coretest"
)

// enqueueAlerts writes n coordinator alerts that belong to no referral.
func enqueueAlerts(t *testing.T, o *core.Outbox, prefix string, n int) {
	t.Helper()
	for i := 0; i < n; i++ {
		if err := o.Enqueue(context.Background(), core.OutboxAlert, 0, core.OutboxPayload{Text: fmt.Sprintf("%s %d", prefix, i)},
			fmt.Sprintf("%s:%d", prefix, i), time.Time{}); err != nil {
			t.Fatal(err)
		}
	}
}

// entry finds one row by id.
func entry(t *testing.T, o *core.Outbox, id core.OutboxID) core.OutboxEntry {
	t.Helper()
	es, err := o.List(context.Background(), core.OutboxFilter{State: core.OutboxAll, Limit: 10000})
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range es {
		if e.ID == id {
			return e
		}
	}
	t.Fatalf("outbox row %d not found", id)
	return core.OutboxEntry{}
}

// claimedAlert starts the tests of one row's life: a fresh network whose
// own rows are out of the way, and one coordinator alert (dedupe keys
// starting with prefix) claimed at the clock's time for a minute.
func claimedAlert(t *testing.T, prefix string) (*coretest.Env, *core.Outbox, core.OutboxClaim) {
	t.Helper()
	env := coretest.NewEnv(t)
	o := env.Engine.Outbox()
	coretest.MarkOutboxSent(t, env.Pool)
	enqueueAlerts(t, o, prefix, 1)
	c, err := o.Claim(context.Background(), env.Clock.Now(), time.Minute, 10)
	if err != nil || len(c) != 1 {
		t.Fatalf("claim the one alert: %+v, %v", c, err)
	}
	return env, o, c[0]
}

// Claimers racing on one table never get the same row: SKIP LOCKED passes
// over rows another claim holds, and the lease keeps them from being
// claimed again once it commits.
func TestOutboxClaimersNeverShareARow(t *testing.T) {
	t.Parallel()
	env := coretest.NewEnv(t)
	o := env.Engine.Outbox()
	const rows, claimers = 400, 8
	enqueueAlerts(t, o, "race", rows)
	now := env.Clock.Now()

	var mu sync.Mutex
	seen := map[core.OutboxID]int{}
	perClaimer := make([]int, claimers)
	var wg sync.WaitGroup
	start := make(chan struct{})
	for c := 0; c < claimers; c++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			for {
				got, err := o.Claim(context.Background(), now, time.Minute, 5)
				if err != nil {
					t.Error(err)
					return
				}
				if len(got) == 0 {
					return
				}
				mu.Lock()
				for _, r := range got {
					seen[r.ID]++
					perClaimer[c]++
				}
				mu.Unlock()
			}
		}()
	}
	close(start)
	wg.Wait()
	if len(seen) != rows {
		t.Errorf("%d distinct rows claimed, want %d", len(seen), rows)
	}
	for id, n := range seen {
		if n != 1 {
			t.Errorf("row %d claimed %d times", id, n)
		}
	}
	t.Logf("rows per claimer: %v", perClaimer)
	// Every row is leased now: nothing is due until the lease runs out.
	if got, err := o.Claim(context.Background(), now, time.Minute, 10); err != nil || len(got) != 0 {
		t.Errorf("claim during the lease: %d rows, %v", len(got), err)
	}
	if next, err := o.NextDue(context.Background(), now); err != nil || !next.Equal(now.Add(time.Minute)) {
		t.Errorf("next due = %v, %v; want the lease's end %v", next, err, now.Add(time.Minute))
	}
}

// A row whose lease ran out is claimed again, and the first claimer can no
// longer record anything on it.
func TestOutboxLeaseLost(t *testing.T) {
	t.Parallel()
	env, o, first := claimedAlert(t, "lease")
	ctx := context.Background()
	now := env.Clock.Now()
	if first.Attempts != 1 {
		t.Fatalf("first claim: %+v", first)
	}
	later := now.Add(2 * time.Minute)
	second, err := o.Claim(ctx, later, time.Minute, 10)
	// The first claim ended without an outcome (its worker died): it is
	// not counted as an attempt, only as cut short.
	if err != nil || len(second) != 1 || second[0].ID != first.ID || second[0].Attempts != 1 || second[0].CutShort != 1 {
		t.Fatalf("second claim after the lease ran out: %+v, %v", second, err)
	}
	for name, err := range map[string]error{
		"mark sending": o.MarkSending(ctx, first),
		"mark sent":    o.MarkSent(ctx, first, later, "X1", core.DeliveryPosted, nil),
		"defer":        o.Defer(ctx, first, later, core.DeliveryWaiting("test")),
		"retry later":  o.RetryLater(ctx, first, later, "boom"),
		"dead-letter":  o.DeadLetter(ctx, first, later, "boom", "alert", nil),
	} {
		if !errors.Is(err, core.ErrLeaseLost) {
			t.Errorf("%s with a lost lease: %v, want ErrLeaseLost", name, err)
		}
	}
	if err := o.MarkSent(ctx, second[0], later, "X2", core.DeliveryPosted, nil); err != nil {
		t.Fatal(err)
	}
	e := entry(t, o, second[0].ID)
	if e.State() != core.OutboxSent || e.ProviderID != "X2" || e.DeliveryStatus != core.DeliveryPosted {
		t.Errorf("after the second claimer's mark: %+v", e)
	}
}

// Each outcome moves a claimed row to the state and delivery status it
// names.
func TestOutboxStatusTransitions(t *testing.T) {
	t.Parallel()
	env := coretest.NewEnv(t)
	o := env.Engine.Outbox()
	ctx := context.Background()
	now := env.Clock.Now()
	until := now.Add(time.Hour)
	cases := []struct {
		name     string
		kind     core.OutboxKind
		act      func(c core.OutboxClaim) error
		state    core.OutboxState
		status   core.DeliveryStatus
		attempts int
		avail    time.Time // zero: not checked
		lastErr  string
		alerts   int // dead-letter alerts queued
	}{
		{name: "sent", kind: core.OutboxClientSMS,
			act:   func(c core.OutboxClaim) error { return o.MarkSent(ctx, c, now, "SM1", core.DeliverySMS("queued"), nil) },
			state: core.OutboxSent, status: "sms queued", attempts: 1},
		{name: "skipped", kind: core.OutboxCard,
			act: func(c core.OutboxClaim) error {
				return o.MarkSent(ctx, c, now, "", core.DeliverySkipped("Slack not configured"), nil)
			},
			state: core.OutboxSent, status: "skipped: Slack not configured", attempts: 1},
		{name: "sending", kind: core.OutboxClientSMS,
			act:   func(c core.OutboxClaim) error { return o.MarkSending(ctx, c) },
			state: core.OutboxPending, status: core.DeliverySending, attempts: 1},
		{name: "deferred", kind: core.OutboxClientSMS,
			act:   func(c core.OutboxClaim) error { return o.Defer(ctx, c, until, core.DeliveryWaiting("quiet hours")) },
			state: core.OutboxPending, status: "waiting: quiet hours", attempts: 0, avail: until},
		{name: "sending, deferred", kind: core.OutboxClientSMS,
			act: func(c core.OutboxClaim) error {
				if err := o.MarkSending(ctx, c); err != nil {
					return err
				}
				return o.Defer(ctx, c, until, core.DeliveryWaiting("quiet hours"))
			},
			state: core.OutboxPending, status: core.DeliverySending, attempts: 0, avail: until},
		{name: "sending, checked later", kind: core.OutboxClientSMS,
			act: func(c core.OutboxClaim) error {
				if err := o.MarkSending(ctx, c); err != nil {
					return err
				}
				return o.CheckLater(ctx, c, until, "twilio could not confirm")
			},
			state: core.OutboxPending, status: core.DeliverySending, attempts: 1, avail: until, lastErr: "twilio could not confirm"},
		{name: "sending, retried later", kind: core.OutboxClientSMS,
			act: func(c core.OutboxClaim) error {
				if err := o.MarkSending(ctx, c); err != nil {
					return err
				}
				return o.RetryLater(ctx, c, until, "twilio: status 500")
			},
			state: core.OutboxPending, status: core.DeliveryPending, attempts: 1, avail: until, lastErr: "twilio: status 500"},
		{name: "retry later", kind: core.OutboxClientSMS,
			act:   func(c core.OutboxClaim) error { return o.RetryLater(ctx, c, until, "twilio: status 500") },
			state: core.OutboxPending, status: core.DeliveryPending, attempts: 1, avail: until, lastErr: "twilio: status 500"},
		{name: "dead", kind: core.OutboxClientSMS,
			act: func(c core.OutboxClaim) error {
				return o.DeadLetter(ctx, c, now, "permanent", "could not deliver", nil)
			},
			state: core.OutboxDead, status: core.DeliveryDead, attempts: 1, lastErr: "permanent", alerts: 1},
		{name: "dead alert", kind: core.OutboxAlert,
			act: func(c core.OutboxClaim) error {
				return o.DeadLetter(ctx, c, now, "permanent", "could not deliver", nil)
			},
			state: core.OutboxDead, status: core.DeliveryDead, attempts: 1, lastErr: "permanent", alerts: 0},
	}
	for i, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			coretest.MarkOutboxSent(t, env.Pool)
			alertsBefore := countAlerts(t, o)
			if err := o.Enqueue(ctx, c.kind, 0, core.OutboxPayload{Template: core.SMSAccepted, Text: "x"}, fmt.Sprintf("tr:%d", i), time.Time{}); err != nil {
				t.Fatal(err)
			}
			claimed, err := o.Claim(ctx, now, time.Minute, 10)
			if err != nil || len(claimed) != 1 {
				t.Fatalf("claim: %+v, %v", claimed, err)
			}
			if err := c.act(claimed[0]); err != nil {
				t.Fatal(err)
			}
			e := entry(t, o, claimed[0].ID)
			if e.State() != c.state || e.DeliveryStatus != c.status || e.Attempts != c.attempts || e.LastError != c.lastErr {
				t.Errorf("got state %s, status %q, %d attempts, last error %q; want %s, %q, %d, %q",
					e.State(), e.DeliveryStatus, e.Attempts, e.LastError, c.state, c.status, c.attempts, c.lastErr)
			}
			if !c.avail.IsZero() && !e.AvailableAt.Equal(c.avail) {
				t.Errorf("available at %v, want %v", e.AvailableAt, c.avail)
			}
			if n := countAlerts(t, o) - alertsBefore; n != c.alerts {
				t.Errorf("%d dead-letter alerts queued, want %d", n, c.alerts)
			}
		})
	}
}

func countAlerts(t *testing.T, o *core.Outbox) int {
	t.Helper()
	es, err := o.List(context.Background(), core.OutboxFilter{State: core.OutboxAll, Limit: 10000})
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, e := range es {
		if e.Kind == core.OutboxAlert && e.Payload.Level == "dead-letter" {
			n++
		}
	}
	return n
}

// A sending row claimed again says so, and when it was marked, so the
// worker checks it with Twilio rather than text twice; `outbox retry` puts a dead letter back with a
// fresh attempt count, and refuses a delivered row.
func TestOutboxInterruptedSendAndRetry(t *testing.T) {
	t.Parallel()
	env, o, c := claimedAlert(t, "retry")
	ctx := context.Background()
	now := env.Clock.Now()
	if err := o.MarkSending(ctx, c); err != nil {
		t.Fatal(err)
	}
	again, err := o.Claim(ctx, now.Add(2*time.Minute), time.Minute, 1)
	if err != nil || len(again) != 1 || again[0].DeliveryStatus != core.DeliverySending {
		t.Fatalf("claim after a crash mid-send: %+v, %v", again, err)
	}
	// The claim says when the row was marked, for the check with Twilio.
	if again[0].SendingAt == nil || !again[0].SendingAt.Equal(now) {
		t.Errorf("claim after a crash mid-send: sending at %v, want %v", again[0].SendingAt, now)
	}
	if err := o.DeadLetter(ctx, again[0], now, "interrupted during send", "", nil); err != nil {
		t.Fatal(err)
	}
	dead, err := o.List(ctx, core.OutboxFilter{State: core.OutboxDead})
	if err != nil || len(dead) != 1 || dead[0].ID != c.ID {
		t.Fatalf("dead letters: %+v, %v", dead, err)
	}
	if err := o.Retry(ctx, c.ID); err != nil {
		t.Fatal(err)
	}
	e := entry(t, o, c.ID)
	if e.State() != core.OutboxPending || e.Attempts != 0 || e.DeliveryStatus != core.DeliveryPending {
		t.Fatalf("after retry: %+v", e)
	}
	retried, err := o.Claim(ctx, env.Clock.Now(), time.Minute, 1)
	if err != nil || len(retried) != 1 {
		t.Fatal(retried, err)
	}
	if err := o.MarkSent(ctx, retried[0], now, "", core.DeliveryPosted, nil); err != nil {
		t.Fatal(err)
	}
	if err := o.Retry(ctx, c.ID); !errors.Is(err, core.ErrNotFound) {
		t.Errorf("retrying a delivered row: %v, want ErrNotFound", err)
	}
}

// Provider callbacks record the delivery status by message id; a final
// status is never replaced by a late earlier one, nor by one showing the
// message got less far.
func TestOutboxRecordDelivery(t *testing.T) {
	t.Parallel()
	env, o, c := claimedAlert(t, "cb")
	ctx := context.Background()
	now := env.Clock.Now()
	if known, err := o.ProviderIDKnown(ctx, "SM123"); err != nil || known {
		t.Fatalf("known before sending: %v, %v", known, err)
	}
	if err := o.MarkSent(ctx, c, now, "SM123", core.DeliverySMS("queued"), nil); err != nil {
		t.Fatal(err)
	}
	for _, step := range []struct {
		status core.DeliveryStatus
		code   string
		rows   int64
		want   core.DeliveryStatus
	}{
		{"sent", "", 1, "sent"},
		{core.DeliveryUndelivered, "30003", 1, core.DeliveryUndelivered},
		{"sent", "", 0, core.DeliveryUndelivered}, // late, earlier status
		{core.DeliveryDelivered, "", 1, core.DeliveryDelivered},
		{core.DeliveryFailed, "30008", 0, core.DeliveryDelivered}, // late: it was delivered
		{core.DeliveryRead, "", 1, core.DeliveryRead},             // WhatsApp's, after delivered
		{core.DeliveryDelivered, "", 0, core.DeliveryRead},        // late, earlier final status
		{"sent", "", 0, core.DeliveryRead},
	} {
		n, err := o.RecordDelivery(ctx, "SM123", step.status, step.code)
		if err != nil || n != step.rows {
			t.Errorf("record %q: %d rows, %v; want %d", step.status, n, err, step.rows)
		}
		if got := entry(t, o, c.ID).DeliveryStatus; got != step.want {
			t.Errorf("after %q: status %q, want %q", step.status, got, step.want)
		}
	}
	if n, err := o.RecordDelivery(ctx, "SMunknown", core.DeliveryDelivered, ""); err != nil || n != 0 {
		t.Errorf("unknown id: %d rows, %v", n, err)
	}
	if known, err := o.ProviderIDKnown(ctx, "SM123"); err != nil || !known {
		t.Errorf("known after sending: %v, %v", known, err)
	}
}

// A referral's rows leave in order: a later row waits while an earlier one
// is due or in flight.
func TestOutboxClaimKeepsReferralOrder(t *testing.T) {
	t.Parallel()
	env := coretest.NewEnv(t)
	o := env.Engine.Outbox()
	ctx := context.Background()
	r := referralIn(t, env, core.StatusRequested, "order")
	coretest.MarkOutboxSent(t, env.Pool)
	for i := 0; i < 3; i++ {
		if err := o.Enqueue(ctx, core.OutboxAlert, r.ID, core.OutboxPayload{ReferralID: r.ID, Text: "x"}, fmt.Sprintf("order:%d", i), time.Time{}); err != nil {
			t.Fatal(err)
		}
	}
	now := env.Clock.Now()
	var order []core.OutboxID
	for i := 0; i < 3; i++ {
		got, err := o.Claim(ctx, now, time.Minute, 10)
		if err != nil || len(got) != 1 {
			t.Fatalf("claim %d: %+v, %v (want exactly the oldest row)", i, got, err)
		}
		if again, _ := o.Claim(ctx, now, time.Minute, 10); len(again) != 0 {
			t.Fatalf("a later row of the referral was claimed while an earlier one is in flight: %+v", again)
		}
		order = append(order, got[0].ID)
		if err := o.MarkSent(ctx, got[0], now, "", core.DeliveryPosted, nil); err != nil {
			t.Fatal(err)
		}
	}
	if !(order[0] < order[1] && order[1] < order[2]) {
		t.Errorf("claimed out of order: %v", order)
	}
}

// The final statuses are exactly the provider's last words.
func TestDeliveryStatusFinal(t *testing.T) {
	t.Parallel()
	for s, want := range map[core.DeliveryStatus]bool{
		core.DeliveryDelivered: true, core.DeliveryUndelivered: true, core.DeliveryFailed: true,
		core.DeliveryRead: true, core.DeliveryCanceled: true,
		"queued": false, "sent": false, core.DeliverySending: false, core.DeliveryPending: false,
	} {
		if s.Final() != want {
			t.Errorf("%q.Final() = %v, want %v", s, !want, want)
		}
	}
}

// A claim cut short (its worker died before recording an outcome) does
// not use up an attempt; an attempt that ended in a retry does. Release
// gives a row back uncounted, but never a text marked "sending".
func TestOutboxCutShortClaimIsNotAnAttempt(t *testing.T) {
	t.Parallel()
	env, o, first := claimedAlert(t, "cut")
	ctx := context.Background()
	now := env.Clock.Now()
	claim := func(at time.Time) core.OutboxClaim {
		t.Helper()
		c, err := o.Claim(ctx, at, time.Minute, 1)
		if err != nil || len(c) != 1 {
			t.Fatalf("claim at %v: %+v, %v", at, c, err)
		}
		return c[0]
	}
	second := claim(now.Add(2 * time.Minute)) // the first worker died
	if first.Attempts != 1 || second.Attempts != 1 || second.CutShort != 1 {
		t.Fatalf("attempts %d then %d (cut short %d), want 1 and 1 (1)", first.Attempts, second.Attempts, second.CutShort)
	}
	if err := o.RetryLater(ctx, second, now.Add(3*time.Minute), "boom"); err != nil {
		t.Fatal(err)
	}
	third := claim(now.Add(3 * time.Minute))
	if third.Attempts != 2 || third.CutShort != 1 {
		t.Fatalf("after a real failure: attempts %d, cut short %d; want 2, 1", third.Attempts, third.CutShort)
	}
	if err := o.Release(ctx, third, now.Add(3*time.Minute)); err != nil {
		t.Fatal(err)
	}
	fourth := claim(now.Add(3 * time.Minute))
	if fourth.Attempts != 2 || fourth.CutShort != 1 {
		t.Fatalf("after release: attempts %d, cut short %d; want 2, 1", fourth.Attempts, fourth.CutShort)
	}
	if err := o.MarkSending(ctx, fourth); err != nil {
		t.Fatal(err)
	}
	if err := o.Release(ctx, fourth, now); !errors.Is(err, core.ErrLeaseLost) {
		t.Errorf("release of a text marked sending: %v, want it kept (ErrLeaseLost)", err)
	}
}

// A database migrated past this binary is refused, naming both versions.
func TestCheckSchemaRefusesANewerDatabase(t *testing.T) {
	t.Parallel()
	pool := coretest.NewPool(t)
	ctx := context.Background()
	if err := core.CheckSchema(ctx, pool); err != nil {
		t.Fatalf("current schema: %v", err)
	}
	var have int
	if err := pool.QueryRow(ctx, "UPDATE schema_version SET version = version + 1 RETURNING version").Scan(&have); err != nil {
		t.Fatal(err)
	}
	err := core.CheckSchema(ctx, pool)
	if !errors.Is(err, core.ErrSchemaAhead) || !strings.Contains(err.Error(), fmt.Sprintf(" at %d, binary at %d", have, have-1)) {
		t.Errorf("newer database: %v, want ErrSchemaAhead naming both versions", err)
	}
}
