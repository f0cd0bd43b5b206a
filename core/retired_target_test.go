package core_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/onward-network/onward/core"
	"github.com/onward-network/onward/core/coretest"
)

// TestNoReferralToRetiredAgency: a stale page or a hand-made request can
// name an agency that has left the network; assigning a triage referral
// to it, or redirecting one to it, is refused on the agency field in
// plain words, and the referral is left exactly as it was.
func TestNoReferralToRetiredAgency(t *testing.T) {
	t.Parallel()
	env := coretest.NewEnv(t)
	ctx := context.Background()
	coord := env.Net.Coordinator.Actor()

	crisis := coretest.SelfReferral("retired-triage")
	crisis.Crisis = true // a crisis self-referral waits in triage
	inTriage, err := env.Engine.SelfRefer(ctx, crisis)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := env.Engine.Act(ctx, core.TransitionRequest{Referral: inTriage.Referral.ID, Action: core.ActionClaim, Actor: coord}); err != nil {
		t.Fatal(err)
	}
	waiting := referralIn(t, env, core.StatusRequested, "retired-redirect")
	if err := env.Engine.RetireAgency(ctx, env.Net.Welfare, coord); err != nil {
		t.Fatal(err)
	}

	for _, c := range []struct {
		name string
		req  core.TransitionRequest
	}{
		{"assign", core.TransitionRequest{Referral: inTriage.Referral.ID, Action: core.ActionAssign, Actor: coord, ToAgency: env.Net.Welfare}},
		{"redirect", core.TransitionRequest{Referral: waiting.ID, Action: core.ActionRedirect, Actor: env.Net.Adviser.Actor(),
			ToAgency: env.Net.Welfare, Feedback: "better placed"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			before, err := env.Engine.Referral(ctx, c.req.Referral)
			if err != nil {
				t.Fatal(err)
			}
			referrals := countRows(t, env, "referrals")
			_, err = env.Engine.Act(ctx, c.req)
			var verr *core.ValidationError
			if !errors.As(err, &verr) || len(verr.Fields) != 1 || verr.Fields[0].Field != "agency" ||
				!strings.Contains(verr.Fields[0].Message, "Kingdom Council Welfare Rights has left the network") ||
				!strings.Contains(verr.Fields[0].Message, "choose another agency") {
				t.Fatalf("%s to a retired agency: %v, want a validation error on agency saying it has left the network", c.name, err)
			}
			after, err := env.Engine.Referral(ctx, c.req.Referral)
			if err != nil {
				t.Fatal(err)
			}
			if after.Version != before.Version || after.Status != before.Status ||
				(after.ToAgencyID == nil) != (before.ToAgencyID == nil) || countRows(t, env, "referrals") != referrals {
				t.Fatalf("a refused %s changed the referral: %+v, was %+v", c.name, after, before)
			}
		})
	}
}

// TestMatchNeverSuggestsRetiredAgency: matching (and so routing a
// self-referral) leaves out an agency that has left the network even if
// one of its services is active again (a later import, or one added by
// hand), where it used to rely on retirement switching them off.
func TestMatchNeverSuggestsRetiredAgency(t *testing.T) {
	t.Parallel()
	env := coretest.NewEnv(t)
	ctx := context.Background()
	if err := env.Engine.RetireAgency(ctx, env.Net.Welfare, env.Net.Coordinator.Actor()); err != nil {
		t.Fatal(err)
	}
	if _, err := env.Pool.Exec(ctx, `UPDATE services SET active = true WHERE agency_id = $1`, env.Net.Welfare); err != nil {
		t.Fatal(err)
	}
	m, err := env.Engine.Suggest(ctx, core.MatchQuery{Needs: []core.Need{core.NeedBenefits}, District: "KY1"})
	if err != nil {
		t.Fatal(err)
	}
	if len(m.Suggestions) == 0 {
		t.Fatal("no suggestion for benefits in KY1, want Kirkton Citizens Advice")
	}
	for _, s := range m.Suggestions {
		if s.Agency.ID == env.Net.Welfare {
			t.Errorf("retired agency suggested: %+v", s.Agency.Name)
		}
	}
	for _, x := range m.Excluded {
		if x.Agency.ID == env.Net.Welfare {
			t.Errorf("retired agency listed as left out (%v), want it not in the network at all", x.Reasons)
		}
	}
}

// TestNoServiceForARetiredAgency: an agency that has left the network
// takes no new service (a stale directory page, or the agency's own staff
// still signed in), and nothing is written.
func TestNoServiceForARetiredAgency(t *testing.T) {
	t.Parallel()
	env := coretest.NewEnv(t)
	ctx := context.Background()
	coord := env.Net.Coordinator.Actor()
	if err := env.Engine.RetireAgency(ctx, env.Net.Welfare, coord); err != nil {
		t.Fatal(err)
	}
	var before int
	if err := env.Pool.QueryRow(ctx, `SELECT count(*) FROM services WHERE agency_id = $1`, env.Net.Welfare).Scan(&before); err != nil {
		t.Fatal(err)
	}
	_, err := env.Engine.AddDirectoryService(ctx, core.NewService{AgencyID: env.Net.Welfare, Name: "Benefit appeals",
		Needs: []core.Need{core.NeedBenefits}, CouncilAreas: []string{"Fife"}, Languages: []string{"en"}}, coord)
	var ve *core.ValidationError
	if !errors.As(err, &ve) || len(ve.Fields) != 1 || ve.Fields[0].Field != "agency" || !strings.Contains(ve.Fields[0].Message, "has left the network") {
		t.Fatalf("adding a service to a retired agency: %v, want a refusal on agency saying it has left the network", err)
	}
	var after int
	if err := env.Pool.QueryRow(ctx, `SELECT count(*) FROM services WHERE agency_id = $1`, env.Net.Welfare).Scan(&after); err != nil {
		t.Fatal(err)
	}
	if after != before {
		t.Errorf("the refused service was written: %d services, want %d", after, before)
	}
	// An agency still in the network takes one.
	if _, err := env.Engine.AddDirectoryService(ctx, core.NewService{AgencyID: env.Net.CAB, Name: "Benefit appeals",
		Needs: []core.Need{core.NeedBenefits}, CouncilAreas: []string{"Fife"}, Languages: []string{"en"}}, coord); err != nil {
		t.Errorf("adding a service to an agency in the network: %v", err)
	}
}
