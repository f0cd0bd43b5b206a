package core_test

import (
	"context"
	"testing"
	"time"

	"github.com/onward-network/onward/core"
	"github.com/onward-network/onward/core/coretest"
)

// TestAgencyDayCountsAsTheInboxDoes: an agency's digest counts its
// referrals by the inbox's rules. A referral past its deadline and never
// answered is overdue in both; one put on the waiting list and taken off
// again was answered, and is overdue in neither. One on the waiting list
// is counted there, and one accepted and not yet contacted there.
func TestAgencyDayCountsAsTheInboxDoes(t *testing.T) {
	t.Parallel()
	env := coretest.NewEnv(t)
	ctx := context.Background()
	n := env.Net
	act := func(r core.Referral, a core.Action) {
		t.Helper()
		if _, err := env.Engine.Act(ctx, core.TransitionRequest{Referral: r.ID, Action: a, Actor: n.Adviser.Actor()}); err != nil {
			t.Fatalf("%s: %v", a, err)
		}
	}
	late := referralIn(t, env, core.StatusRequested, "day-late")
	answered := referralIn(t, env, core.StatusRequested, "day-answered")
	referralIn(t, env, core.StatusOnHold, "day-held")
	referralIn(t, env, core.StatusAccepted, "day-accepted")
	// Both past their deadline; one put on the list and taken off again.
	if _, err := env.Pool.Exec(ctx, `UPDATE referrals SET ack_due_at = $2 WHERE id = ANY($1)`,
		[]core.ReferralID{late.ID, answered.ID}, env.Clock.Now().Add(-time.Hour)); err != nil {
		t.Fatal(err)
	}
	act(answered, core.ActionHold)
	act(answered, core.ActionResume)

	now := env.Clock.Now()
	d, err := env.Engine.AgencyDayCounts(ctx, n.CAB, now, now.Add(-24*time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	if want := (core.AgencyDay{New: 4, Pending: 2, Overdue: 1, NotContacted: 1, OnHold: 1}); d != want {
		t.Errorf("the CAB's day: %+v, want %+v", d, want)
	}
	page, err := env.Engine.List(ctx, core.ListQuery{View: core.ViewInbox, Agency: n.CAB, Overdue: true})
	if err != nil {
		t.Fatal(err)
	}
	if page.Total != d.Overdue {
		t.Errorf("the inbox shows %d overdue, the digest %d", page.Total, d.Overdue)
	}
}
