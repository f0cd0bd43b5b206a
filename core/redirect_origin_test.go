package core_test

import (
	"context"
	"testing"

	"github.com/onward-network/onward/core"
	"github.com/onward-network/onward/core/coretest"
)

// actor returns a function that takes an action through the engine and
// fails the test if it is refused.
func actor(t *testing.T, env *coretest.Env) func(core.TransitionRequest) core.TransitionResult {
	return func(req core.TransitionRequest) core.TransitionResult {
		t.Helper()
		res, err := env.Engine.Act(context.Background(), req)
		if err != nil {
			t.Fatalf("%s: %v", req.Action, err)
		}
		return res
	}
}

// The agency a referral was redirected to learns which agency redirected
// it and why, and only of a referral a redirect made: not of a first
// referral, the redirected referral itself, a rejected self-referral
// carried on to triage, or a referral the referrer made later from the
// one that was redirected. Erasing the client takes the words with them.
func TestRedirectOrigin(t *testing.T) {
	t.Parallel()
	env := coretest.NewEnv(t)
	ctx := context.Background()
	n := env.Net
	const why = "We don't cover housing; they need Kingdom Housing Options."

	act := actor(t, env)
	origin := func(name string, r core.Referral, want core.RedirectOrigin, wantOK bool) {
		t.Helper()
		got, ok, err := env.Engine.RedirectOrigin(ctx, r)
		if err != nil || ok != wantOK || got != want {
			t.Errorf("%s: RedirectOrigin = %+v, %v, %v; want %+v, %v", name, got, ok, err, want, wantOK)
		}
	}

	// The CAB refers a client, who agreed to the whole network seeing
	// their details, to Welfare Rights.
	refer := func(key, phone string) core.Referral {
		t.Helper()
		r, err := env.Engine.StaffRefer(ctx, core.StaffReferral{IdempotencyKey: key, By: n.Adviser.Actor(),
			Client: core.ClientDetails{Name: "Morag TestOrigin", Phone: phone}, Needs: []core.Need{core.NeedBenefits},
			ToAgency: n.Welfare, ConsentConfirmed: true, WordingVersion: n.ConsentVersion, Scope: core.ScopeNetwork})
		if err != nil {
			t.Fatalf("staff referral %s: %v", key, err)
		}
		return r
	}
	// Welfare Rights' adviser redirects it to Housing Options, saying why.
	first := refer("origin-1", "07700 900561")
	origin("an ordinary referral", first, core.RedirectOrigin{}, false)
	res := act(core.TransitionRequest{Referral: first.ID, Action: core.ActionRedirect, Actor: n.WelfareAdviser.Actor(),
		ToAgency: n.Housing, Feedback: "  " + why + "\n"})
	if res.Child == nil {
		t.Fatal("the redirect made no referral for Housing Options")
	}
	child := *res.Child
	origin("the referral the redirect made", child, core.RedirectOrigin{Agency: "Kingdom Council Welfare Rights", Feedback: why}, true)
	redirected, err := env.Engine.Referral(ctx, first.ID)
	if err != nil {
		t.Fatal(err)
	}
	origin("the redirected referral itself", redirected, core.RedirectOrigin{}, false)

	// The CAB, which made the first referral, refers the client on from
	// it to the food bank: nobody redirected that one to the food bank.
	later, err := env.Engine.StaffRefer(ctx, core.StaffReferral{IdempotencyKey: "origin-later", By: n.Adviser.Actor(), Parent: first.ID,
		Needs: []core.Need{core.NeedFood}, ToAgency: n.FoodBank, ConsentConfirmed: true, WordingVersion: n.ConsentVersion})
	if err != nil {
		t.Fatal(err)
	}
	origin("a referral made later from the redirected one", later, core.RedirectOrigin{}, false)

	// A redirect with no reason given: the agency, and no words.
	second := refer("origin-2", "07700 900562")
	res = act(core.TransitionRequest{Referral: second.ID, Action: core.ActionRedirect, Actor: n.WelfareAdviser.Actor(), ToAgency: n.FoodBank})
	origin("redirected without a reason", *res.Child, core.RedirectOrigin{Agency: "Kingdom Council Welfare Rights"}, true)

	// A coordinator redirecting a referral Welfare Rights holds: the
	// redirecting agency is the coordinator's own.
	third := refer("origin-3", "07700 900563")
	res = act(core.TransitionRequest{Referral: third.ID, Action: core.ActionRedirect, Actor: n.Coordinator.Actor(),
		ToAgency: n.Housing, Feedback: why})
	origin("redirected by a coordinator", *res.Child, core.RedirectOrigin{Agency: "Kingdom Advice Network Team", Feedback: why}, true)

	// A self-referral turned down goes on to triage: not a redirect.
	self, err := env.Engine.SelfRefer(ctx, coretest.SelfReferral("origin-self"))
	if err != nil || self.Agency == nil {
		t.Fatalf("self-referral: %+v, %v", self.Agency, err)
	}
	res = act(core.TransitionRequest{Referral: self.Referral.ID, Action: core.ActionReject, Actor: n.Adviser.Actor(),
		Reason: core.ReasonNoCapacity, Feedback: "No appointments free this month"})
	if res.Child == nil {
		t.Fatal("the rejected self-referral was not carried on")
	}
	origin("a rejected self-referral carried on", *res.Child, core.RedirectOrigin{}, false)

	// Erasing the client erases what was written about them.
	if err := env.Engine.EraseClient(ctx, first.ClientID, n.Coordinator.Actor(), core.ErasureClientAsked, "web"); err != nil {
		t.Fatal(err)
	}
	origin("after the client was erased", child, core.RedirectOrigin{Agency: "Kingdom Council Welfare Rights"}, true)
}

// The referrer of a redirected referral learns where it went: the agency
// it was redirected to, named by the redirected referral itself (not by
// the one the redirect made); a referral turned down, or still waiting,
// names none.
func TestRedirectedTo(t *testing.T) {
	t.Parallel()
	env := coretest.NewEnv(t)
	ctx := context.Background()
	n := env.Net
	act := actor(t, env)
	refer := func(key, phone string) core.Referral {
		t.Helper()
		r, err := env.Engine.StaffRefer(ctx, core.StaffReferral{IdempotencyKey: key, By: n.Adviser.Actor(),
			Client: core.ClientDetails{Name: "Morag TestTarget", Phone: phone}, Needs: []core.Need{core.NeedBenefits},
			ToAgency: n.Welfare, ConsentConfirmed: true, WordingVersion: n.ConsentVersion, Scope: core.ScopeNetwork})
		if err != nil {
			t.Fatalf("staff referral %s: %v", key, err)
		}
		return r
	}
	to := func(name string, r core.Referral, want string, wantOK bool) {
		t.Helper()
		got, ok, err := env.Engine.RedirectedTo(ctx, r)
		if err != nil || ok != wantOK || got != want {
			t.Errorf("%s: RedirectedTo = %q, %v, %v; want %q, %v", name, got, ok, err, want, wantOK)
		}
	}

	first := refer("target-1", "07700 900571")
	to("a referral waiting", first, "", false)
	res := act(core.TransitionRequest{Referral: first.ID, Action: core.ActionRedirect, Actor: n.WelfareAdviser.Actor(),
		ToAgency: n.Housing, Feedback: "They need Kingdom Housing Options."})
	to("the redirected referral", res.Referral, "Kingdom Housing Options", true)
	to("the referral the redirect made", *res.Child, "", false)

	second := refer("target-2", "07700 900572")
	res = act(core.TransitionRequest{Referral: second.ID, Action: core.ActionReject, Actor: n.WelfareAdviser.Actor(),
		Reason: core.ReasonNotEligible, Feedback: "Council tenants go to the council."})
	to("a referral turned down", res.Referral, "", false)
}
