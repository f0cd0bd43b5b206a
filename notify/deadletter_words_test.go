package notify_test

import (
	"context"
	"strings"
	"testing"

	"github.com/onward-network/onward/core"
	"github.com/onward-network/onward/notify"
	"github.com/onward-network/onward/notify/smtpfake"
)

// Every kind is named in plain words with the article its first word
// takes: "could not deliver an email", never "a email.send".
func TestKindWords(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		kind core.OutboxKind
		want string
	}{
		{core.OutboxEmailSend, "an email"},
		{core.OutboxEmail, "an email"},
		{core.OutboxClientSMS, "a text to a client"},
		{core.OutboxDirectoryText, "a text of a service's details"},
		{core.OutboxPhoneCode, "a text with a phone code"},
		{core.OutboxWithdrawalAsk, "a client's ask for a code to withdraw consent"},
		{core.OutboxCard, "a Slack card"},
		{core.OutboxFeedback, "a Slack message with rejection feedback"},
		{core.OutboxCrisisAlert, "a crisis alert"},
		{core.OutboxAckReminder, "a reminder of a referral not acknowledged in time"},
		{core.OutboxContactNudge, "a reminder of a client not yet contacted"},
		{core.OutboxAlert, "an alert to the coordinators"},
		{notify.KindDigest, "a daily digest"},
		{core.OutboxWebhook, "a webhook event for a partner system"},
		{core.OutboxProviderErase, "the deletion at Twilio of an erased client's messages"},
		{"fax.send", "a message (fax.send)"},
	} {
		if got := notify.KindWords(tc.kind); got != tc.want {
			t.Errorf("%s: %q, want %q", tc.kind, got, tc.want)
		}
	}
}

// TestDeadLetterEmailNamesTheKind: the coordinators' email about an
// email given up on says what could not be delivered in plain words.
func TestDeadLetterEmailNamesTheKind(t *testing.T) {
	t.Parallel()
	h := newMailHarness(t, harnessOpts{noSlack: true}, smtpfake.Options{}, nil)
	h.markAllSent(t)
	h.smtp.SetScript(func(n int) smtpfake.Reply {
		if n == 1 {
			return smtpfake.Reply{Code: 550} // the sign-in email, refused
		}
		return smtpfake.Reply{}
	})
	if err := h.engine.QueueSignInEmail(context.Background(), h.net.HousingAdviser.ID, "https://onward.example/staff/login?token=abc", "jti-dead"); err != nil {
		t.Fatal(err)
	}
	drain(t, h.mailWorker(t))
	ms := byRecipient(h.smtp.Messages())[h.net.Coordinator.Email]
	if len(ms) != 1 {
		t.Fatalf("the coordinator got %d emails, want the dead letter's", len(ms))
	}
	m := parse(t, ms[0])
	if subj := m.Header.Get("Subject"); subj != "Onward could not deliver an email" {
		t.Errorf("subject %q", subj)
	}
	want := "Onward could not deliver an email (email.send): it failed once and will not be tried again"
	if !strings.Contains(m.Text, want) || !strings.Contains(m.HTML, "<h1 style=\"font-size: 24px\">Onward could not deliver an email</h1>") {
		t.Errorf("the email does not say what could not be delivered (%q):\n%s\n%s", want, m.Text, m.HTML)
	}
}
