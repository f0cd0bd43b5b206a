package sms

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/onward-network/onward/core"
	"github.com/onward-network/onward/core/coretest"
)

// referralConversations walk a phone to a referral by text in each
// language (the scripts of TestSMSScripts).
var referralConversations = map[string][]string{
	"en": {"Hi", "1", "1", "KY1 1AB", "no", "no", "Ailsa Fictional", "1", "1", "yes"},
	"pl": {"POLSKI", "dług i czynsz", "KY1 1AB", "nie", "nie", "Ania Fikcyjna", "1", "tak", "rano", "TAK"},
	"uk": {"УКРАЇНСЬКА", "1 4", "KY1 1AB", "ні", "ні", "Оксана", "1", "так", "1", "ТАК"},
	"ar": {"عربي", "1", "KY1 1AB", "لا", "لا", "ليلى", "1", "نعم", "2", "نعم"},
	"ur": {"اردو", "1", "KY1 1AB", "نہیں", "نہیں", "عائشہ", "1", "جی ہاں", "3", "ہاں"},
}

// acceptedByText refers phone by text in language code, has an agency
// accept the referral, and lets three days pass, as before a contact
// check is asked.
func (h *smsHarness) acceptedByText(phone, code string) core.Referral {
	h.t.Helper()
	ctx := context.Background()
	var last []string
	for _, b := range referralConversations[code] {
		last = h.text(phone, b)
	}
	r, err := h.env.Engine.ReferralByReference(ctx, referenceRe.FindString(strings.Join(last, " ")))
	if err != nil {
		h.t.Fatalf("no referral after the %s conversation (%q): %v", code, last, err)
	}
	if r.InTriage() {
		if _, err := h.env.Engine.Act(ctx, core.TransitionRequest{Referral: r.ID, Action: core.ActionAssign,
			Actor: h.env.Net.Coordinator.Actor(), ToAgency: h.env.Net.CAB}); err != nil {
			h.t.Fatal(err)
		}
	}
	if _, err := h.env.Engine.Act(ctx, core.TransitionRequest{Referral: r.ID, Action: core.ActionAccept, Actor: h.env.Net.Adviser.Actor()}); err != nil {
		h.t.Fatal(err)
	}
	// Questions are asked days later, when the conversation has expired.
	h.env.Clock.Advance(3 * 24 * time.Hour)
	return r
}

// TestSMSContactCheckAnswers: "has the agency contacted you? Reply 1 if
// yes, 2 if no" is answered by the digit in any script's digits, or by a
// yes or no in the client's language or English; the answer is recorded
// (the referral contacted, or the team alerted) and thanked in the
// client's language, and no new conversation starts, so the client's
// later score to the feedback question is a score, not a need.
func TestSMSContactCheckAnswers(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		name, code, answer string
		contacted          bool
		thanks             string // in the reply
		score              string // then the answer to the feedback question, 4
	}{
		{"english no", "en", "no", false, "told the Kingdom Advice Network team", "4"},
		{"english yes", "en", "Yes!", true, "glad an adviser has been in touch", "4"},
		{"arabic-indic 2", "en", "٢", false, "told the Kingdom Advice Network team", "٤"},
		{"polish nie", "pl", "nie", false, "Przekazaliśmy to zespołowi", "4"},
		{"polish tak", "pl", "Tak.", true, "Cieszymy się", "4"},
		{"polish client in english", "pl", "no", false, "Przekazaliśmy to zespołowi", "４"},
		{"ukrainian ні", "uk", "ні", false, "Ми передали це команді", "4"},
		{"arabic نعم", "ar", "نعم", true, "يسعدنا أن المستشار تواصل معك", "٤"},
		{"arabic ٢", "ar", "٢", false, "أبلغنا فريق", "٤"},
		{"urdu ۱", "ur", "۱", true, "ہمیں خوشی ہے", "۴"},
	} {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			h := newSMSHarness(t)
			ctx := context.Background()
			const phone = "+447700900456"
			r := h.acceptedByText(phone, c.code)
			week := h.env.Clock.Now().Add(7 * 24 * time.Hour)
			if err := h.env.Engine.AwaitReply(ctx, r.ID, core.AwaitContactCheck, week); err != nil {
				t.Fatal(err)
			}
			if got := h.text(phone, c.answer); len(got) != 1 || !strings.Contains(got[0], c.thanks) {
				t.Fatalf("%q to the contact check answered %q, want %q", c.answer, got, c.thanks)
			}
			r, _ = h.env.Engine.Referral(ctx, r.ID)
			alerts := 0
			for _, o := range coretest.OutboxRows(t, h.env.Engine) {
				if o.Kind == core.OutboxAlert && o.ReferralID != nil && *o.ReferralID == r.ID {
					alerts++
				}
			}
			if c.contacted && (r.ContactedAt == nil || alerts != 0) || !c.contacted && (r.ContactedAt != nil || alerts != 1) {
				t.Errorf("%q: contacted at %v, %d not-contacted alerts; want contacted %v", c.answer, r.ContactedAt, alerts, c.contacted)
			}
			if st := h.state(phone); st.open() {
				t.Fatalf("%q to the contact check started a conversation at %s", c.answer, st.Conv.Step)
			}
			if err := h.env.Engine.AwaitReply(ctx, r.ID, core.AwaitFeedback, week); err != nil {
				t.Fatal(err)
			}
			h.text(phone, c.score)
			var score *int
			if err := h.env.Pool.QueryRow(ctx, "SELECT feedback_score FROM referrals WHERE id = $1", r.ID).Scan(&score); err != nil || score == nil || *score != 4 {
				t.Errorf("feedback %q recorded a score of %v (%v), want 4", c.score, score, err)
			}
		})
	}
}

// TestSMSContactCheckCrisisIsNoAnswer: a "no" that says the client is in
// crisis is not taken for the contact check: the conversation answers it
// with the crisis lines, and the question stays open.
func TestSMSContactCheckCrisisIsNoAnswer(t *testing.T) {
	t.Parallel()
	h := newSMSHarness(t)
	ctx := context.Background()
	r := h.acceptedByText(smsTestPhone, "en")
	if err := h.env.Engine.AwaitReply(ctx, r.ID, core.AwaitContactCheck, h.env.Clock.Now().Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	if got := h.text(smsTestPhone, "no and I want to kill myself"); len(got) == 0 || !strings.Contains(got[0], "Samaritans") {
		t.Fatalf("a crisis answered %q, want the crisis lines first", got)
	}
	if _, waiting, _ := h.env.Engine.Awaiting(ctx, mustPhone(t, smsTestPhone)); !waiting {
		t.Error("the contact check was taken as answered by a crisis text")
	}
}
