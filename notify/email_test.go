package notify_test

import (
	"bytes"
	"context"
	"crypto/tls"
	"fmt"
	"io"
	"log/slog"
	"mime"
	"mime/multipart"
	"net/mail"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/onward-network/onward/core"
	"github.com/onward-network/onward/core/coretest"
	"github.com/onward-network/onward/notify"
	"github.com/onward-network/onward/notify/smtpfake"
)

// mailHarness is the notify harness with a fake SMTP server and the real
// go-mail client pointed at it through the guard.
type mailHarness struct {
	*harness
	smtp   *smtpfake.Server
	sender *notify.SMTPSender
	net    coretest.Network
}

func newMailHarness(t *testing.T, o harnessOpts, so smtpfake.Options, url func(*smtpfake.Server) string) *mailHarness {
	t.Helper()
	h := newHarness(t, o)
	var clientTLS *tls.Config
	if so.Username != "" {
		// A password only ever crosses an encrypted connection: STARTTLS.
		var err error
		so.TLS, clientTLS, err = smtpfake.SelfSignedTLS()
		if err != nil {
			t.Fatal(err)
		}
	}
	srv, err := smtpfake.Start(so)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { srv.Close() })
	h.cfg.SMTPURL = srv.URL()
	if url != nil {
		h.cfg.SMTPURL = url(srv)
	}
	h.cfg.MailFrom = "Kingdom Advice Network <onward@kan.example>"
	h.cfg.MailReplyTo = "help@kan.example"
	h.cfg.SessionSecret = "test-session-secret"
	sender, err := notify.NewSMTPSender(h.cfg, notify.SMTPOptions{Timeout: 2 * time.Second, Dial: smtpfake.Guard(t, srv.Addr()), TLS: clientTLS, Clock: h.clock})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(sender.Close)
	return &mailHarness{harness: h, smtp: srv, sender: sender, net: h.env.Net}
}

func (h *mailHarness) mailWorker(t *testing.T) *notify.Worker {
	return h.worker(t, func(o *notify.Options) { o.Mail = h.sender })
}

// emailOnly takes the CAB off Slack and gives it a shared address.
func (h *mailHarness) emailOnly(t *testing.T) {
	t.Helper()
	if _, err := h.env.Pool.Exec(context.Background(),
		`UPDATE agencies SET slack_channel_id = '', notify_email = 'team@cab.example' WHERE id = $1`, h.net.CAB); err != nil {
		t.Fatal(err)
	}
}

// staffReferral has the welfare adviser refer a client to the CAB.
func (h *mailHarness) staffReferral(t *testing.T, key string, crisis bool) core.Referral {
	t.Helper()
	in := coretest.SelfReferral(key)
	r, err := h.engine.StaffRefer(context.Background(), core.StaffReferral{IdempotencyKey: key, By: h.net.WelfareAdviser.Actor(),
		Client: in.Client, Needs: []core.Need{core.NeedDebt}, ToAgency: h.net.CAB, ConsentConfirmed: true,
		WordingVersion: "v1", Crisis: crisis})
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// parsed is a received message taken apart.
type parsed struct {
	Header     mail.Header
	Text, HTML string
}

func parse(t *testing.T, m smtpfake.Message) parsed {
	t.Helper()
	msg, err := mail.ReadMessage(bytes.NewReader(m.Data))
	if err != nil {
		t.Fatalf("message %d does not parse: %v", m.ID, err)
	}
	p := parsed{Header: msg.Header}
	mt, params, err := mime.ParseMediaType(msg.Header.Get("Content-Type"))
	if err != nil || mt != "multipart/alternative" {
		t.Fatalf("Content-Type %q: want multipart/alternative (%v)", msg.Header.Get("Content-Type"), err)
	}
	mr := multipart.NewReader(msg.Body, params["boundary"])
	for {
		part, err := mr.NextPart() // decodes quoted-printable
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(part)
		switch ct, _, _ := mime.ParseMediaType(part.Header.Get("Content-Type")); ct {
		case "text/plain":
			p.Text = string(b)
		case "text/html":
			p.HTML = string(b)
		default:
			t.Fatalf("unexpected part %q", ct)
		}
	}
	return p
}

// describe renders a message's headers (those that are ours to choose),
// text and HTML for a golden file.
func describe(p parsed) string {
	var b strings.Builder
	for _, k := range []string{"From", "Reply-To", "To", "Subject", "Message-Id", "Date", "Auto-Submitted", "List-Unsubscribe", "List-Unsubscribe-Post", "Mime-Version"} {
		v := p.Header.Get(k)
		if k == "Subject" {
			v, _ = new(mime.WordDecoder).DecodeHeader(v)
		}
		fmt.Fprintf(&b, "%s: %s\n", k, v)
	}
	b.WriteString("\n--- text ---\n" + strings.ReplaceAll(p.Text, "\r\n", "\n"))
	b.WriteString("\n--- html ---\n" + strings.ReplaceAll(p.HTML, "\r\n", "\n"))
	return b.String()
}

func byRecipient(msgs []smtpfake.Message) map[string][]smtpfake.Message {
	out := map[string][]smtpfake.Message{}
	for _, m := range msgs {
		for _, to := range m.To {
			out[to] = append(out[to], m)
		}
	}
	return out
}

func TestEmailNewReferralToEmailOnlyAgency(t *testing.T) {
	t.Parallel()
	h := newMailHarness(t, harnessOpts{}, smtpfake.Options{}, nil)
	h.emailOnly(t)
	h.markAllSent(t)
	w := h.mailWorker(t)
	r := h.staffReferral(t, "mail-new-1", false)
	drain(t, w)

	got := byRecipient(h.smtp.Messages())
	var to []string
	for k := range got {
		to = append(to, k)
	}
	sort.Strings(to)
	// The CAB's two advisers and its shared address; nobody twice.
	if want := []string{"ailsa@cab.example", "callum@cab.example", "team@cab.example"}; !slices.Equal(to, want) {
		t.Fatalf("emailed %v, want %v", to, want)
	}
	for addr, ms := range got {
		if len(ms) != 1 {
			t.Errorf("%s got %d emails for one referral", addr, len(ms))
		}
	}
	ailsa := parse(t, got["ailsa@cab.example"][0])
	coretest.Golden(t, "testdata/email/new_referral_staff.golden", describe(ailsa))
	team := parse(t, got["team@cab.example"][0])
	if team.Header.Get("List-Unsubscribe") != "" {
		t.Errorf("the shared address's email has List-Unsubscribe %q; only a member of staff can turn email off", team.Header.Get("List-Unsubscribe"))
	}
	if !strings.Contains(ailsa.Text, r.Reference) || !strings.Contains(ailsa.Text, "/staff/referrals/"+r.Reference) {
		t.Errorf("text part lacks the reference or link:\n%s", ailsa.Text)
	}

	// Draining again sends nothing more: one email per cause and address.
	drain(t, w)
	if n := len(h.smtp.Messages()); n != 3 {
		t.Errorf("after a second drain %d messages, want still 3", n)
	}
}

func TestEmailSMTPFaults(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name      string
		script    smtpfake.Script
		wantSent  int  // messages accepted in the end
		wantDead  bool // the send row ends dead-lettered
		wantTries int  // DATA attempts seen by the server
	}{
		{"451 then accepted", func(n int) smtpfake.Reply {
			if n == 1 {
				return smtpfake.Reply{Code: 451}
			}
			return smtpfake.Reply{}
		}, 1, false, 2},
		{"452 twice then accepted", func(n int) smtpfake.Reply {
			if n <= 2 {
				return smtpfake.Reply{Code: 452}
			}
			return smtpfake.Reply{}
		}, 1, false, 3},
		{"421 then accepted", func(n int) smtpfake.Reply {
			if n == 1 {
				return smtpfake.Reply{Code: 421}
			}
			return smtpfake.Reply{}
		}, 1, false, 2},
		{"disconnect mid-DATA then accepted", func(n int) smtpfake.Reply {
			return smtpfake.Reply{Disconnect: n == 1}
		}, 1, false, 2},
		// A dead letter emails the coordinator through the same server,
		// which refuses that too: one more try (or three), and no loop.
		{"550 dead-lettered", func(int) smtpfake.Reply { return smtpfake.Reply{Code: 550} }, 0, true, 2},
		{"554 dead-lettered", func(int) smtpfake.Reply { return smtpfake.Reply{Code: 554} }, 0, true, 2},
		{"550 at RCPT dead-lettered", func(int) smtpfake.Reply { return smtpfake.Reply{Code: 550, At: "rcpt"} }, 0, true, 2},
		{"451 always: dead after the last attempt", func(int) smtpfake.Reply { return smtpfake.Reply{Code: 451} }, 0, true, 6},
	}
	// These cases count attempts alone: the retry window past them has
	// its own test (TestEmailRetriedForADay).
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			h := newMailHarness(t, harnessOpts{realClock: true, maxAttempt: 3, noSlack: true}, smtpfake.Options{}, nil)
			h.markAllSent(t)
			// One recipient: the housing adviser's agency gets the referral.
			if err := h.engine.QueueSignInEmail(context.Background(), h.net.HousingAdviser.ID, "https://onward.example/staff/login?token=abc", "jti-1"); err != nil {
				t.Fatal(err)
			}
			h.smtp.SetScript(tc.script)
			w := h.worker(t, func(o *notify.Options) { o.Mail, o.EmailRetryWindow = h.sender, -1 })
			deadline := time.Now().Add(10 * time.Second)
			for h.pendingKind(t, core.OutboxEmailSend) > 0 && time.Now().Before(deadline) {
				drain(t, w)
				time.Sleep(30 * time.Millisecond)
			}
			if got := len(h.smtp.Messages()); got != tc.wantSent {
				t.Errorf("server accepted %d messages, want %d", got, tc.wantSent)
			}
			if got := h.smtp.Attempts(); got != tc.wantTries {
				t.Errorf("server saw %d attempts, want %d", got, tc.wantTries)
			}
			var send outboxRow
			alerts := 0
			for _, r := range h.rows(t) {
				switch core.OutboxKind(r.Kind) {
				case core.OutboxEmailSend:
					if send.ID == 0 {
						send = r // the sign-in email; later ones are the dead-letter email
					}
				case core.OutboxAlert, core.OutboxEmail:
					alerts++
				}
			}
			if send.Dead != tc.wantDead {
				t.Errorf("send row dead = %v, want %v (status %q, error %q)", send.Dead, tc.wantDead, send.DeliveryStatus, send.LastError)
			}
			if tc.wantDead {
				if alerts < 2 {
					t.Errorf("dead letter queued %d coordinator alerts, want a Slack alert and a dead-letter email", alerts)
				}
				if !strings.HasPrefix(send.LastError, "smtp:") || strings.Contains(send.LastError, "housing.example") {
					t.Errorf("last error %q: want an smtp failure that does not quote the address", send.LastError)
				}
			} else if send.DeliveryStatus != string(notify.DeliveryEmailed) || !strings.HasPrefix(send.ProviderID, "<outbox-") {
				t.Errorf("sent row: status %q provider id %q", send.DeliveryStatus, send.ProviderID)
			}
		})
	}
}

// pendingKind counts rows of a kind not yet sent or dead.
func (h *harness) pendingKind(t *testing.T, kind core.OutboxKind) int {
	n := 0
	for _, r := range h.rows(t) {
		if core.OutboxKind(r.Kind) == kind && !r.Sent && !r.Dead {
			n++
		}
	}
	return n
}

func TestEmailWrongPasswordIsDeadLettered(t *testing.T) {
	t.Parallel()
	h := newMailHarness(t, harnessOpts{noSlack: true, maxAttempt: 3}, smtpfake.Options{Username: "onward", Password: "right"},
		func(s *smtpfake.Server) string { return "smtp://onward:wrong@" + s.Addr() })
	h.markAllSent(t)
	if err := h.engine.QueueSignInEmail(context.Background(), h.net.HousingAdviser.ID, "https://onward.example/staff/login?token=abc", "jti-2"); err != nil {
		t.Fatal(err)
	}
	drain(t, h.mailWorker(t))
	if n := len(h.smtp.Messages()); n != 0 {
		t.Fatalf("%d messages accepted with a wrong password", n)
	}
	for _, r := range h.rows(t) {
		if core.OutboxKind(r.Kind) == core.OutboxEmailSend && (!r.Dead || !strings.Contains(r.LastError, "535")) {
			t.Errorf("send row: dead %v, error %q; want dead with 535", r.Dead, r.LastError)
		}
	}
}

func TestEmailRightPasswordSignsIn(t *testing.T) {
	t.Parallel()
	h := newMailHarness(t, harnessOpts{noSlack: true}, smtpfake.Options{Username: "onward", Password: "right"}, nil)
	h.markAllSent(t)
	if err := h.engine.QueueSignInEmail(context.Background(), h.net.HousingAdviser.ID, "https://onward.example/staff/login?token=abc", "jti-3"); err != nil {
		t.Fatal(err)
	}
	drain(t, h.mailWorker(t))
	ms := h.smtp.Messages()
	if len(ms) != 1 || ms[0].User != "onward" {
		t.Fatalf("messages %+v: want one, sent as onward", ms)
	}
	p := parse(t, ms[0])
	coretest.Golden(t, "testdata/email/sign_in.golden", describe(p))
}

// TestEmailTLSRequiredWithoutStartTLSIsNotSent: a server that does not
// offer the TLS ONWARD_SMTP_URL insists on gets nothing; the email waits
// for the server (it is the server's fault, not the email's), and the log
// says once why.
func TestEmailTLSRequiredWithoutStartTLSIsNotSent(t *testing.T) {
	t.Parallel()
	h := newMailHarness(t, harnessOpts{noSlack: true, maxAttempt: 2}, smtpfake.Options{},
		func(s *smtpfake.Server) string { return "smtp://" + s.Addr() + "?tls=required" })
	h.markAllSent(t)
	if err := h.engine.QueueSignInEmail(context.Background(), h.net.HousingAdviser.ID, "https://onward.example/staff/login?token=abc", "jti-4"); err != nil {
		t.Fatal(err)
	}
	var log coretest.LogBuffer
	w := h.worker(t, func(o *notify.Options) {
		o.Mail = h.sender
		o.Log = slog.New(slog.NewTextHandler(&log, nil))
	})
	drain(t, w)
	if n := len(h.smtp.Messages()); n != 0 {
		t.Fatalf("%d messages sent in clear text although TLS is required", n)
	}
	for _, r := range h.rows(t) {
		if core.OutboxKind(r.Kind) == core.OutboxEmailSend && (r.Sent || r.Dead || r.DeliveryStatus != "waiting: the mail server cannot be reached") {
			t.Errorf("send row: %+v; want unsent, waiting for the mail server", r)
		}
	}
	if got := log.String(); strings.Count(got, `msg="mail server unavailable"`) != 1 || !strings.Contains(got, "TLS") {
		t.Errorf("log: want the mail server unavailable once, the cause naming TLS:\n%s", got)
	}
}

func TestEmailHeaderInjectionNeutralised(t *testing.T) {
	t.Parallel()
	h := newMailHarness(t, harnessOpts{}, smtpfake.Options{}, nil)
	h.emailOnly(t)
	ctx := context.Background()
	if _, err := h.env.Pool.Exec(ctx, `UPDATE agencies SET name = $2 WHERE id = $1`, h.net.CAB,
		"Kirkcaldy CAB\r\nBcc: victim@elsewhere.example\r\n\r\n<b>hi</b>\x07"); err != nil {
		t.Fatal(err)
	}
	if _, err := h.env.Pool.Exec(ctx, `UPDATE staff SET name = $2 WHERE id = $1`, h.net.Adviser.ID,
		"Ailsa\nBcc: victim@elsewhere.example"); err != nil {
		t.Fatal(err)
	}
	h.markAllSent(t)
	h.staffReferral(t, "mail-inject-1", false)
	drain(t, h.mailWorker(t))
	ms := h.smtp.Messages()
	if len(ms) != 3 {
		t.Fatalf("%d messages, want 3", len(ms))
	}
	for _, m := range ms {
		if slices.Contains(m.To, "victim@elsewhere.example") {
			t.Errorf("an injected Bcc became a recipient: %v", m.To)
		}
		head, _, _ := bytes.Cut(m.Data, []byte("\r\n\r\n"))
		for _, line := range strings.Split(string(head), "\r\n") {
			if strings.HasPrefix(strings.ToLower(line), "bcc:") {
				t.Errorf("injected header line %q", line)
			}
		}
		p := parse(t, m)
		subj, _ := new(mime.WordDecoder).DecodeHeader(p.Header.Get("Subject"))
		if strings.ContainsAny(subj, "\r\n\x07") || !strings.Contains(subj, "Kirkcaldy CAB Bcc: victim@elsewhere.example <b>hi</b>") {
			t.Errorf("subject %q: want the name on one line, control characters gone", subj)
		}
		if strings.Contains(p.HTML, "<b>hi</b>") {
			t.Errorf("HTML part carries the agency name unescaped")
		}
	}
}

// A new referral's email says the client's language and that they want
// an interpreter, when the language is not English (an English client's
// says nothing about it: new_referral_staff.golden).
func TestEmailNewReferralSaysTheClientsLanguage(t *testing.T) {
	t.Parallel()
	h := newMailHarness(t, harnessOpts{}, smtpfake.Options{}, nil)
	h.emailOnly(t)
	h.markAllSent(t)
	w := h.mailWorker(t)
	in := coretest.SelfReferral("mail-lang-pl")
	in.Client.Language, in.Client.Interpreter = "pl", true
	if _, err := h.engine.StaffRefer(context.Background(), core.StaffReferral{IdempotencyKey: "mail-lang-pl", By: h.net.WelfareAdviser.Actor(),
		Client: in.Client, Needs: []core.Need{core.NeedDebt}, ToAgency: h.net.CAB, ConsentConfirmed: true, WordingVersion: "v1"}); err != nil {
		t.Fatal(err)
	}
	drain(t, w)
	m := parse(t, byRecipient(h.smtp.Messages())["team@cab.example"][0])
	if !strings.Contains(m.Text, "Language: Polish · Interpreter wanted: Polish") || !strings.Contains(m.HTML, "<td>Polish · Interpreter wanted: Polish</td>") {
		t.Errorf("the email does not say the language:\n%s\n%s", m.Text, m.HTML)
	}
}

// TestEmailRetriedForADay: a mail server that keeps answering 451 (try
// later) does not lose the email once the worker's attempts are used up:
// it is tried for a day after it was queued, as mail servers themselves
// retry, and only then given up on, with the coordinators told.
func TestEmailRetriedForADay(t *testing.T) {
	t.Parallel()
	h := newMailHarness(t, harnessOpts{maxAttempt: 3, noSlack: true}, smtpfake.Options{}, nil)
	h.markAllSent(t)
	// The agency's email of a new referral (a sign-in email is dropped
	// once its link has expired: TestSignInEmailPutOffPastItsLinkIsDropped).
	in := coretest.SelfReferral("mail-day")
	if _, err := h.engine.StaffRefer(context.Background(), core.StaffReferral{IdempotencyKey: "mail-day", By: h.net.WelfareAdviser.Actor(),
		Client: in.Client, Needs: []core.Need{core.NeedDebt}, ToAgency: h.net.CAB, ConsentConfirmed: true, WordingVersion: "v1"}); err != nil {
		t.Fatal(err)
	}
	h.smtp.SetScript(func(int) smtpfake.Reply { return smtpfake.Reply{Code: 451} })
	w := h.mailWorker(t)
	send := func() outboxRow {
		for _, r := range h.rows(t) {
			if core.OutboxKind(r.Kind) == core.OutboxEmailSend {
				return r
			}
		}
		t.Fatal("no send row")
		return outboxRow{}
	}
	// Twelve hours of an hour's backoff: far more than three attempts.
	for i := 0; i < 12; i++ {
		drain(t, w)
		h.env.Clock.Advance(time.Hour)
	}
	if r := send(); r.Dead || r.Sent || h.smtp.Attempts() <= 3 {
		t.Fatalf("after twelve hours of 451: dead %v, sent %v, %d attempts; want still waiting, tried past its three attempts", r.Dead, r.Sent, h.smtp.Attempts())
	}
	h.env.Clock.Advance(13 * time.Hour)
	drain(t, w)
	if r := send(); !r.Dead {
		t.Fatalf("a day on the send row is not given up on: %+v", r)
	}
}

// A sign-in email the mail server puts off past the link's life is not
// sent late with a link that no longer works ("It works once, for 15
// minutes"): it is dropped, and the member of staff asks for another.
func TestSignInEmailPutOffPastItsLinkIsDropped(t *testing.T) {
	t.Parallel()
	h := newMailHarness(t, harnessOpts{noSlack: true, maxAttempt: 3}, smtpfake.Options{}, nil)
	h.markAllSent(t)
	if err := h.engine.QueueSignInEmail(context.Background(), h.net.HousingAdviser.ID, "https://onward.example/staff/login?token=abc", "jti-late"); err != nil {
		t.Fatal(err)
	}
	h.smtp.SetScript(func(int) smtpfake.Reply { return smtpfake.Reply{Code: 451} })
	w := h.mailWorker(t)
	drain(t, w)
	h.smtp.SetScript(nil)
	h.env.Clock.Advance(notify.SignInLinkMinutes * time.Minute)
	drain(t, w)
	if n := len(h.smtp.Messages()); n != 0 {
		t.Fatalf("the mail server was sent %d sign-in emails after the link had expired", n)
	}
	row := h.scheduled(t, string(core.OutboxEmailSend), "")
	if !row.Sent || row.Dead || !strings.Contains(row.DeliveryStatus, "link expired") {
		t.Errorf("sign-in row: %+v, want it dropped as expired", row)
	}
}
