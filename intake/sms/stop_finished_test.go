package sms

import (
	"context"
	"strings"
	"testing"

	"github.com/onward-network/onward/core"
	"github.com/onward-network/onward/intake/flow"
)

// TestStopStartKeepsAFinishedConversation: a client whose referral is
// open and accepted texts STOP, then START, HELP and POMOC, then words
// about having no food. STOP drops only an unfinished conversation: after
// START the phone is where it was, told "we already have your answers …
// reply RESTART" as before STOP, not greeted and asked its needs again,
// and no second referral is started.
func TestStopStartKeepsAFinishedConversation(t *testing.T) {
	t.Parallel()
	h := newSMSHarness(t)
	ctx := context.Background()
	r := h.referByText(smsTestPhone)
	if r.InTriage() {
		if _, err := h.env.Engine.Act(ctx, core.TransitionRequest{Referral: r.ID, Action: core.ActionAssign,
			Actor: h.env.Net.Coordinator.Actor(), ToAgency: h.env.Net.CAB}); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := h.env.Engine.Act(ctx, core.TransitionRequest{Referral: r.ID, Action: core.ActionAccept, Actor: h.env.Net.Adviser.Actor()}); err != nil {
		t.Fatal(err)
	}
	finished := "we already have your answers"
	if got := strings.Join(h.text(smsTestPhone, "thanks"), " "); !strings.Contains(got, finished) {
		t.Fatalf("a text after the referral answered %q, want %q", got, finished)
	}
	for _, b := range []string{"Stop.", "START", "HELP", "pomoc"} {
		h.text(smsTestPhone, b)
	}
	got := strings.Join(h.text(smsTestPhone, "I have no food for the kids"), " ")
	if !strings.Contains(got, finished) || strings.Contains(got, "What do you need help with") {
		t.Errorf("after STOP and START a text answered %q; want %q, not a new request", got, finished)
	}
	if st := h.state(smsTestPhone); st == nil || st.Conv.Step != flow.StepDone || st.Reference != r.Reference {
		t.Errorf("after STOP and START the conversation is %+v, want the finished one with %s", st, r.Reference)
	}
	if n := h.count("referrals"); n != 1 {
		t.Errorf("%d referrals, want the one", n)
	}
}
