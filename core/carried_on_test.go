package core_test

import (
	"context"
	"testing"

	"github.com/onward-network/onward/core"
	"github.com/onward-network/onward/core/coretest"
)

// carriedOn reads what viewer is told was made from referral id.
func carriedOn(t *testing.T, env *coretest.Env, id core.ReferralID, viewer core.Actor) []core.CarriedOn {
	t.Helper()
	got, err := env.Engine.CarriedOnFrom(context.Background(), id, viewer)
	if err != nil {
		t.Fatalf("carried on from referral %d: %v", id, err)
	}
	return got
}

// TestCarriedOnTellsTheSenderWhereTheClientWent: Kirkton Citizens
// Advice, holding an accepted referral, refers the client on to Welfare
// Rights and later redirects another referral of theirs to Housing
// Options. Kirkton's page of the first tells the referral it made, where
// it went and how it stands now; the agency that made the second
// referral reads the redirect's new leg with its status as it moves on;
// the agency the second was redirected away from no longer holds the
// client and is told nothing of it; a coordinator reads both.
func TestCarriedOnTellsTheSenderWhereTheClientWent(t *testing.T) {
	t.Parallel()
	env := coretest.NewEnv(t)
	ctx := context.Background()
	n := env.Net
	act := actor(t, env)

	first := referralIn(t, env, core.StatusAccepted, "carried-on-first")
	if got := carriedOn(t, env, first.ID, n.Adviser.Actor()); len(got) != 0 {
		t.Fatalf("nothing was made from %s yet, read %+v", first.Reference, got)
	}
	on, err := env.Engine.StaffRefer(ctx, core.StaffReferral{IdempotencyKey: "carried-on-on", By: n.Adviser.Actor(), Parent: first.ID,
		Needs: []core.Need{core.NeedBenefits}, ToAgency: n.Welfare, ConsentConfirmed: true, WordingVersion: n.ConsentVersion})
	if err != nil {
		t.Fatal(err)
	}
	got := carriedOn(t, env, first.ID, n.Adviser2.Actor())
	if len(got) != 1 || got[0].Reference != on.Reference || got[0].Agency != "Kingdom Council Welfare Rights" ||
		got[0].Status != core.StatusRequested || !got[0].At.Equal(on.CreatedAt) {
		t.Fatalf("Kirkton reads %+v, want %s to Welfare Rights, requested, made %v", got, on.Reference, on.CreatedAt)
	}
	act(core.TransitionRequest{Referral: on.ID, Action: core.ActionAccept, Actor: n.WelfareAdviser.Actor()})
	if got := carriedOn(t, env, first.ID, n.Adviser.Actor()); len(got) != 1 || got[0].Status != core.StatusAccepted {
		t.Errorf("after Welfare Rights accepted it, Kirkton reads %+v, want it accepted", got)
	}

	second, err := env.Engine.StaffRefer(ctx, core.StaffReferral{IdempotencyKey: "carried-on-second", By: n.HousingAdviser.Actor(),
		Client: core.ClientDetails{Name: "Morag Testcarried", Phone: "07700 900572"}, Needs: []core.Need{core.NeedDebt},
		ToAgency: n.CAB, ConsentConfirmed: true, WordingVersion: n.ConsentVersion, Scope: core.ScopeNetwork})
	if err != nil {
		t.Fatal(err)
	}
	leg := *act(core.TransitionRequest{Referral: second.ID, Action: core.ActionRedirect, Actor: n.Adviser.Actor(),
		ToAgency: n.Welfare, Feedback: "Welfare Rights can help with this sooner"}).Child
	if got := carriedOn(t, env, second.ID, n.HousingAdviser.Actor()); len(got) != 1 || got[0].Reference != leg.Reference ||
		got[0].Agency != "Kingdom Council Welfare Rights" {
		t.Errorf("Housing Options, which made the referral, reads %+v, want the redirect's leg %s to Welfare Rights", got, leg.Reference)
	}
	if got := carriedOn(t, env, second.ID, n.Adviser.Actor()); len(got) != 0 {
		t.Errorf("Kirkton, which redirected the client away, reads %+v of a referral it may not see", got)
	}
	if got := carriedOn(t, env, second.ID, n.Coordinator.Actor()); len(got) != 1 || got[0].Reference != leg.Reference {
		t.Errorf("a coordinator reads %+v, want the redirect's leg %s", got, leg.Reference)
	}
	if got := carriedOn(t, env, second.ID, n.WelfareAdviser.Actor()); len(got) != 1 {
		t.Errorf("Welfare Rights, holding the new leg, reads %+v, want it", got)
	}
}
