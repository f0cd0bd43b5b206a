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
