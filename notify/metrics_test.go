package notify_test

import (
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/onward-network/onward/core"
	"github.com/onward-network/onward/notify"
	"github.com/onward-network/onward/notify/notifytest"
)

// TestMetricsCountRetriesAndDeadLetters: a text Twilio refuses until
// the attempt limit is counted as retried, then dead; a kind delivered
// without trouble shows its retries and dead letters at 0, so the first
// one is an increase an alert sees. The outbox's gauges count the dead
// letter waiting for `onward outbox retry`.
func TestMetricsCountRetriesAndDeadLetters(t *testing.T) {
	t.Parallel()
	h := newHarness(t, harnessOpts{maxAttempt: 3})
	m := notify.NewMetrics()
	w := h.worker(t, func(o *notify.Options) { o.Metrics = m })
	h.selfRefer(t, "k", toWelfare)
	h.twilio.SetScript(func(int) notifytest.Reply { return notifytest.Reply{Status: 500} })
	for range 3 {
		drain(t, w)
		h.env.Clock.Advance(time.Second)
	}
	rec := httptest.NewRecorder()
	m.Handler(h.engine.Outbox(), h.clock).ServeHTTP(rec, httptest.NewRequest("GET", "/metrics", nil))
	if got := rec.Header().Get("Content-Type"); got != "text/plain; version=0.0.4; charset=utf-8" {
		t.Errorf("Content-Type %q", got)
	}
	body := rec.Body.String()
	for _, want := range []string{
		`onward_notify_retries_total{kind="sms.client"} 2`,
		`onward_notify_dead_letters_total{kind="sms.client"} 1`,
		`onward_notify_deliveries_total{kind="sms.client",outcome="dead"} 1`,
		`onward_outbox_dead{kind="sms.client"} 1`,
		`onward_notify_deliveries_total{kind="card.sync",outcome="sent"} 1`,
		`onward_notify_retries_total{kind="card.sync"} 0`,
		`onward_notify_dead_letters_total{kind="card.sync"} 0`,
		"# TYPE onward_notify_dead_letters_total counter",
	} {
		if !strings.Contains(body, want+"\n") {
			t.Errorf("metrics lack %q:\n%s", want, body)
		}
	}
	if strings.Contains(body, string(core.OutboxClientSMS)+`",outcome="sent"`) {
		t.Errorf("a text that never went is counted as sent:\n%s", body)
	}
}
