package notify_test

import (
	"context"
	"log/slog"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/onward-network/onward/core"
	"github.com/onward-network/onward/core/coretest"
	"github.com/onward-network/onward/notify"
	"github.com/onward-network/onward/notify/smtpfake"
)

// TestEmailFinalDot: how the server answers the final "." of a sign-in
// email's data, or does not. The sender gives each command before it
// 300 ms and waits for the answer to the "." up to its final timeout
// (RFC 5321's 10 minutes in production, 1.5 s here) or the worker's
// lease, whichever ends first. A slow answer within that is waited for:
// sent once. No answer at all (the wait runs out, the connection ends
// after the ".") leaves the email's fate unknown, as the server may have
// taken it: it is dead-lettered as interrupted, counted, logged once,
// and never sent again. A connection dropped before the "." is retried
// as before: the server held nothing.
func TestEmailFinalDot(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name        string
		reply       smtpfake.Reply // the server's answer to the email's first try
		lease       time.Duration  // the worker's lease; 0 is the default, 2 min
		finalWait   time.Duration  // the sender's wait for the answer to the "."; 0 is RFC 5321's
		interrupted bool           // dead-lettered as interrupted; else sent
		tries       int            // DATA commands the server saw
	}{
		{"answered after the command timeout", smtpfake.Reply{Delay: time.Second}, 0, 1500 * time.Millisecond, false, 1},
		{"not answered within the final wait", smtpfake.Reply{Delay: 3 * time.Second}, 0, 1500 * time.Millisecond, true, 1},
		{"connection ends after the final dot", smtpfake.Reply{Unanswered: true}, 0, 1500 * time.Millisecond, true, 1},
		// The lease leaves 5 s (it less the 5 s kept to record the outcome).
		{"not answered while the lease holds", smtpfake.Reply{Delay: 7 * time.Second}, 10 * time.Second, 0, true, 1},
		{"connection dropped before the final dot", smtpfake.Reply{Disconnect: true}, 0, 1500 * time.Millisecond, false, 2},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			// With Slack, the coordinators hear of a dead letter there:
			// the sign-in email is the only email.
			h := newMailHarness(t, harnessOpts{realClock: true}, smtpfake.Options{}, nil)
			h.markAllSent(t)
			sender, err := notify.NewSMTPSender(h.cfg, notify.SMTPOptions{Timeout: 300 * time.Millisecond,
				FinalReplyTimeout: tc.finalWait, Dial: smtpfake.Guard(t, h.smtp.Addr())})
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(sender.Close)
			h.smtp.SetScript(func(n int) smtpfake.Reply {
				if n == 1 {
					return tc.reply
				}
				return smtpfake.Reply{}
			})
			if err := h.engine.QueueSignInEmail(context.Background(), h.net.HousingAdviser.ID, "https://onward.example/staff/login?token=abc", "jti-dot"); err != nil {
				t.Fatal(err)
			}
			var log coretest.LogBuffer
			m := notify.NewMetrics()
			w := h.worker(t, func(o *notify.Options) {
				o.Mail, o.Metrics, o.Lease = sender, m, tc.lease
				o.Log = slog.New(slog.NewTextHandler(&log, nil))
			})
			eventually(t, "the email sent or given up on", 15*time.Second, func() bool {
				drain(t, w)
				return h.pendingKind(t, core.OutboxEmailSend) == 0
			})
			// The server keeps a message it answers late, or never.
			eventually(t, "the server holding the email", 10*time.Second, func() bool { return len(h.smtp.Messages()) > 0 })
			time.Sleep(200 * time.Millisecond) // a retry, if there were one, would be on its way

			if got := len(byRecipient(h.smtp.Messages())[h.net.HousingAdviser.Email]); got != 1 || len(h.smtp.Messages()) != 1 {
				t.Errorf("the adviser got %d sign-in emails (%d messages in all), want exactly one", got, len(h.smtp.Messages()))
			}
			if got := h.smtp.Attempts(); got != tc.tries {
				t.Errorf("the server saw %d tries, want %d", got, tc.tries)
			}
			row := h.sendRow(t)
			rec := httptest.NewRecorder()
			m.Handler(h.engine.Outbox(), h.clock).ServeHTTP(rec, httptest.NewRequest("GET", "/metrics", nil))
			counted := strings.Contains(rec.Body.String(), `onward_notify_interrupted_total{kind="email.send"} 1`+"\n")
			lines := strings.Count(log.String(), "delivery interrupted: the provider may have taken it")
			if !tc.interrupted {
				if !row.Sent || row.DeliveryStatus != string(notify.DeliveryEmailed) || counted || lines != 0 {
					t.Errorf("row %+v, counted interrupted %v, %d lines; want sent, nothing interrupted", row, counted, lines)
				}
				return
			}
			if !row.Dead || row.Sent || row.Attempts != 1 || !strings.Contains(row.LastError, "interrupted during send") ||
				!strings.Contains(row.LastError, "may have taken it") || !strings.Contains(row.LastError, "Message-ID <outbox-") {
				t.Errorf("row %+v: want dead-lettered on its first attempt as interrupted, naming its Message-ID", row)
			}
			if !counted {
				t.Errorf("the interrupted email is not counted:\n%s", rec.Body.String())
			}
			if lines != 1 || strings.Contains(log.String(), "will retry") {
				t.Errorf("want one log line saying it may have been taken, no retry:\n%s", log.String())
			}
			alerts := 0
			for _, r := range h.rows(t) {
				if core.OutboxKind(r.Kind) == core.OutboxAlert && r.Level == "dead-letter" {
					alerts++
				}
			}
			if alerts != 1 {
				t.Errorf("%d dead-letter alerts for the coordinators, want 1", alerts)
			}
		})
	}
}
