package notify_test

import (
	"context"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/onward-network/onward/core"
	"github.com/onward-network/onward/notify"
	"github.com/onward-network/onward/notify/smtpfake"
)

// TestOldestPendingCountsRetries: an email the mail server keeps putting
// off (451) is pending between its attempts, not only while it is due:
// the oldest-pending gauge counts it from when it was queued. A row
// scheduled for later and never tried is not pending.
func TestOldestPendingCountsRetries(t *testing.T) {
	t.Parallel()
	h := newMailHarness(t, harnessOpts{noSlack: true}, smtpfake.Options{}, nil)
	h.markAllSent(t)
	ctx := context.Background()
	if err := h.engine.QueueSignInEmail(ctx, h.net.HousingAdviser.ID, "https://onward.example/staff/login?token=abc", "jti-oldest"); err != nil {
		t.Fatal(err)
	}
	if err := h.engine.Outbox().Enqueue(ctx, core.OutboxAlert, 0, core.OutboxPayload{Text: "later"}, "oldest-later",
		h.clock.Now().Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	h.smtp.SetScript(func(int) smtpfake.Reply { return smtpfake.Reply{Code: 451} })
	m := notify.NewMetrics()
	w := h.worker(t, func(o *notify.Options) {
		// The first retry in 5 to 10 minutes.
		o.Mail, o.Metrics, o.BaseBackoff, o.MaxBackoff = h.sender, m, 10*time.Minute, time.Hour
	})
	drain(t, w)
	if h.smtp.Attempts() != 1 {
		t.Fatalf("the server saw %d tries, want 1", h.smtp.Attempts())
	}
	h.env.Clock.Advance(4 * time.Minute)
	rec := httptest.NewRecorder()
	m.Handler(h.engine.Outbox(), h.clock).ServeHTTP(rec, httptest.NewRequest("GET", "/metrics", nil))
	if want := "onward_outbox_oldest_pending_seconds 240\n"; !strings.Contains(rec.Body.String(), want) {
		t.Errorf("metrics lack %q: the email waiting for its retry, queued four minutes ago:\n%s", want, rec.Body.String())
	}
}

// An on-call review found the oldest-pending gauge at 0 through a mail
// server outage: an email the server cannot be reached for is put back
// with its attempts at 0 and a later time, and the gauge took it for a
// row scheduled for later, and left rows in flight out. It now counts
// every row that should have gone by now from when it first fell due,
// pushed back or leased however long, and onward_outbox_pending counts
// them by kind, leaving out a reminder due later that
// onward_outbox_depth counts.
func TestOldestPendingThroughAMailServerOutage(t *testing.T) {
	t.Parallel()
	h := newMailHarness(t, harnessOpts{noSlack: true}, smtpfake.Options{}, nil)
	h.markAllSent(t)
	ctx := context.Background()
	outbox := h.engine.Outbox()
	if err := h.engine.QueueSignInEmail(ctx, h.net.HousingAdviser.ID, "https://onward.example/staff/login?token=abc", "jti-outage-gauge"); err != nil {
		t.Fatal(err)
	}
	if err := outbox.Enqueue(ctx, core.OutboxAlert, 0, core.OutboxPayload{Text: "later"}, "gauge-later",
		h.clock.Now().Add(48*time.Hour)); err != nil {
		t.Fatal(err)
	}
	_ = h.smtp.Down()
	m := notify.NewMetrics()
	w := h.worker(t, func(o *notify.Options) { o.Mail, o.Metrics = h.sender, m })
	scrape := func() string {
		rec := httptest.NewRecorder()
		// A fresh Metrics: one reading is kept for ten seconds of the
		// test's clock.
		notify.NewMetrics().Handler(outbox, h.clock).ServeHTTP(rec, httptest.NewRequest("GET", "/metrics", nil))
		return rec.Body.String()
	}
	for range 4 {
		drain(t, w)
		h.env.Clock.Advance(time.Minute)
	}
	if h.smtp.Attempts() != 0 {
		t.Fatalf("the server saw %d tries while down", h.smtp.Attempts())
	}
	body := scrape()
	for _, want := range []string{
		"onward_outbox_oldest_pending_seconds 240",
		`onward_outbox_pending{kind="email.send"} 1`,
		`onward_outbox_pending{kind="alert.coordinators"} 0`,
		`onward_outbox_depth{kind="alert.coordinators"} 1`,
	} {
		if !strings.Contains(body, want+"\n") {
			t.Errorf("with the mail server unreachable for four minutes, metrics lack %q:\n%s", want, body)
		}
	}

	// A row held by a worker for longer than it should take is pending
	// from when it fell due, lease or not.
	h.markAllSent(t)
	if err := outbox.Enqueue(ctx, core.OutboxAlert, 0, core.OutboxPayload{Text: "now"}, "gauge-leased", h.clock.Now()); err != nil {
		t.Fatal(err)
	}
	if cs, err := outbox.Claim(ctx, h.clock.Now(), time.Hour, 10); err != nil || len(cs) != 1 {
		t.Fatalf("claim = %v %v, want the one row", cs, err)
	}
	h.env.Clock.Advance(3 * time.Minute)
	body = scrape()
	for _, want := range []string{"onward_outbox_oldest_pending_seconds 180", `onward_outbox_pending{kind="alert.coordinators"} 1`} {
		if !strings.Contains(body, want+"\n") {
			t.Errorf("with a row leased three minutes ago, metrics lack %q:\n%s", want, body)
		}
	}
}

// An on-call review: serve --worker=false, which runs no worker and so
// reaches no mail server, exported
// onward_notify_mail_server_unreachable_seconds 0, as if it reached it.
// The series is there once a worker delivers with the metrics.
func TestMailServerGaugeOnlyWhereAWorkerRuns(t *testing.T) {
	t.Parallel()
	const name = "onward_notify_mail_server_unreachable_seconds"
	has := func(m *notify.Metrics) bool {
		t.Helper()
		families, err := m.Process().Gather()
		if err != nil {
			t.Fatal(err)
		}
		for _, f := range families {
			if f.GetName() == name {
				return true
			}
		}
		return false
	}
	m := notify.NewMetrics()
	if has(m) {
		t.Errorf("%s exported by a process with no worker", name)
	}
	h := newHarness(t, harnessOpts{})
	h.worker(t, func(o *notify.Options) { o.Metrics = m })
	if !has(m) {
		t.Errorf("%s missing where a worker runs", name)
	}
}
