package core_test

import (
	"context"
	"testing"

	"github.com/onward-network/onward/core"
	"github.com/onward-network/onward/core/coretest"
)

// The referring adviser is emailed what became of their referral, but not
// of what they did themselves: Isla cancelling her own referral gets no
// "Your referral …: cancelled"; a coordinator cancelling another still
// tells her.
func TestReferrerIsNotEmailedAboutTheirOwnAction(t *testing.T) {
	t.Parallel()
	env := coretest.NewEnv(t)
	ctx := context.Background()
	news := func(r core.Referral) int {
		t.Helper()
		rows, err := env.Engine.Outbox().List(ctx, core.OutboxFilter{State: core.OutboxAll, Limit: 1000})
		if err != nil {
			t.Fatal(err)
		}
		n := 0
		for _, e := range rows {
			if e.Payload.ReferralID == r.ID && e.Payload.Email == core.EmailReferralUpdate && e.Payload.Action == core.ActionCancel {
				n++
			}
		}
		return n
	}
	cancel := func(r core.Referral, by core.Actor) {
		t.Helper()
		if _, err := env.Engine.Act(ctx, core.TransitionRequest{Referral: r.ID, Action: core.ActionCancel, Actor: by,
			ExpectedVersion: r.Version, Feedback: "no longer needed"}); err != nil {
			t.Fatal(err)
		}
	}
	own := staffReferralToCAB(t, env, "own-cancel", "07700 900301")
	cancel(own, env.Net.WelfareAdviser.Actor())
	if n := news(own); n != 0 {
		t.Errorf("Isla was emailed %d times that she cancelled her own referral", n)
	}
	theirs := staffReferralToCAB(t, env, "coordinator-cancel", "07700 900302")
	cancel(theirs, env.Net.Coordinator.Actor())
	if n := news(theirs); n != 1 {
		t.Errorf("Isla was emailed %d times of a coordinator cancelling her referral, want 1", n)
	}
}
