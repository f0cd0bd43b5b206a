package core_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/onward-network/onward/core"
	"github.com/onward-network/onward/core/coretest"
)

// TestRetiredAgencysReferralsReachCoordinators: retiring an agency that
// keeps open referrals alerts the coordinators, naming them by reference
// and never the client, and lists them for coordinators (and nobody else)
// until each is moved on; bringing an agency back, or retiring one that
// keeps nothing, alerts nobody.
func TestRetiredAgencysReferralsReachCoordinators(t *testing.T) {
	t.Parallel()
	env := coretest.NewEnv(t)
	ctx := context.Background()
	n := env.Net
	accepted := referralIn(t, env, core.StatusAccepted, "held-accepted")
	contacted := referralIn(t, env, core.StatusInProgress, "held-contacted")
	done := referralIn(t, env, core.StatusCompleted, "held-done")
	coretest.MarkOutboxSent(t, env.Pool)

	if err := env.Engine.RetireAgency(ctx, n.CAB, n.Coordinator.Actor()); err != nil {
		t.Fatal(err)
	}
	if err := env.Engine.RetireAgency(ctx, n.FoodBank, n.Coordinator.Actor()); err != nil {
		t.Fatal(err)
	}
	var alerts []core.OutboxEntry
	for _, e := range coretest.OutboxRows(t, env.Engine) {
		if e.Kind == core.OutboxAlert && e.SentAt == nil {
			alerts = append(alerts, e)
		}
	}
	if len(alerts) != 1 {
		t.Fatalf("%d alerts after retiring two agencies, one keeping referrals: %+v", len(alerts), alerts)
	}
	a := alerts[0]
	if a.Payload.Level != core.AlertRetiredHeld || a.Payload.AgencyID != n.CAB {
		t.Errorf("alert level %q agency %d, want %q for the CAB", a.Payload.Level, a.Payload.AgencyID, core.AlertRetiredHeld)
	}
	for _, s := range []string{"Kirkton Citizens Advice has left the network keeping 2 open referrals", accepted.Reference, contacted.Reference, "Redirect each client"} {
		if !strings.Contains(a.Payload.Text, s) {
			t.Errorf("the alert lacks %q: %s", s, a.Payload.Text)
		}
	}
	for _, s := range []string{done.Reference, "Morag", "07700"} {
		if strings.Contains(a.Payload.Text, s) {
			t.Errorf("the alert names %q: %s", s, a.Payload.Text)
		}
	}

	held, err := env.Engine.ReferralsHeldByRetired(ctx, n.Coordinator.Actor(), 1)
	if err != nil {
		t.Fatal(err)
	}
	if held.Total != 2 || held.Agencies != 1 || len(held.Referrals) != 1 || held.Referrals[0].ID != accepted.ID {
		t.Errorf("held by retired agencies, one shown: %d of %d at %d agencies (first %v), want the oldest of 2 at 1",
			len(held.Referrals), held.Total, held.Agencies, held.Referrals)
	}
	var forbidden *core.ForbiddenError
	if _, err := env.Engine.ReferralsHeldByRetired(ctx, n.WelfareAdviser.Actor(), 10); !errors.As(err, &forbidden) {
		t.Errorf("an adviser asked for the list: %v, want refused", err)
	}
	if _, err := env.Engine.Act(ctx, core.TransitionRequest{Referral: contacted.ID, Action: core.ActionRedirect, Actor: n.Coordinator.Actor(),
		ToAgency: n.Welfare, Feedback: "Kirkton Citizens Advice has closed"}); err != nil {
		t.Fatal(err)
	}
	if held, err = env.Engine.ReferralsHeldByRetired(ctx, n.Coordinator.Actor(), 10); err != nil {
		t.Fatal(err)
	}
	if held.Total != 1 || len(held.Referrals) != 1 || held.Referrals[0].ID != accepted.ID {
		t.Errorf("after the redirect, held: %d of %d, want only %s", len(held.Referrals), held.Total, accepted.Reference)
	}

	coretest.MarkOutboxSent(t, env.Pool)
	if err := env.Engine.UnretireAgency(ctx, n.CAB, n.Coordinator.Actor()); err != nil {
		t.Fatal(err)
	}
	for _, e := range coretest.OutboxRows(t, env.Engine) {
		if e.Kind == core.OutboxAlert && e.SentAt == nil {
			t.Errorf("bringing the CAB back alerted the coordinators: %s", e.Payload.Text)
		}
	}
	if held, err = env.Engine.ReferralsHeldByRetired(ctx, n.Coordinator.Actor(), 10); err != nil || held.Total != 0 {
		t.Errorf("the CAB is back, yet %d referrals are listed as held by agencies that left (%v)", held.Total, err)
	}
}
