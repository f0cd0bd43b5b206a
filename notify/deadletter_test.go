package notify_test

import (
	"context"
	"errors"
	"io"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/onward-network/onward/core"
	"github.com/onward-network/onward/notify"
	"github.com/onward-network/onward/notify/notifytest"
)

// A permanent failure dead-letters the row at once and alerts the
// coordinators once; `outbox retry` sends it when the cause is fixed.
func TestPermanentFailureDeadLettersAndRetry(t *testing.T) {
	t.Parallel()
	h := newHarness(t, harnessOpts{})
	ctx := context.Background()
	w := h.worker(t, nil)
	r := h.selfRefer(t, "k", toWelfare)
	h.slack.SetScript(notifytest.FailFirst(1, notifytest.Reply{Code: "channel_not_found"}))
	drain(t, w)

	dead, err := h.engine.Outbox().List(ctx, core.OutboxFilter{State: core.OutboxDead})
	if err != nil {
		t.Fatal(err)
	}
	if len(dead) != 1 || dead[0].Kind != core.OutboxCard || dead[0].Attempts != 1 || !strings.Contains(dead[0].LastError, "channel_not_found") {
		t.Fatalf("dead letters: %+v", dead)
	}
	if dead[0].Reference == nil || *dead[0].Reference != r.Reference {
		t.Errorf("dead letter does not name the referral: %+v", dead[0])
	}
	alerts := h.postsTo(triageChannel, "could not deliver")
	if alerts != 1 {
		t.Fatalf("want one coordinator alert, got %d: %+v", alerts, h.slack.Calls())
	}
	// The kind in plain words, with its article: "a Slack card", never "a card.post message".
	if n := h.postsTo(triageChannel, "could not deliver a Slack card"); n != 1 {
		t.Errorf("the alert does not name what failed in words: %+v", h.slack.Calls())
	}
	drain(t, w)
	if n := h.postsTo(triageChannel, "could not deliver"); n != 1 {
		t.Errorf("alert repeated: %d", n)
	}

	if err := h.engine.Outbox().Retry(ctx, dead[0].ID); err != nil {
		t.Fatal(err)
	}
	drain(t, w)
	if h.postsTo("C0WELFARE", "") != 1 {
		t.Errorf("the retried card was not posted: %+v", h.slack.Calls())
	}
	if dead, _ := h.engine.Outbox().List(ctx, core.OutboxFilter{State: core.OutboxDead}); len(dead) != 0 {
		t.Errorf("still dead: %+v", dead)
	}
	if err := h.engine.Outbox().Retry(ctx, dead[0].ID); !errors.Is(err, core.ErrNotFound) {
		t.Errorf("retrying a delivered row: %v", err)
	}
}

// Transient failures are retried with backoff until the attempt limit,
// then dead-lettered.
func TestTransientFailuresUntilMaxAttempts(t *testing.T) {
	t.Parallel()
	h := newHarness(t, harnessOpts{maxAttempt: 3, noSlack: true})
	w := h.worker(t, nil)
	h.selfRefer(t, "k", toWelfare)
	h.twilio.SetScript(func(int) notifytest.Reply { return notifytest.Reply{Status: 500} })
	var row outboxRow
	for i := 1; i <= 3; i++ {
		drain(t, w)
		row = h.scheduled(t, string(core.OutboxClientSMS), core.SMSConfirmation)
		if row.Attempts != i {
			t.Fatalf("after round %d: %d attempts", i, row.Attempts)
		}
		if i < 3 && (row.Dead || !row.AvailableAt.After(h.clock.Now())) {
			t.Fatalf("round %d: want a retry later, got %+v", i, row)
		}
		h.env.Clock.Advance(time.Second)
	}
	if !row.Dead || !strings.Contains(row.LastError, "twilio: status 500 (server error") {
		t.Fatalf("want dead after 3 attempts: %+v", row)
	}
	if n := h.twilio.Requests(); n != 3 {
		t.Errorf("Twilio got %d requests, want 3", n)
	}
}

// Twilio 21610 records the opt-out; an opted-out phone is never texted.
func TestOptOut(t *testing.T) {
	t.Parallel()
	h := newHarness(t, harnessOpts{noSlack: true})
	ctx := context.Background()
	w := h.worker(t, nil)
	h.twilio.SetScript(notifytest.FailFirst(1, notifytest.Reply{Code: "21610"}))
	h.selfRefer(t, "a", toWelfare)
	drain(t, w)
	out, err := h.engine.OptedOut(ctx, "+447700900123")
	if err != nil || !out {
		t.Fatalf("21610 did not record the opt-out: %v %v", out, err)
	}
	h.selfRefer(t, "b", toWelfare)
	drain(t, w)
	if n := h.twilio.Requests(); n != 1 {
		t.Errorf("an opted-out phone was texted: %d requests", n)
	}
	for _, r := range h.rows(t) {
		if r.Kind == string(core.OutboxClientSMS) && (!r.Sent || !strings.HasPrefix(r.DeliveryStatus, string(core.DeliverySkipped("")))) {
			t.Errorf("text row %d: %+v", r.ID, r)
		}
	}
}

func TestMetrics(t *testing.T) {
	t.Parallel()
	h := newHarness(t, harnessOpts{})
	m := notify.NewMetrics()
	w := h.worker(t, func(o *notify.Options) { o.Metrics = m })
	h.selfRefer(t, "k", toWelfare)
	drain(t, w)
	h.env.Clock.Advance(time.Minute)
	if err := h.engine.Outbox().Enqueue(context.Background(), core.OutboxAlert, 0, core.OutboxPayload{Text: "x"}, "m1", h.clock.Now().Add(-30*time.Second)); err != nil {
		t.Fatal(err)
	}
	rec := httptest.NewRecorder()
	m.Handler(h.engine.Outbox(), h.clock).ServeHTTP(rec, httptest.NewRequest("GET", "/metrics", nil))
	body, _ := io.ReadAll(rec.Body)
	for _, want := range []string{
		"# TYPE onward_outbox_depth gauge",
		`onward_outbox_depth{kind="reminder.ack"} 2`,
		`onward_outbox_depth{kind="alert.coordinators"} 1`,
		`onward_notify_deliveries_total{kind="card.sync",outcome="sent"} 1`,
		`onward_notify_deliveries_total{kind="sms.client",outcome="sent"} 1`,
		"onward_outbox_oldest_pending_seconds 30",
		"# TYPE onward_notify_retries_total counter",
		"# TYPE onward_notify_dead_letters_total counter",
	} {
		if !strings.Contains(string(body), want+"\n") {
			t.Errorf("metrics lack %q:\n%s", want, body)
		}
	}
}
