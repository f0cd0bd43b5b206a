package notify_test

import (
	"context"
	"slices"
	"strings"
	"testing"

	"github.com/onward-network/onward/core"
	"github.com/onward-network/onward/core/coretest"
	"github.com/onward-network/onward/notify/smtpfake"
)

// An email-only adviser's review: a client who answered the contact
// check "2" (nobody has contacted me) raised an alert to the coordinators
// alone; the agency holding the referral heard nothing, and the answer
// was nowhere on the referral's page. Now the agency is emailed (as its
// contact reminders are, saying it is the client's answer) and the
// referral's story tells it. The email, the agency's Slack alert and the
// coordinators' alert state the fact in one set of words
// (core.NotContactedWords); the agency is asked the same thing on Slack
// and by email.
func TestClientSaysNotContactedTellsTheAgency(t *testing.T) {
	t.Parallel()
	h := newMailHarness(t, harnessOpts{}, smtpfake.Options{}, nil)
	h.emailOnly(t)
	ctx := context.Background()
	n := h.net
	h.markAllSent(t)
	h.cfg.MailReplyTo = "" // replies go to the sender, which nobody reads: the emails say so
	w := h.mailWorker(t)

	r := h.staffReferral(t, "not-contacted", false)
	h.acceptAll(t, r)
	drain(t, w)
	before := len(h.smtp.Messages())
	if err := h.engine.AnswerContactCheck(ctx, core.Phone("+447700900123"), r.ID, false); err != nil {
		t.Fatal(err)
	}
	for range 3 { // the alert, its email, the send
		drain(t, w)
	}

	words := core.NotContactedWords(r.Reference)
	got := h.subjects(t, before, words.Fact)
	if want := []string{n.Adviser.Email, n.Adviser2.Email, "team@cab.example"}; !slices.Equal(addresses(got), want) {
		t.Fatalf("the agency's emails went to %v, want %v", got, want)
	}
	personal := []string{"Morag", "Baird", "07700 900123", "7700900123", "KY1 1AB", "Rent arrears"}
	for _, m := range h.smtp.Messages()[before:] {
		p := parse(t, m)
		if decodedSubject(p) != words.Fact {
			continue
		}
		if !strings.Contains(p.Text, "Replies to this email are not read.") {
			t.Errorf("with no Reply-To, the email does not say replies are not read:\n%s", p.Text)
		}
		if !strings.Contains(p.Text, words.ToAgency()) ||
			!strings.Contains(p.Text, "https://onward.example/staff/referrals/"+r.Reference) {
			t.Errorf("the agency's email says:\n%s", p.Text)
		}
		if m.To[0] == "team@cab.example" {
			coretest.Golden(t, "testdata/email/contact_reminder_not_contacted.golden", describe(p))
		}
		for _, s := range personal {
			if strings.Contains(describe(p)+string(m.Data), s) {
				t.Errorf("the email to %v carries personal data %q", m.To, s)
			}
		}
	}
	if h.postsTo(triageChannel, words.ToCoordinators("Kirkton Citizens Advice")) != 1 {
		t.Errorf("the coordinators' alert was not posted in triage, stating the fact as the agency is told it: %+v", h.slack.Calls())
	}

	// The story of the referral, as the agency reads it, tells the answer.
	tl, err := h.engine.Timeline(ctx, r.ID, n.Adviser.Actor())
	if err != nil {
		t.Fatal(err)
	}
	if !slices.ContainsFunc(tl, func(e core.TimelineEntry) bool { return e.NotContacted && e.Actor == "the client" }) {
		t.Errorf("the timeline does not tell the client's answer: %+v", tl)
	}

	// An agency on Slack is told in its channel, in the email's words.
	if _, err := h.env.Pool.Exec(ctx, `UPDATE agencies SET slack_channel_id = 'C0CAB' WHERE id = $1`, n.CAB); err != nil {
		t.Fatal(err)
	}
	r = h.staffReferral(t, "not-contacted-slack", false)
	h.acceptAll(t, r)
	drain(t, w)
	if err := h.engine.AnswerContactCheck(ctx, core.Phone("+447700900123"), r.ID, false); err != nil {
		t.Fatal(err)
	}
	drain(t, w)
	if h.postsTo("C0CAB", core.NotContactedWords(r.Reference).ToAgency()) != 1 {
		t.Errorf("the agency's Slack alert does not say what its email says: %+v", h.slack.Calls())
	}
}
