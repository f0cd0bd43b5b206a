package sms

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/onward-network/onward/core"
)

// TestSMSFeedbackCommentAndRecommend: through the signed webhook, a
// completed client's score is followed by the comment question and the
// recommendation, in their language; the comment is kept sealed, SKIP
// skips it, and the answers are stored.
func TestSMSFeedbackCommentAndRecommend(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name, phone                      string
		conversation                     []string
		askComment, askRecommend, thanks string
		comment, recommend               string
		wantComment                      string
		wantRecommend                    bool
	}{
		{"english", smsTestPhone, []string{"Hi", "1", "1", "KY1 1AB", "no", "no", "Ailsa Fictional", "1", "1", "yes"},
			"a few words about the help", "Would you recommend Kingdom Advice Network", "Thank you for your feedback",
			"Really quick and kind, thanks", "yes", "Really quick and kind, thanks", true},
		{"polish skips the comment", "+447700900456", []string{"POLSKI", "dług i czynsz", "KY1 1AB", "nie", "nie", "Ania Fikcyjna", "1", "tak", "rano", "TAK"},
			"kilkoma słowami o pomocy", "Czy polecił(a)byś", "Dziękujemy za opinię",
			"POMIŃ", "nie", "", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			h := newSMSHarness(t)
			ctx := context.Background()
			for _, b := range tc.conversation {
				h.text(tc.phone, b)
			}
			r, err := h.env.Engine.ReferralByReference(ctx, "ONW-T00001")
			if err != nil {
				t.Fatal(err)
			}
			if r.InTriage() {
				if _, err := h.env.Engine.Act(ctx, core.TransitionRequest{Referral: r.ID, Action: core.ActionAssign,
					Actor: h.env.Net.Coordinator.Actor(), ToAgency: h.env.Net.CAB}); err != nil {
					t.Fatal(err)
				}
			}
			for _, a := range []core.Action{core.ActionAccept, core.ActionContact, core.ActionComplete} {
				if _, err := h.env.Engine.Act(ctx, core.TransitionRequest{Referral: r.ID, Action: a, Actor: h.env.Net.Adviser.Actor(),
					Outcome: core.OutcomeHelpGiven}); err != nil {
					t.Fatal(err)
				}
			}
			if err := h.env.Engine.AwaitReply(ctx, r.ID, core.AwaitFeedback, h.env.Clock.Now().Add(7*24*time.Hour)); err != nil {
				t.Fatal(err)
			}
			for _, step := range []struct{ text, want string }{
				{"5", tc.askComment}, {tc.comment, tc.askRecommend}, {tc.recommend, tc.thanks},
			} {
				if got := h.text(tc.phone, step.text); len(got) != 1 || !strings.Contains(got[0], step.want) {
					t.Fatalf("%q answered %q, want %q", step.text, got, step.want)
				}
			}
			r, _ = h.env.Engine.Referral(ctx, r.ID)
			comment, err := h.env.Engine.FeedbackComment(ctx, r)
			if err != nil || comment != tc.wantComment {
				t.Errorf("comment = %q, %v; want %q", comment, err, tc.wantComment)
			}
			if r.FeedbackRecommend == nil || *r.FeedbackRecommend != tc.wantRecommend || r.FeedbackScore == nil || *r.FeedbackScore != 5 {
				t.Errorf("recommend %v, score %v", r.FeedbackRecommend, r.FeedbackScore)
			}
			if tc.wantComment != "" {
				var clear int
				h.env.Pool.QueryRow(ctx, `SELECT count(*) FROM referrals WHERE position($1::bytea IN feedback_comment_enc) > 0`, []byte("quick and kind")).Scan(&clear)
				if clear != 0 {
					t.Error("the comment is stored in clear")
				}
			}
			if _, waiting, _ := h.env.Engine.Awaiting(ctx, mustPhone(t, tc.phone)); waiting {
				t.Error("still waiting for an answer after the last question")
			}
		})
	}
}

func mustPhone(t *testing.T, s string) core.Phone {
	t.Helper()
	p, err := core.ParsePhone(s)
	if err != nil {
		t.Fatal(err)
	}
	return p
}
