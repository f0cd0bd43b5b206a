package core_test

import (
	"context"
	"strings"
	"testing"

	"github.com/onward-network/onward/core"
	"github.com/onward-network/onward/core/coretest"
)

// TestRejectionFeedbackInWords: a rejection says why in words, whatever
// channel it comes from (they all reach Act): a dot, a dash or digits
// alone are refused naming the feedback, and change nothing; a word in
// any script will do.
func TestRejectionFeedbackInWords(t *testing.T) {
	t.Parallel()
	env := coretest.NewEnv(t)
	ctx := context.Background()
	r := referralIn(t, env, core.StatusRequested, "feedback-words")
	for _, feedback := range []string{"", " ", ".", "-", "...", "12", "?!"} {
		_, err := env.Engine.Act(ctx, core.TransitionRequest{Referral: r.ID, Action: core.ActionReject,
			Actor: env.Net.Adviser.Actor(), ExpectedVersion: r.Version, Reason: core.ReasonNotEligible, Feedback: feedback})
		if got := fieldsOf(err)["feedback"]; !strings.Contains(got, "say why, in words") {
			t.Errorf("feedback %q: got %v, want a refusal asking for words", feedback, err)
		}
	}
	if got, err := env.Engine.Referral(ctx, r.ID); err != nil || got.Status != core.StatusRequested {
		t.Fatalf("after the refusals: %v, %v; want still requested", got.Status, err)
	}
	if _, err := env.Engine.Act(ctx, core.TransitionRequest{Referral: r.ID, Action: core.ActionReject,
		Actor: env.Net.Adviser.Actor(), ExpectedVersion: r.Version, Reason: core.ReasonNotEligible, Feedback: "Tylko dla najemców"}); err != nil {
		t.Errorf("feedback in words: %v", err)
	}
}
