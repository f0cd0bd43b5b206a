package notify_test

import (
	"context"
	"fmt"
	"log/slog"
	"net"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/onward-network/onward/core"
	"github.com/onward-network/onward/core/coretest"
	"github.com/onward-network/onward/notify"
	"github.com/onward-network/onward/notify/smtpfake"
)

// TestEmailMailServerOutage: the mail server goes down (connections
// refused) while a dozen emails wait, and comes back. The worker says so
// twice, not a line an email: a warning when it starts, naming the
// server and the cause, and a line when it answers again; each email's
// wait is at debug level. It tries one email at a time on a backoff
// rather than every email it holds, the emails wait without using up
// their attempts (two here, and no day's grace), none is dead-lettered,
// and once the server is back each goes, once.
func TestEmailMailServerOutage(t *testing.T) {
	t.Parallel()
	h := newMailHarness(t, harnessOpts{realClock: true, maxAttempt: 2}, smtpfake.Options{}, nil)
	h.markAllSent(t)
	var dials atomic.Int64
	guard := smtpfake.Guard(t, h.smtp.Addr())
	sender, err := notify.NewSMTPSender(h.cfg, notify.SMTPOptions{Timeout: 2 * time.Second,
		Dial: func(ctx context.Context, network, addr string) (net.Conn, error) {
			dials.Add(1)
			return guard(ctx, network, addr)
		}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(sender.Close)
	var log coretest.LogBuffer
	m := notify.NewMetrics()
	unreachable := func() string {
		rec := httptest.NewRecorder()
		m.Handler(h.engine.Outbox(), h.clock).ServeHTTP(rec, httptest.NewRequest("GET", "/metrics", nil))
		for _, l := range strings.Split(rec.Body.String(), "\n") {
			if v, ok := strings.CutPrefix(l, "onward_notify_mail_server_unreachable_seconds "); ok {
				return v
			}
		}
		return "missing"
	}
	w := h.worker(t, func(o *notify.Options) {
		o.Mail, o.EmailRetryWindow, o.Metrics = sender, -1, m // attempts only: the outage must not use them
		o.UrgentBackoff = 50 * time.Millisecond               // the first wait between tries of the server
		o.Log = slog.New(slog.NewTextHandler(&log, &slog.HandlerOptions{Level: slog.LevelDebug}))
		o.Config.WorkerPoll = 50 * time.Millisecond
	})
	up := h.smtp.Down()
	const emails = 12
	for i := range emails {
		if err := h.engine.QueueSignInEmail(context.Background(), h.net.HousingAdviser.ID, "https://onward.example/staff/login?token=abc",
			fmt.Sprintf("jti-outage-%d", i)); err != nil {
			t.Fatal(err)
		}
	}
	stopWorker := runWorker(t, w)
	stopped := false
	stop := func() {
		if !stopped {
			stopped = true
			stopWorker()
		}
	}
	defer stop()
	eventually(t, "the worker finding the server down", 5*time.Second, func() bool {
		return strings.Contains(log.String(), "mail server unavailable")
	})
	time.Sleep(time.Second)
	before := dials.Load()
	time.Sleep(time.Second)
	// A try every 200 ms at most (the harness's longest backoff), one
	// email at a time: not a dozen.
	if tried := dials.Load() - before; tried > 7 {
		t.Errorf("%d connections to the down server in a second, want one try at a time on a backoff", tried)
	}
	waiting := 0
	for _, r := range h.rows(t) {
		if core.OutboxKind(r.Kind) != core.OutboxEmailSend {
			continue
		}
		if r.Dead || r.Sent {
			t.Fatalf("during the outage: row %+v, want waiting", r)
		}
		if r.DeliveryStatus == "waiting: the mail server cannot be reached" {
			waiting++
		}
	}
	if waiting == 0 {
		t.Error("no email says it waits for the mail server")
	}
	if v := unreachable(); v == "0" || v == "missing" {
		t.Errorf("during the outage the mail server has been unreachable for %s seconds, by the metrics", v)
	}

	if err := up(); err != nil {
		t.Fatal(err)
	}
	waitDelivered(t, h.harness, 10*time.Second)
	stop()

	sent := map[string]int{}
	for _, m := range h.smtp.Messages() {
		sent[parse(t, m).Header.Get("Message-Id")]++
	}
	if len(sent) != emails {
		t.Errorf("%d distinct emails arrived, want %d", len(sent), emails)
	}
	for id, n := range sent {
		if n != 1 {
			t.Errorf("email %s arrived %d times", id, n)
		}
	}
	for _, r := range h.rows(t) {
		if core.OutboxKind(r.Kind) == core.OutboxEmailSend && (!r.Sent || r.Attempts != 1) {
			t.Errorf("row %+v: want sent on its one counted attempt", r)
		}
	}
	noDeadLetters(t, h.harness)
	if v := unreachable(); v != "0" {
		t.Errorf("after the outage the mail server has been unreachable for %s seconds, by the metrics; want 0", v)
	}

	got := log.String()
	for want, n := range map[string]int{
		`level=WARN msg="mail server unavailable" err="dial tcp ` + h.smtp.Addr() + `: connect: connection refused" server=` + h.smtp.Addr() + " setting=ONWARD_SMTP_URL": 1,
		`level=INFO msg="mail server available again"`: 1,
		"delivery failed":        0,
		"dead-lettered":          0,
		"level=INFO msg=\"email": 0,
	} {
		if c := strings.Count(got, want); c != n {
			t.Errorf("%q logged %d times, want %d:\n%s", want, c, n, got)
		}
	}
	if !strings.Contains(got, `level=DEBUG msg="email waits for the mail server"`) {
		t.Errorf("no email's wait at debug level:\n%s", got)
	}
}
