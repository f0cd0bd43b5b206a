package notify_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/onward-network/onward/core"
	"github.com/onward-network/onward/core/coretest"
	"github.com/onward-network/onward/notify/smtpfake"
)

// TestEveryEmailKindWithoutPersonalData sends every kind of email through
// the real flows and the real SMTP client, and fails if any message
// carries the client's name, phone, full postcode, notes or feedback that
// mentions them.
func TestEveryEmailKindWithoutPersonalData(t *testing.T) {
	t.Parallel()
	h := newMailHarness(t, harnessOpts{noSlack: true}, smtpfake.Options{}, nil)
	h.emailOnly(t)
	ctx := context.Background()
	h.markAllSent(t)
	w := h.mailWorker(t)
	n := h.net

	// Crisis self-referral: the coordinators.
	h.selfRefer(t, "pii-crisis", func(s *core.SelfReferral) { s.Crisis = true })
	// A referral to the CAB, turned down with feedback naming the client.
	r := h.staffReferral(t, "pii-reject", false)
	if _, err := h.engine.Act(ctx, core.TransitionRequest{Referral: r.ID, Action: core.ActionReject, Actor: n.Adviser.Actor(),
		Reason: core.ReasonNotEligible, Feedback: "Morag Baird on 07700 900123 lives outside our area (KY1 1AB)"}); err != nil {
		t.Fatal(err)
	}
	// One redirected to the CAB with feedback naming the client: the CAB's
	// new-referral email says who redirected it, not what they wrote.
	h.redirectToCAB(t, "pii-redirect", "Morag Baird on 07700 900123 lives outside our area (KY1 1AB)")
	// One left waiting: reminder and escalation.
	h.staffReferral(t, "pii-wait", false)
	// One accepted and never marked contacted: a contact reminder.
	accepted := h.staffReferral(t, "pii-accepted", false)
	if _, err := h.engine.Act(ctx, core.TransitionRequest{Referral: accepted.ID, Action: core.ActionAccept, Actor: n.Adviser.Actor()}); err != nil {
		t.Fatal(err)
	}
	// One cancelled by its referrer, saying why in words naming the
	// client: the CAB, which held it, is told it was cancelled.
	cancelled := h.staffReferral(t, "pii-cancel", false)
	if _, err := h.engine.Act(ctx, core.TransitionRequest{Referral: cancelled.ID, Action: core.ActionCancel, Actor: n.WelfareAdviser.Actor(),
		Feedback: "Morag Baird on 07700 900123 moved outside our area (KY1 1AB)"}); err != nil {
		t.Fatal(err)
	}
	// A client of the CAB texts words of self-harm after their
	// referral: the CAB's staff are emailed.
	crisisText, err := h.engine.SelfRefer(ctx, coretest.SelfReferral("pii-crisis-text"))
	if err != nil {
		t.Fatal(err)
	}
	if out, err := h.engine.RecordCrisisAfterEnd(ctx, core.CrisisAfterEnd{Reference: crisisText.Referral.Reference,
		Phone: "+447700900123", SelfHarm: true, Danger: true, MessageSID: "SMpii"}); err != nil || out != core.CrisisAlerted {
		t.Fatalf("crisis text: %s, %v", out, err)
	}
	drain(t, w)
	h.env.Clock.Advance(10 * 24 * time.Hour)
	// A dead letter, a digest, a sign-in link and an invitation.
	if err := h.engine.Outbox().Enqueue(ctx, core.OutboxEmail, 0, core.OutboxPayload{ReferralID: r.ID, Email: core.EmailDeadLetter,
		Template: "sms.client", Level: "5", Version: 8, Text: "twilio: status 400 error 21211 (invalid number) [permanent]"}, "mail:deadletter:test", time.Time{}); err != nil {
		t.Fatal(err)
	}
	// A coordinators' alert, with no Slack: emailed instead.
	if err := h.engine.Outbox().Enqueue(ctx, core.OutboxAlert, 0, core.OutboxPayload{ReferralID: r.ID, Level: core.AlertNotContacted,
		Text: core.NotContactedWords(r.Reference).ToCoordinators("Kirkton Citizens Advice")}, "not-contacted:test", time.Time{}); err != nil {
		t.Fatal(err)
	}
	if err := h.engine.SetMailPrefs(ctx, n.Adviser.ID, map[core.EmailKind]core.MailMode{core.EmailAckReminder: core.MailDigest}); err != nil {
		t.Fatal(err)
	}
	if err := h.engine.Outbox().Enqueue(ctx, core.OutboxEmail, 0, core.OutboxPayload{AgencyID: n.CAB, Email: core.EmailDigest}, "mail:digest:test", time.Time{}); err != nil {
		t.Fatal(err)
	}
	if err := h.engine.QueueSignInEmail(ctx, n.Adviser.ID, "https://onward.example/staff/login?token=t1", "jti-pii-1"); err != nil {
		t.Fatal(err)
	}
	if err := pgx.BeginFunc(ctx, h.env.Pool, func(tx pgx.Tx) error {
		return h.engine.QueueStaffInvitation(ctx, tx, n.HousingAdviser.ID, "https://onward.example/staff/login?token=t2", "jti-pii-2")
	}); err != nil {
		t.Fatal(err)
	}
	drain(t, w)

	sent := map[core.EmailKind]int{}
	for _, e := range coretest.OutboxRows(t, h.engine) {
		if e.Kind == core.OutboxEmailSend && e.SentAt != nil && e.DeliveryStatus == "email accepted" {
			sent[e.Payload.Email]++
		}
	}
	for _, k := range core.EmailKinds {
		if sent[k] == 0 {
			t.Errorf("no %s email was sent (sent: %v)", k, sent)
		}
	}
	msgs := h.smtp.Messages()
	if len(msgs) == 0 {
		t.Fatal("no messages")
	}
	personal := []string{"Morag", "Baird", "07700 900123", "+447700900123", "7700900123", "KY1 1AB", "KY11AB", "Rent arrears", "outside our area"}
	escalations := 0
	for _, m := range msgs {
		p := parse(t, m)
		// An escalation comes after the acknowledgement was due: its
		// facts say it was due, not "Acknowledge by" a time gone (an
		// email-only adviser's review).
		if strings.HasPrefix(decodedSubject(p), "Escalation:") {
			escalations++
			if !strings.Contains(p.Text, "Was due to be acknowledged by: ") || strings.Contains(p.Text, "Acknowledge by:") {
				t.Errorf("the escalation's facts:\n%s", p.Text)
			}
		}
		all := describe(p) + string(m.Data)
		for _, s := range personal {
			if strings.Contains(all, s) {
				t.Errorf("email %q to %v carries personal data %q", p.Header.Get("Subject"), m.To, s)
			}
		}
	}
	if escalations == 0 {
		t.Error("no escalation was emailed")
	}
}
