package notify_test

import (
	"context"
	"strings"
	"testing"

	"github.com/onward-network/onward/core"
	"github.com/onward-network/onward/core/coretest"
)

// A client who was told of their referral (a self-referral's confirmation,
// or an agency's acceptance) and then has it cancelled by staff is texted
// that it was cancelled and whom to call, once: they must not wait for a
// call that will never come. A referral an adviser made that nobody had
// told the client of yet is cancelled without a text.
func TestCancelledReferralIsTextedToAClientWhoWasTold(t *testing.T) {
	t.Parallel()
	h := newHarness(t, harnessOpts{})
	ctx := context.Background()
	n := h.env.Net
	w := h.worker(t, nil)
	act := func(req core.TransitionRequest) {
		t.Helper()
		if _, err := h.engine.Act(ctx, req); err != nil {
			t.Fatalf("%s: %v", req.Action, err)
		}
	}
	staffReferral := func(key string) core.Referral {
		t.Helper()
		in := coretest.SelfReferral(key)
		r, err := h.engine.StaffRefer(ctx, core.StaffReferral{IdempotencyKey: key, By: n.WelfareAdviser.Actor(),
			Client: in.Client, Needs: []core.Need{core.NeedDebt}, ToAgency: n.CAB, ConsentConfirmed: true, WordingVersion: "v1"})
		if err != nil {
			t.Fatal(err)
		}
		return r
	}
	cancelledTexts := func(ref string) int {
		k := 0
		for _, m := range h.twilio.Accepted() {
			if strings.Contains(m.Body, ref) && strings.Contains(m.Body, "has been cancelled") {
				k++
			}
		}
		return k
	}

	// A crisis self-referral closed by a coordinator in triage.
	crisis := h.selfRefer(t, "cancel-triage", func(in *core.SelfReferral) { in.Crisis = true; in.CrisisReasons = []string{"no food"} })
	coord := n.Coordinator.Actor()
	act(core.TransitionRequest{Referral: crisis.ID, Action: core.ActionClaim, Actor: coord})
	act(core.TransitionRequest{Referral: crisis.ID, Action: core.ActionCancel, Actor: coord, Feedback: "duplicate of another request"})
	// An adviser's referral, accepted (the client is texted to expect
	// contact), then cancelled by the receiving agency.
	accepted := staffReferral("cancel-accepted")
	act(core.TransitionRequest{Referral: accepted.ID, Action: core.ActionAccept, Actor: n.Adviser.Actor()})
	act(core.TransitionRequest{Referral: accepted.ID, Action: core.ActionCancel, Actor: n.Adviser.Actor()})
	// An adviser's referral cancelled by the adviser before anyone told
	// the client of it.
	untold := staffReferral("cancel-untold")
	act(core.TransitionRequest{Referral: untold.ID, Action: core.ActionCancel, Actor: n.WelfareAdviser.Actor()})
	drain(t, w)

	if k := cancelledTexts(crisis.Reference); k != 1 {
		t.Errorf("the crisis self-referral closed in triage: %d cancellation texts, want 1; texts %+v", k, h.twilio.Accepted())
	}
	if k := cancelledTexts(accepted.Reference); k != 1 {
		t.Errorf("the accepted referral cancelled by its agency: %d cancellation texts, want 1", k)
	}
	if k := cancelledTexts(untold.Reference); k != 0 {
		t.Errorf("a referral the client was never told of: %d cancellation texts, want none", k)
	}
}
