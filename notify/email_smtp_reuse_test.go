package notify_test

import (
	"bytes"
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"net/mail"
	"strings"
	"testing"
	"time"

	"github.com/onward-network/onward/core/config"
	"github.com/onward-network/onward/notify"
	"github.com/onward-network/onward/notify/smtpfake"
)

// reuseSender starts a fake SMTP server with the options and points a
// real SMTPSender at it. A server with a user name speaks TLS (STARTTLS,
// or from the first byte with ImplicitTLS), as a password only crosses
// an encrypted connection.
func reuseSender(t *testing.T, so smtpfake.Options) (*smtpfake.Server, *notify.SMTPSender) {
	t.Helper()
	var clientTLS *tls.Config
	if so.Username != "" {
		var err error
		if so.TLS, clientTLS, err = smtpfake.SelfSignedTLS(); err != nil {
			t.Fatal(err)
		}
	}
	srv, err := smtpfake.Start(so)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { srv.Close() })
	cfg := config.Config{SMTPURL: srv.URL(), MailFrom: "Kingdom Advice Network <onward@kan.example>", PublicURL: "https://onward.example"}
	sender, err := notify.NewSMTPSender(cfg, notify.SMTPOptions{Timeout: 2 * time.Second, Dial: smtpfake.Guard(t, srv.Addr()), TLS: clientTLS})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(sender.Close)
	return srv, sender
}

// reuseMail is the n-th test email to a fictional adviser.
func reuseMail(n int) notify.Mail {
	return notify.Mail{MessageID: fmt.Sprintf("reuse-%d@onward.example", n), Date: time.Date(2025, 3, 4, 9, 30, 0, 0, time.UTC),
		To: "morag.fictional@cab.example", ToName: "Morag Fictional", Subject: "Your sign-in link",
		Text: "Sign in: https://onward.example/staff/login", HTML: "<p>Sign in</p>"}
}

// accepted counts the messages the server accepted with the Message-ID,
// and says on which connection the last one came.
func accepted(t *testing.T, srv *smtpfake.Server, id string) (n, conn int) {
	t.Helper()
	for _, m := range srv.Messages() {
		msg, err := mail.ReadMessage(bytes.NewReader(m.Data))
		if err != nil {
			t.Fatalf("message %d does not parse: %v", m.ID, err)
		}
		if msg.Header.Get("Message-Id") == "<"+id+">" {
			n, conn = n+1, m.Conn
		}
	}
	return n, conn
}

// TestEmailClosedAtMailFrom: the server closes a connection in the
// instant between its answer to the sender's NOOP and the message's MAIL
// FROM (its idle timer fires, a load balancer drops the flow). On a
// reused connection nothing of the message reached the server, so it is
// sent again at once, once, on a new connection; on a new connection, or
// once the server took MAIL FROM, the failure is returned for the
// outbox to retry with backoff. A server that drops the connection while
// it reads the message does so before the final "." here: the commit
// (the worker's database write) waits for it.
func TestEmailClosedAtMailFrom(t *testing.T) {
	t.Parallel()
	startTLS := smtpfake.Options{Username: "onward", Password: "right"}
	implicitTLS := smtpfake.Options{Username: "onward", Password: "right", ImplicitTLS: true}
	at := func(replies ...smtpfake.Reply) smtpfake.Script { // the n-th MAIL FROM gets replies[n-1]
		return func(n int) smtpfake.Reply {
			if n <= len(replies) {
				return replies[n-1]
			}
			return smtpfake.Reply{}
		}
	}
	closed := smtpfake.Reply{At: "mail", Disconnect: true}
	reset := smtpfake.Reply{At: "mail", Disconnect: true, Reset: true}
	closing := smtpfake.Reply{At: "mail", Code: 421, Disconnect: true}
	cases := []struct {
		name   string
		server smtpfake.Options
		reused bool            // an earlier email left its connection in the pool
		script smtpfake.Script // the server's answers to the email, by MAIL FROM
		sent   bool            // SendMail returned nil and the server accepted the email once
		tries  int             // MAIL FROM commands the server saw for the email
		conns  int             // connections the server accepted in all
		inData bool            // the server drops the connection while it reads the message
	}{
		// (a) A reused connection closed at MAIL FROM: a new one at once.
		{"reused, closed without a word", smtpfake.Options{}, true, at(closed), true, 2, 2, false},
		{"reused, reset", smtpfake.Options{}, true, at(reset), true, 2, 2, false},
		{"reused, 421 and closed", smtpfake.Options{}, true, at(closing), true, 2, 2, false},
		{"reused, closed without a word, STARTTLS", startTLS, true, at(closed), true, 2, 2, false},
		{"reused, reset, STARTTLS", startTLS, true, at(reset), true, 2, 2, false},
		{"reused, closed without a word, smtps", implicitTLS, true, at(closed), true, 2, 2, false},

		// (b) A new connection's failure is returned: never a second new one.
		{"new connection closed", smtpfake.Options{}, false, at(closed), false, 1, 1, false},
		{"reused closed, and the new one too", smtpfake.Options{}, true, at(closed, closed), false, 2, 2, false},
		{"reused reset, and the new one too, STARTTLS", startTLS, true, at(reset, reset), false, 2, 2, false},

		// (c) Once the server took MAIL FROM, nothing is resent at once.
		{"reused, dropped in DATA", smtpfake.Options{}, true, at(smtpfake.Reply{Disconnect: true}), false, 1, 1, true},
		{"reused, reset in DATA", smtpfake.Options{}, true, at(smtpfake.Reply{Disconnect: true, Reset: true}), false, 1, 1, true},
		{"reused, dropped at RCPT TO", smtpfake.Options{}, true, at(smtpfake.Reply{At: "rcpt", Disconnect: true}), false, 1, 1, false},
		{"reused closed, the new one dropped in DATA", smtpfake.Options{}, true, at(closed, smtpfake.Reply{Disconnect: true}), false, 2, 2, true},

		// A MAIL FROM refused on an open connection is the server's answer.
		{"reused, 451 to MAIL FROM", smtpfake.Options{}, true, at(smtpfake.Reply{At: "mail", Code: 451}), false, 1, 1, false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			srv, sender := reuseSender(t, tc.server)
			ctx := context.Background()
			if tc.reused {
				if err := sender.SendMail(ctx, reuseMail(1), nil); err != nil {
					t.Fatalf("first email: %v", err)
				}
			}
			srv.SetScript(tc.script)
			var commit func() error
			if tc.inData {
				commit = func() error {
					wait, cancel := context.WithTimeout(ctx, 5*time.Second)
					defer cancel()
					return srv.WaitDisconnected(wait)
				}
			}
			err := sender.SendMail(ctx, reuseMail(2), commit)

			n, conn := accepted(t, srv, reuseMail(2).MessageID)
			if tc.sent {
				if err != nil {
					t.Errorf("SendMail: %v; want the email sent", err)
				}
				if n != 1 || conn != tc.conns {
					t.Errorf("server accepted the email %d times, last on connection %d; want once, on connection %d", n, conn, tc.conns)
				}
			} else {
				var f *notify.Failure
				if !errors.As(err, &f) || f.Provider != "smtp" || f.Permanent {
					t.Errorf("SendMail: %v; want an smtp failure the outbox retries", err)
				}
				if n != 0 {
					t.Errorf("server accepted the email %d times; want none", n)
				}
			}
			if got := srv.Attempts(); got != tc.tries {
				t.Errorf("server saw %d MAIL FROM for the email, want %d", got, tc.tries)
			}
			if got := srv.Conns(); got != tc.conns {
				t.Errorf("server accepted %d connections, want %d", got, tc.conns)
			}

			// The connection the email went on is kept: the next email
			// takes it, without a new one.
			srv.SetScript(nil)
			if err := sender.SendMail(ctx, reuseMail(3), nil); err != nil {
				t.Fatalf("next email: %v", err)
			}
			want := tc.conns
			if !tc.sent {
				want++ // no connection was left to keep
			}
			if _, conn := accepted(t, srv, reuseMail(3).MessageID); conn != want {
				t.Errorf("next email came on connection %d, want %d", conn, want)
			}
		})
	}
}

// TestEmailClosedAtMailFromRetiresOlder: when the server closes the most
// recently used idle connection at MAIL FROM, the connections that have
// waited longer were most likely closed as well: they are quit with it,
// not offered the next message.
func TestEmailClosedAtMailFromRetiresOlder(t *testing.T) {
	t.Parallel()
	srv, sender := reuseSender(t, smtpfake.Options{})
	ctx := context.Background()

	// Two emails at once leave two connections in the pool: the first
	// is held in DATA while the second dials its own.
	hold := make(chan struct{})
	srv.SetScript(func(n int) smtpfake.Reply {
		if n == 1 {
			return smtpfake.Reply{Hold: hold}
		}
		return smtpfake.Reply{}
	})
	first := make(chan error, 1)
	go func() { first <- sender.SendMail(ctx, reuseMail(1), nil) }()
	for srv.Attempts() < 1 {
		time.Sleep(time.Millisecond)
	}
	if err := sender.SendMail(ctx, reuseMail(2), nil); err != nil {
		t.Fatalf("second email: %v", err)
	}
	close(hold)
	if err := <-first; err != nil {
		t.Fatalf("first email: %v", err)
	}
	if got := srv.Conns(); got != 2 {
		t.Fatalf("%d connections for two emails at once, want 2", got)
	}

	srv.SetScript(func(n int) smtpfake.Reply {
		if n == 1 {
			return smtpfake.Reply{At: "mail", Disconnect: true}
		}
		return smtpfake.Reply{}
	})
	if err := sender.SendMail(ctx, reuseMail(3), nil); err != nil {
		t.Fatalf("third email: %v", err)
	}
	if n, conn := accepted(t, srv, reuseMail(3).MessageID); n != 1 || conn != 3 {
		t.Errorf("third email accepted %d times, last on connection %d; want once, on connection 3", n, conn)
	}
	wait, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	if err := srv.WaitOpen(wait, 1); err != nil {
		t.Errorf("the idle connection older than the one closed at MAIL FROM was not quit: %v", err)
	}
}

// TestEmailSlowMailFromNotResent: a reused connection whose MAIL FROM
// goes unanswered until the sender's timeout was not closed by the
// server, which may still be working on it: the failure goes to the
// outbox's backoff, not at once onto a new connection.
func TestEmailSlowMailFromNotResent(t *testing.T) {
	t.Parallel()
	srv, err := smtpfake.Start(smtpfake.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { srv.Close() })
	hold := make(chan struct{})
	t.Cleanup(func() { close(hold) }) // before the server closes
	cfg := config.Config{SMTPURL: srv.URL(), MailFrom: "Kingdom Advice Network <onward@kan.example>", PublicURL: "https://onward.example"}
	sender, err := notify.NewSMTPSender(cfg, notify.SMTPOptions{Timeout: 300 * time.Millisecond, Dial: smtpfake.Guard(t, srv.Addr())})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(sender.Close)
	ctx := context.Background()
	if err := sender.SendMail(ctx, reuseMail(1), nil); err != nil {
		t.Fatalf("first email: %v", err)
	}
	srv.SetScript(func(n int) smtpfake.Reply { return smtpfake.Reply{At: "mail", Hold: hold} })
	err = sender.SendMail(ctx, reuseMail(2), nil)
	var f *notify.Failure
	if !errors.As(err, &f) || f.Provider != "smtp" || f.Permanent {
		t.Errorf("SendMail: %v; want an smtp failure the outbox retries", err)
	}
	if got := srv.Attempts(); got != 1 {
		t.Errorf("server saw %d MAIL FROM for the email, want 1", got)
	}
	if got := srv.Conns(); got != 1 {
		t.Errorf("server accepted %d connections, want 1", got)
	}
}

// A user and password set for a mail server that offers no sign-in at all
// is a setting to fix, not an outage: the email fails for good, naming
// ONWARD_SMTP_URL, instead of waiting for a server that will never let
// Onward sign in.
func TestMailServerWithoutAuthIsASettingToFix(t *testing.T) {
	t.Parallel()
	srv, err := smtpfake.Start(smtpfake.Options{}) // no Username: offers no AUTH
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { srv.Close() })
	u := strings.Replace(srv.URL(), "smtp://", "smtp://onward:s3cret@", 1)
	cfg := config.Config{SMTPURL: u, MailFrom: "Kingdom Advice Network <onward@kan.example>", PublicURL: "https://onward.example"}
	sender, err := notify.NewSMTPSender(cfg, notify.SMTPOptions{Timeout: 2 * time.Second, Dial: smtpfake.Guard(t, srv.Addr())})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(sender.Close)
	err = sender.SendMail(context.Background(), reuseMail(1), nil)
	var f *notify.Failure
	if !errors.As(err, &f) || !f.Permanent || !strings.Contains(f.Reason, "ONWARD_SMTP_URL") {
		t.Fatalf("SendMail to a server with no AUTH, credentials set: %v; want a permanent failure naming ONWARD_SMTP_URL", err)
	}
	if n := len(srv.Messages()); n != 0 {
		t.Errorf("the server took %d messages", n)
	}
}
