package notify_test

import (
	"context"
	"errors"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/onward-network/onward/core"
	"github.com/onward-network/onward/core/coretest"
	"github.com/onward-network/onward/notify"
	"github.com/onward-network/onward/notify/smtpfake"
)

// TestEmailStoppedMidSend: a worker told to stop while its email waits on
// the mail server. Until the final "." of the message's data the server
// holds nothing it may deliver, so a row stopped there — the server never
// greeted, or holds its answer to MAIL FROM or RCPT TO — is given back
// and another worker sends it at once, once, nothing dead-lettered. Past
// the final "." the server may have taken it: the row stays "sending",
// and is dead-lettered as interrupted when its lease ends, never sent
// twice. The worker's log line says which, with true counts.
func TestEmailStoppedMidSend(t *testing.T) {
	t.Parallel()
	const givenBack = "rows given back for another worker to take at once"
	cases := []struct {
		name   string
		hold   smtpfake.Reply // the server's answer, Hold set by the test; zero: it never greets
		reach  string         // what the worker waits on when it is stopped: "connection", "attempt", "sending"
		resent bool           // given back and sent by the next worker; else interrupted
	}{
		{"the server never greets", smtpfake.Reply{}, "connection", true},
		{"the server holds its answer to MAIL FROM", smtpfake.Reply{At: "mail"}, "attempt", true},
		{"the server holds its answer to RCPT TO", smtpfake.Reply{At: "rcpt"}, "attempt", true},
		{"the server holds its answer to the final dot", smtpfake.Reply{}, "sending", false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			h := newMailHarness(t, harnessOpts{noSlack: true}, smtpfake.Options{}, nil)
			h.markAllSent(t)
			hold := make(chan struct{})
			release := func() {
				select {
				case <-hold:
				default:
					close(hold)
				}
			}
			t.Cleanup(release)
			if tc.reach == "connection" {
				unmute := h.smtp.Mute()
				release = unmute
				t.Cleanup(unmute)
			} else {
				r := tc.hold
				r.Hold = hold
				h.smtp.SetScript(func(n int) smtpfake.Reply {
					if n == 1 {
						return r
					}
					return smtpfake.Reply{}
				})
			}
			if err := h.engine.QueueSignInEmail(context.Background(), h.net.HousingAdviser.ID, "https://onward.example/staff/login?token=abc", "jti-stop"); err != nil {
				t.Fatal(err)
			}
			var log coretest.LogBuffer
			first := h.worker(t, func(o *notify.Options) {
				o.Mail, o.Grace, o.Lease = h.sender, 300*time.Millisecond, time.Hour
				o.Log = slog.New(slog.NewTextHandler(&log, nil))
				o.Config.WorkerPoll = 50 * time.Millisecond
			})
			ctx, stop := context.WithCancel(context.Background())
			done := make(chan error, 1)
			go func() { done <- first.Run(ctx) }()
			eventually(t, "the email waiting on the server", 10*time.Second, func() bool {
				switch tc.reach {
				case "connection":
					return h.smtp.Conns() > 0
				case "attempt":
					return h.smtp.Attempts() > 0
				}
				return h.sendRow(t).DeliveryStatus == string(core.DeliverySending)
			})
			stop() // SIGTERM
			select {
			case <-done:
			case <-time.After(5 * time.Second):
				t.Fatal("the worker did not stop after its grace period")
			}

			row := h.sendRow(t)
			line := log.String()
			if tc.resent {
				if row.Sent || row.Dead || row.DeliveryStatus == string(core.DeliverySending) || row.AvailableAt.After(h.clock.Now()) {
					t.Fatalf("after the stop: %+v, want given back, due now, not marked sending", row)
				}
				if !strings.Contains(line, givenBack) || !strings.Contains(line, "given_back=1") {
					t.Errorf("log %q: want the row given back, given_back=1", line)
				}
			} else {
				if row.DeliveryStatus != string(core.DeliverySending) {
					t.Fatalf("after the stop: %+v, want kept sending", row)
				}
				if strings.Contains(line, givenBack) || !strings.Contains(line, "no row given back") || !strings.Contains(line, "given_back=0") {
					t.Errorf("log %q: want no row given back, given_back=0", line)
				}
			}

			// The server answers again; the first worker, woken late, sends
			// nothing: its row is not its own any more.
			release()
			second := h.mailWorker(t)
			if !tc.resent {
				h.env.Clock.Advance(time.Hour + time.Minute) // the lease ends
			}
			drain(t, second)
			row = h.sendRow(t)
			got := len(byRecipient(h.smtp.Messages())[h.net.HousingAdviser.Email])
			if tc.resent {
				if !row.Sent || row.Dead || row.DeliveryStatus != string(notify.DeliveryEmailed) || row.Attempts != 1 || got != 1 {
					t.Errorf("row %+v, %d emails to the adviser: want sent once, on its first counted attempt", row, got)
				}
				noDeadLetters(t, h.harness)
				return
			}
			if !row.Dead || !strings.Contains(row.LastError, "interrupted during send") {
				t.Errorf("row %+v: want dead-lettered as interrupted", row)
			}
			if got > 1 {
				t.Errorf("the adviser got %d emails: sent again after an interruption", got)
			}
		})
	}
}

// sendRow is the one email.send row the test queued (the first, before
// any dead-letter email).
func (h *mailHarness) sendRow(t *testing.T) outboxRow {
	t.Helper()
	for _, r := range h.rows(t) {
		if core.OutboxKind(r.Kind) == core.OutboxEmailSend {
			return r
		}
	}
	t.Fatal("no email.send row")
	return outboxRow{}
}

// TestEmailCommitComesBeforeTheFinalDot: the sender calls commit once
// the server has the whole message and before the final "." that asks
// it to take it; a commit that fails (a lost lease) calls the send off,
// the server takes nothing, and the error comes back as it is.
func TestEmailCommitComesBeforeTheFinalDot(t *testing.T) {
	t.Parallel()
	srv, sender := reuseSender(t, smtpfake.Options{})
	ctx := context.Background()
	commits := 0
	err := sender.SendMail(ctx, reuseMail(1), func() error {
		commits++
		if n := len(srv.Messages()); n != 0 {
			t.Errorf("at commit the server already took %d messages", n)
		}
		return nil
	})
	if err != nil || commits != 1 {
		t.Fatalf("send: %v, %d commits; want sent, one commit", err, commits)
	}
	if n, _ := accepted(t, srv, "reuse-1@onward.example"); n != 1 {
		t.Fatalf("the server took the message %d times, want once", n)
	}
	err = sender.SendMail(ctx, reuseMail(2), func() error { return core.ErrLeaseLost })
	if !errors.Is(err, core.ErrLeaseLost) {
		t.Errorf("send called off: %v, want the commit's error", err)
	}
	if n, _ := accepted(t, srv, "reuse-2@onward.example"); n != 0 || srv.Attempts() != 2 {
		t.Errorf("the server took the called-off message %d times (%d offered), want never", n, srv.Attempts())
	}
	// The connection the called-off send left is not reused.
	if err := sender.SendMail(ctx, reuseMail(3), nil); err != nil {
		t.Fatal(err)
	}
	if n, conn := accepted(t, srv, "reuse-3@onward.example"); n != 1 || conn != 2 {
		t.Errorf("the next message: taken %d times on connection %d, want once on a new one (2)", n, conn)
	}
}
