package notify_test

import (
	"context"
	"mime"
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

// crisisAfterEnd has the client of a self-referral with Kirkton Citizens
// Advice text words of self-harm after it was made, and returns it.
func crisisAfterEnd(t *testing.T, h *harness) core.Referral {
	t.Helper()
	ctx := context.Background()
	res, err := h.engine.SelfRefer(ctx, coretest.SelfReferral("crisis-after-end"))
	if err != nil {
		t.Fatal(err)
	}
	if a := res.Referral.ToAgencyID; a == nil || *a != h.env.Net.CAB {
		t.Fatalf("the self-referral went to %v, want Kirkton", a)
	}
	h.markAllSent(t)
	if out, err := h.engine.RecordCrisisAfterEnd(ctx, core.CrisisAfterEnd{Reference: res.Referral.Reference,
		Phone: "+447700900123", SelfHarm: true, MessageSID: "SMcrisis"}); err != nil || out != core.CrisisAlerted {
		t.Fatalf("%s, %v", out, err)
	}
	return res.Referral
}

// personal is what the client's record holds that no alert may carry.
var personal = []string{"Morag", "Baird", "07700", "900123", "KY1 1AB", "Rent arrears"}

// TestCrisisAfterEndAlertInTriageAndAgencyChannels: the alert is posted
// in the triage channel with the crisis mention (no card beside it pings
// the channel) and in Kirkton's channel without it, each with the link to
// the referral on the staff web and nothing of the client's.
func TestCrisisAfterEndAlertInTriageAndAgencyChannels(t *testing.T) {
	t.Parallel()
	h := newHarness(t, harnessOpts{})
	r := crisisAfterEnd(t, h)
	drain(t, h.worker(t, nil))
	link := "<https://onward.example/staff/referrals/" + r.Reference + "|Open " + r.Reference + ">"
	posts := map[string][]string{}
	for _, c := range h.slack.Calls() {
		if c.Method == "chat.postMessage" && strings.Contains(c.Text, "self-harm") {
			posts[c.Channel] = append(posts[c.Channel], c.Text)
		}
	}
	triage, cab := posts[triageChannel], posts["C0CAB"]
	if len(triage) != 1 || !strings.HasPrefix(triage[0], ":sos: <!here> The client of referral "+r.Reference) || !strings.Contains(triage[0], link) {
		t.Errorf("triage channel got %q; want one alert with the mention and %s", triage, link)
	}
	if len(cab) != 1 || strings.Contains(cab[0], "<!here>") || !strings.Contains(cab[0], link) {
		t.Errorf("Kirkton's channel got %q; want one alert with %s and no mention", cab, link)
	}
	for _, text := range append(triage, cab...) {
		for _, p := range personal {
			if strings.Contains(text, p) {
				t.Errorf("a Slack alert carries %q: %s", p, text)
			}
		}
	}
	for _, row := range h.rows(t) {
		if row.Kind == string(core.OutboxAlert) && row.Level == core.AlertCrisisAfterEnd && (!row.Sent || row.DeliveryStatus != string(core.DeliveryPosted)) {
			t.Errorf("alert row %+v not posted", row)
		}
	}
}

// TestCrisisAfterEndAlertEmailReachesEveryCoordinatorAtOnce: without
// Slack the coordinators are emailed, even one who chose to get alerts in
// the daily digest, as for a crisis referral: with the reference and the
// link, nothing of the client's, and no unsubscribe link that could not
// stop it.
func TestCrisisAfterEndAlertEmailReachesEveryCoordinatorAtOnce(t *testing.T) {
	t.Parallel()
	h := newMailHarness(t, harnessOpts{noSlack: true}, smtpfake.Options{}, nil)
	if err := h.engine.SetMailPrefs(context.Background(), h.net.Coordinator.ID, map[core.EmailKind]core.MailMode{core.EmailAlert: core.MailDigest}); err != nil {
		t.Fatal(err)
	}
	r := crisisAfterEnd(t, h.harness)
	drain(t, h.mailWorker(t))
	ms := byRecipient(h.smtp.Messages())[h.net.Coordinator.Email]
	if len(ms) != 1 {
		t.Fatalf("the coordinator got %d emails, want 1", len(ms))
	}
	m := parse(t, ms[0])
	subject, _ := new(mime.WordDecoder).DecodeHeader(m.Header.Get("Subject"))
	if !strings.Contains(subject, r.Reference) || !strings.Contains(subject, "self-harm") {
		t.Errorf("subject %q lacks the reference or the kind", subject)
	}
	if !strings.Contains(m.Text, "https://onward.example/staff/referrals/"+r.Reference) || !strings.Contains(m.Text, "crisis lines") {
		t.Errorf("text part lacks the link or the crisis lines:\n%s", m.Text)
	}
	if m.Header.Get("List-Unsubscribe") != "" {
		t.Errorf("the alert offers an unsubscribe link: %s", m.Header.Get("List-Unsubscribe"))
	}
	for _, part := range []string{subject, m.Text, m.HTML} {
		for _, p := range personal {
			if strings.Contains(part, p) {
				t.Errorf("the email carries %q:\n%s", p, part)
			}
		}
	}
}

// agencyCrisisEmails are the emails telling an agency of its client's
// crisis text, by recipient, sent after the first from messages.
func (h *mailHarness) agencyCrisisEmails(t *testing.T, from int) map[string][]parsed {
	t.Helper()
	out := map[string][]parsed{}
	for _, m := range h.smtp.Messages()[from:] {
		if p := parse(t, m); strings.HasPrefix(decodedSubject(p), "CRISIS: the client of referral") {
			out[m.To[0]] = append(out[m.To[0]], p)
		}
	}
	return out
}

// TestCrisisAfterEndEmailsTheAgencyOffSlack: the network works by email
// (no Slack). Kirkton holds the referral; its two advisers and its shared
// address each get one email at once, with no unsubscribe link, saying
// the reference, the kind of words, that the client was sent the crisis
// lines and what to do, with the link to the referral, and nothing of
// the client's; the coordinators get their alert by email too. Twilio's
// retry of the text and the same words again within the hour email
// nobody again; danger words do, saying 999 and the helpline.
func TestCrisisAfterEndEmailsTheAgencyOffSlack(t *testing.T) {
	t.Parallel()
	h := newMailHarness(t, harnessOpts{noSlack: true}, smtpfake.Options{}, nil)
	h.emailOnly(t)
	ctx := context.Background()
	r := crisisAfterEnd(t, h.harness)
	w := h.mailWorker(t)
	drain(t, w)

	got := h.agencyCrisisEmails(t, 0)
	want := []string{h.net.Adviser.Email, h.net.Adviser2.Email, "team@cab.example"}
	var to []string
	for addr := range got {
		to = append(to, addr)
	}
	sort.Strings(to)
	if !slices.Equal(to, want) {
		t.Fatalf("Kirkton's crisis email went to %v, want %v", to, want)
	}
	link := "https://onward.example/staff/referrals/" + r.Reference
	for addr, ps := range got {
		if len(ps) != 1 {
			t.Errorf("%s got %d crisis emails, want 1", addr, len(ps))
			continue
		}
		p := ps[0]
		if subj := decodedSubject(p); !strings.Contains(subj, r.Reference) || !strings.Contains(subj, "self-harm") {
			t.Errorf("%s: subject %q lacks the reference or the kind of words", addr, subj)
		}
		for _, s := range []string{r.Reference, link, "words of self-harm", "the crisis lines", "contact the client today, as their safety plan says",
			"coordinators have been told too"} {
			if !strings.Contains(p.Text, s) || !strings.Contains(p.HTML, s) {
				t.Errorf("%s: the email lacks %q:\n%s\n%s", addr, s, p.Text, p.HTML)
			}
		}
		if strings.Contains(p.Text, "999") {
			t.Errorf("%s: an email about self-harm words says 999 was sent:\n%s", addr, p.Text)
		}
		if p.Header.Get("List-Unsubscribe") != "" {
			t.Errorf("%s: the email can be unsubscribed from; it always comes", addr)
		}
		for _, s := range append(personal, "kill") {
			if strings.Contains(describe(p), s) {
				t.Errorf("%s: the email carries %q", addr, s)
			}
		}
	}
	coretest.Golden(t, "testdata/email/client_crisis_agency.golden", describe(got["team@cab.example"][0]))
	if n := len(byRecipient(h.smtp.Messages())[h.net.Coordinator.Email]); n != 1 {
		t.Errorf("the coordinator got %d emails, want their alert", n)
	}

	// Twilio's retry of the text, and the same words ten minutes on.
	before := len(h.smtp.Messages())
	if out, err := h.engine.RecordCrisisAfterEnd(ctx, core.CrisisAfterEnd{Reference: r.Reference, Phone: "+447700900123",
		SelfHarm: true, MessageSID: "SMcrisis"}); err != nil || out != core.CrisisReplayed {
		t.Fatalf("Twilio's retry: %s, %v", out, err)
	}
	h.env.Clock.Advance(10 * time.Minute)
	if out, err := h.engine.RecordCrisisAfterEnd(ctx, core.CrisisAfterEnd{Reference: r.Reference, Phone: "+447700900123",
		SelfHarm: true, MessageSID: "SMcrisis2"}); err != nil || out != core.CrisisAlertedBefore {
		t.Fatalf("the same words within the hour: %s, %v", out, err)
	}
	drain(t, w)
	if n := len(h.smtp.Messages()) - before; n != 0 {
		t.Errorf("a retry and the same words within the hour sent %d emails, want none", n)
	}

	// Words of danger, recorded five minutes late: one more email each,
	// saying 999 and the helpline, and when the client texted.
	texted := h.env.Clock.Now().Add(-5 * time.Minute)
	if out, err := h.engine.RecordCrisisAfterEnd(ctx, core.CrisisAfterEnd{Reference: r.Reference, Phone: "+447700900123",
		Danger: true, MessageSID: "SMcrisis3", At: texted}); err != nil || out != core.CrisisAlerted {
		t.Fatalf("danger words: %s, %v", out, err)
	}
	drain(t, w)
	cal, err := h.engine.Calendar(ctx)
	if err != nil {
		t.Fatal(err)
	}
	at := "Texted at: " + texted.In(cal.Location).Format("15:04 on Monday 2 January")
	got = h.agencyCrisisEmails(t, before)
	for _, addr := range want {
		if ps := got[addr]; len(ps) != 1 || !strings.Contains(decodedSubject(ps[0]), "danger") ||
			!strings.Contains(ps[0].Text, "999 and the domestic abuse helpline") || !strings.Contains(ps[0].Text, at) {
			t.Errorf("%s after danger words got %d crisis emails (%v), want one saying 999 and the helpline, and %q", addr, len(ps), ps, at)
		}
	}
	if n := len(byRecipient(h.smtp.Messages()[before:])[h.net.Coordinator.Email]); n != 1 {
		t.Errorf("the coordinator got %d emails after danger words, want their alert", n)
	}
}

// TestCrisisAfterEndAgencyEmailFollowsItsSetting: Onward is on Slack. An
// agency is told on every channel it has, its staff by email as its email
// setting says for every notification (core.EmailRecipients): off Slack,
// or set to "always", each member of staff is emailed; on Slack with the
// default ("only while the agency is not on Slack") they have the Slack
// post, and only the shared address is emailed; "never" leaves them to
// Slack and the shared address.
func TestCrisisAfterEndAgencyEmailFollowsItsSetting(t *testing.T) {
	t.Parallel()
	const team = "team@cab.example"
	ailsa, callum := "ailsa@cab.example", "callum@cab.example"
	cases := []struct {
		name, channel, emailStaff, notify string
		posted                            bool
		emailed                           []string
	}{
		{"off Slack", "", "without-slack", team, false, []string{ailsa, callum, team}},
		{"on Slack, staff emailed without Slack", "C0CAB", "without-slack", team, true, []string{team}},
		{"on Slack, staff always emailed", "C0CAB", "always", "", true, []string{ailsa, callum}},
		{"on Slack, staff never emailed", "C0CAB", "never", "", true, nil},
		{"off Slack, staff never emailed", "", "never", team, false, []string{team}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			h := newMailHarness(t, harnessOpts{}, smtpfake.Options{}, nil)
			if _, err := h.env.Pool.Exec(context.Background(), `UPDATE agencies SET slack_channel_id = $2, email_staff = $3, notify_email = $4 WHERE id = $1`,
				h.net.CAB, tc.channel, tc.emailStaff, tc.notify); err != nil {
				t.Fatal(err)
			}
			r := crisisAfterEnd(t, h.harness)
			drain(t, h.mailWorker(t))
			got := h.agencyCrisisEmails(t, 0)
			var to []string
			for addr, ps := range got {
				to = append(to, addr)
				if len(ps) != 1 || !strings.Contains(ps[0].Text, "/staff/referrals/"+r.Reference) {
					t.Errorf("%s got %d crisis emails, want one with the link", addr, len(ps))
				}
			}
			sort.Strings(to)
			if !slices.Equal(to, tc.emailed) {
				t.Errorf("emailed %v, want %v", to, tc.emailed)
			}
			posted := 0
			for _, c := range h.slack.Calls() {
				if c.Method == "chat.postMessage" && c.Channel == "C0CAB" && strings.Contains(c.Text, r.Reference) {
					posted++
				}
			}
			if (posted == 1) != tc.posted || posted > 1 {
				t.Errorf("%d alerts in Kirkton's channel, want posted %v", posted, tc.posted)
			}
		})
	}
}

// TestCrisisAfterEndAgencyAlertsStopOnceTheReferralClosed: the client
// withdraws their consent before the worker gets to the alerts of their
// crisis text. Kirkton, on Slack and emailing its staff always, gets
// neither the Slack post nor the email (the client shares nothing more
// with it), while the coordinators' alert still goes.
func TestCrisisAfterEndAgencyAlertsStopOnceTheReferralClosed(t *testing.T) {
	t.Parallel()
	h := newMailHarness(t, harnessOpts{}, smtpfake.Options{}, nil)
	if _, err := h.env.Pool.Exec(context.Background(), `UPDATE agencies SET email_staff = 'always', notify_email = 'team@cab.example' WHERE id = $1`,
		h.net.CAB); err != nil {
		t.Fatal(err)
	}
	r := crisisAfterEnd(t, h.harness)
	if _, err := h.engine.WithdrawByReference(context.Background(), r.Reference, core.ClientActor, "sms", "SMwithdraw"); err != nil {
		t.Fatal(err)
	}
	drain(t, h.mailWorker(t))
	if got := h.agencyCrisisEmails(t, 0); len(got) != 0 {
		t.Errorf("crisis emails to %v after the referral closed, want none", got)
	}
	skipped := 0
	for _, e := range coretest.OutboxRows(t, h.engine) {
		if e.Kind == core.OutboxEmail && e.Payload.Email == core.EmailClientCrisis {
			if e.SentAt == nil || e.DeliveryStatus != "skipped: referral closed since" {
				t.Errorf("the agency's email cause: sent %v, status %q; want skipped as the referral closed", e.SentAt, e.DeliveryStatus)
			}
			skipped++
		}
	}
	if skipped != 1 {
		t.Errorf("%d agency email causes, want 1", skipped)
	}
	posts := map[string]int{}
	for _, c := range h.slack.Calls() {
		if c.Method == "chat.postMessage" && strings.Contains(c.Text, "self-harm") {
			posts[c.Channel]++
		}
	}
	if posts["C0CAB"] != 0 || posts[triageChannel] != 1 {
		t.Errorf("crisis alerts posted %v, want the triage channel's alone", posts)
	}
}

// TestCrisisAfterEndEmailsRetriedOnTheShortSchedule: the mail server
// answers 451 (try later) to the first emails of a crisis text. The
// agency's and the coordinators' are retried within seconds, as every
// crisis alert is, not after the routine wait (here ten minutes), and
// then reach everyone once.
func TestCrisisAfterEndEmailsRetriedOnTheShortSchedule(t *testing.T) {
	t.Parallel()
	h := newMailHarness(t, harnessOpts{noSlack: true}, smtpfake.Options{}, nil)
	h.emailOnly(t)
	crisisAfterEnd(t, h.harness)
	h.smtp.SetScript(func(n int) smtpfake.Reply {
		if n <= 4 {
			return smtpfake.Reply{Code: 451}
		}
		return smtpfake.Reply{}
	})
	w := h.worker(t, func(o *notify.Options) {
		o.Mail, o.BaseBackoff, o.MaxBackoff = h.sender, 10*time.Minute, time.Hour
	})
	drain(t, w)
	failed := 0
	for _, e := range coretest.OutboxRows(t, h.engine) {
		if e.Kind != core.OutboxEmailSend || e.SentAt != nil {
			continue
		}
		failed++
		if e.Attempts != 1 {
			t.Errorf("%s email to staff %d: %d attempts, want 1", e.Payload.Email, e.Payload.StaffID, e.Attempts)
		}
		if wait := e.AvailableAt.Sub(h.clock.Now()); wait > 5*time.Second {
			t.Errorf("%s email to staff %d retried in %v, want the short schedule (within seconds)", e.Payload.Email, e.Payload.StaffID, wait)
		}
	}
	if failed != 4 {
		t.Fatalf("%d emails waiting to be retried, want 4 (Kirkton's two advisers and shared address, the coordinator)", failed)
	}
	h.env.Clock.Advance(5 * time.Second)
	drain(t, w)
	got := byRecipient(h.smtp.Messages())
	for _, addr := range []string{h.net.Adviser.Email, h.net.Adviser2.Email, "team@cab.example", h.net.Coordinator.Email} {
		if len(got[addr]) != 1 {
			t.Errorf("%s got %d emails, want 1", addr, len(got[addr]))
		}
	}
}
