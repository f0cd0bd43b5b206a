package notify_test

import (
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/onward-network/onward/core"
	"github.com/onward-network/onward/notify"
	"github.com/onward-network/onward/notify/smtpfake"
)

// TestEmailOnAReusedConnection sends a sign-in email, lets something
// happen to the connection the sender keeps for the next message, and
// sends a second one. A connection the server closed while it sat idle
// costs the second email nothing: it goes out on its first attempt, once,
// on a fresh connection. A failure once the message was under way is not
// resent at once: the outbox retries it with backoff, and after DATA's
// 250 never.
func TestEmailOnAReusedConnection(t *testing.T) {
	t.Parallel()
	waitDisconnected := func(t *testing.T, h *mailHarness) {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		if err := h.smtp.WaitDisconnected(ctx); err != nil {
			t.Fatal(err)
		}
	}
	timedOut := func(t *testing.T, h *mailHarness) { waitDisconnected(t, h) }
	hungUp := func(t *testing.T, h *mailHarness) { h.smtp.HangUp(); waitDisconnected(t, h) }
	idle := smtpfake.Options{IdleTimeout: 300 * time.Millisecond}
	idleTLS := smtpfake.Options{IdleTimeout: 300 * time.Millisecond, Username: "onward", Password: "right"}
	first := func(r smtpfake.Reply) smtpfake.Script {
		return func(n int) smtpfake.Reply {
			if n == 1 {
				return r
			}
			return smtpfake.Reply{}
		}
	}
	cases := []struct {
		name      string
		server    smtpfake.Options
		gap       func(*testing.T, *mailHarness) // between the two emails
		script    smtpfake.Script                // the server's answers to the second email
		wantSent  bool                           // the second email is sent on its first attempt
		wantTries int                            // MAIL FROM commands the server saw for the second email
		wantConn  int                            // the connection the second email arrived on
	}{
		{"server timed the idle connection out (421)", idle, timedOut, nil, true, 1, 2},
		{"server timed the idle connection out, STARTTLS", idleTLS, timedOut, nil, true, 1, 2},
		{"server hung up without a word", smtpfake.Options{}, hungUp, nil, true, 1, 2},
		{"421 to MAIL FROM", smtpfake.Options{}, nil, first(smtpfake.Reply{Code: 421, At: "mail"}), true, 2, 2},
		{"server hangs up after the 250", smtpfake.Options{}, nil, first(smtpfake.Reply{HangUp: true}), true, 1, 1},
		{"421 after DATA is not resent at once", smtpfake.Options{}, nil, first(smtpfake.Reply{Code: 421}), false, 1, 0},
		{"dropped during DATA is not resent at once", smtpfake.Options{}, nil, first(smtpfake.Reply{Disconnect: true}), false, 1, 0},
		{"421 to RCPT TO is not resent at once", smtpfake.Options{}, nil, first(smtpfake.Reply{Code: 421, At: "rcpt"}), false, 1, 0},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			// With Slack, the coordinators hear of a dead letter there: a
			// drop the sender sees only after its "." (the server slow to
			// close, on a busy machine) leaves the email interrupted, also
			// not resent, and its alert must not be a second email here.
			h := newMailHarness(t, harnessOpts{}, tc.server, nil)
			h.markAllSent(t)
			w := h.mailWorker(t)
			ctx := context.Background()
			if err := h.engine.QueueSignInEmail(ctx, h.net.HousingAdviser.ID, "https://onward.example/staff/login?token=one", "jti-reuse-1"); err != nil {
				t.Fatal(err)
			}
			drain(t, w)
			if ms := h.smtp.Messages(); len(ms) != 1 || ms[0].Conn != 1 {
				t.Fatalf("first email: %d messages accepted; want one, on connection 1", len(ms))
			}
			if tc.gap != nil {
				tc.gap(t, h)
			}
			h.smtp.SetScript(tc.script)
			if err := h.engine.QueueSignInEmail(ctx, h.net.HousingAdviser.ID, "https://onward.example/staff/login?token=two", "jti-reuse-2"); err != nil {
				t.Fatal(err)
			}
			drain(t, w) // the clock stands still: a row that failed is not due again

			row := lastSend(t, h)
			if row.Sent != tc.wantSent || row.Attempts != 1 {
				t.Errorf("second email: sent %v after %d attempts (error %q); want sent %v after 1", row.Sent, row.Attempts, row.LastError, tc.wantSent)
			}
			if !tc.wantSent && !strings.HasPrefix(row.LastError, "smtp:") {
				t.Errorf("second email's error %q: want an smtp failure, to be retried", row.LastError)
			}
			if got := h.smtp.Attempts(); got != tc.wantTries {
				t.Errorf("server saw %d tries of the second email, want %d", got, tc.wantTries)
			}
			ms := h.smtp.Messages()
			want := 1
			if tc.wantSent {
				want = 2
			}
			if len(ms) != want {
				t.Fatalf("server accepted %d messages, want %d", len(ms), want)
			}
			if tc.wantSent && ms[1].Conn != tc.wantConn {
				t.Errorf("second email came on connection %d, want %d", ms[1].Conn, tc.wantConn)
			}

			// Later drains send nothing again that was accepted once.
			h.env.Clock.Advance(time.Minute)
			drain(t, w)
			seen := map[string]int{}
			for _, m := range h.smtp.Messages() {
				seen[string(parse(t, m).Header.Get("Message-Id"))]++
			}
			for id, n := range seen {
				if n != 1 {
					t.Errorf("message %s accepted %d times", id, n)
				}
			}
			// An email interrupted after its "." (the drop seen only then)
			// may have been taken, so it is never sent again; any other
			// failure is retried and arrives once.
			want = 2
			if strings.Contains(row.LastError, "interrupted") {
				want = 1
			}
			if len(seen) != want {
				t.Errorf("%d distinct emails accepted in the end, want %d", len(seen), want)
			}
		})
	}
}

// lastSend is the newest email.send row.
func lastSend(t *testing.T, h *mailHarness) outboxRow {
	t.Helper()
	var last outboxRow
	for _, r := range h.rows(t) {
		if core.OutboxKind(r.Kind) == core.OutboxEmailSend && r.ID > last.ID {
			last = r
		}
	}
	if last.ID == 0 {
		t.Fatal("no email.send row")
	}
	return last
}

// TestEmailIdleConnectionRetired: emails close together share a
// connection; one that waited DefaultSMTPMaxIdle is not offered to the
// server that may be about to drop it, but goes on a new connection.
func TestEmailIdleConnectionRetired(t *testing.T) {
	t.Parallel()
	h := newMailHarness(t, harnessOpts{noSlack: true}, smtpfake.Options{}, nil)
	h.markAllSent(t)
	w := h.mailWorker(t)
	send := func(jti string) {
		t.Helper()
		if err := h.engine.QueueSignInEmail(context.Background(), h.net.HousingAdviser.ID, "https://onward.example/staff/login?token="+jti, jti); err != nil {
			t.Fatal(err)
		}
		drain(t, w)
	}
	send("jti-burst-1")
	send("jti-burst-2")
	h.env.Clock.Advance(notify.DefaultSMTPMaxIdle)
	send("jti-after-a-wait")
	var conns []int
	for _, m := range h.smtp.Messages() {
		conns = append(conns, m.Conn)
	}
	if want := []int{1, 1, 2}; !slices.Equal(conns, want) {
		t.Errorf("emails came on connections %v, want %v", conns, want)
	}
}
