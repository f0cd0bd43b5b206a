package core_test

import (
	"context"
	"errors"
	"strconv"
	"sync"
	"testing"

	"github.com/onward-network/onward/core"
	"github.com/onward-network/onward/core/coretest"
)

// TestPartnerCaseOpenOnce: a partner's second referral of a case (its own
// case id) while one is open is refused, naming the open one, and nothing
// is made; the same key again replays the first; another partner's case of
// the same id, a referral with no case id, and a case whose referral
// closed are referred as before. A redirect keeps the case open in the
// referral it made.
func TestPartnerCaseOpenOnce(t *testing.T) {
	t.Parallel()
	env := coretest.NewEnv(t)
	ctx := context.Background()
	n := env.Net
	partner := func(name string) core.Actor {
		c, err := env.Engine.AddPartner(ctx, core.NewPartner{Name: name, AgencyID: n.Welfare,
			Scopes: []core.PartnerScope{core.ScopeRead, core.ScopeRefer}}, core.SystemActor)
		if err != nil {
			t.Fatal(err)
		}
		return c.Partner.Actor()
	}
	casework, other := partner("Casework"), partner("Other casework")
	refer := func(by core.Actor, key, caseID string) (core.Referral, error) {
		return env.Engine.PartnerRefer(ctx, core.PartnerReferral{IdempotencyKey: key, By: by, CaseID: caseID,
			Client: core.ClientDetails{Name: "Morag Baird", Phone: "07700 900123", Postcode: "KY1 1AB"},
			Needs:  []core.Need{core.NeedDebt}, ToAgency: n.CAB,
			Consent: core.PartnerConsent{WordingVersion: "v1", Scope: core.ScopeNetwork, WitnessedBy: "Isla Moffat"}})
	}
	refused := func(t *testing.T, err error, open core.Referral) {
		t.Helper()
		var oe *core.CaseOpenError
		if !errors.As(err, &oe) || oe.Reference != open.Reference || oe.Status != open.Status {
			t.Fatalf("second referral of an open case: %v, want refused naming %s (%s)", err, open.Reference, open.Status)
		}
	}

	first, err := refer(casework, "api:k1", "CASE-1")
	if err != nil {
		t.Fatal(err)
	}
	before := countReferrals(t, env)
	_, err = refer(casework, "api:k2", " CASE-1 ")
	refused(t, err, first)
	if got := countReferrals(t, env); got != before {
		t.Fatalf("the refused referral made %d referrals", got-before)
	}
	if again, err := refer(casework, "api:k1", "CASE-1"); err != nil || again.ID != first.ID {
		t.Fatalf("the first key again: %v %v, want the first referral replayed", again.Reference, err)
	}
	for what, try := range map[string]func() (core.Referral, error){
		"another partner's case of the same id": func() (core.Referral, error) { return refer(other, "api:o1", "CASE-1") },
		"no case id":                            func() (core.Referral, error) { return refer(casework, "api:k3", "") },
		"no case id again":                      func() (core.Referral, error) { return refer(casework, "api:k4", "") },
	} {
		if _, err := try(); err != nil {
			t.Errorf("%s: %v, want referred", what, err)
		}
	}

	// Redirected, the case is open in the referral the redirect made.
	res, err := env.Engine.Act(ctx, core.TransitionRequest{Referral: first.ID, Action: core.ActionRedirect, Actor: n.Adviser.Actor(),
		ExpectedVersion: first.Version, ToAgency: n.Housing, Feedback: "Housing take these on"})
	if err != nil || res.Child == nil {
		t.Fatalf("redirect: %+v %v", res, err)
	}
	_, err = refer(casework, "api:k5", "CASE-1")
	refused(t, err, *res.Child)

	// Closed, the case may be referred again.
	if _, err := env.Engine.Act(ctx, core.TransitionRequest{Referral: res.Child.ID, Action: core.ActionCancel, Actor: casework,
		ExpectedVersion: res.Child.Version, Feedback: "Referred again"}); err != nil {
		t.Fatal(err)
	}
	if _, err := refer(casework, "api:k5", "CASE-1"); err != nil {
		t.Fatalf("a closed case referred again: %v", err)
	}
}

// TestPartnerCaseOpenRace: two referrals of one case made at once make
// one referral; the other is refused naming it.
func TestPartnerCaseOpenRace(t *testing.T) {
	t.Parallel()
	env := coretest.NewEnv(t)
	ctx := context.Background()
	n := env.Net
	c, err := env.Engine.AddPartner(ctx, core.NewPartner{Name: "Casework", AgencyID: n.Welfare,
		Scopes: []core.PartnerScope{core.ScopeRead, core.ScopeRefer}}, core.SystemActor)
	if err != nil {
		t.Fatal(err)
	}
	const tries = 4
	var wg sync.WaitGroup
	made, errs := make([]core.Referral, tries), make([]error, tries)
	for i := range tries {
		wg.Go(func() {
			made[i], errs[i] = env.Engine.PartnerRefer(ctx, core.PartnerReferral{IdempotencyKey: "api:race-" + strconv.Itoa(i),
				By: c.Partner.Actor(), CaseID: "CASE-RACE",
				// Each its own client, so nothing else they write waits.
				Client: core.ClientDetails{Name: "Morag Baird", Phone: "07700 90012" + strconv.Itoa(i), Postcode: "KY1 1AB"},
				Needs:  []core.Need{core.NeedDebt}, ToAgency: n.CAB,
				Consent: core.PartnerConsent{WordingVersion: "v1", Scope: core.ScopeNetwork, WitnessedBy: "Isla Moffat"}})
		})
	}
	wg.Wait()
	var winner string
	for i, err := range errs {
		if err == nil {
			if winner != "" {
				t.Fatalf("two referrals of one case made at once: %s and %s", winner, made[i].Reference)
			}
			winner = made[i].Reference
		}
	}
	if winner == "" {
		t.Fatalf("none of the referrals made at once was made: %v", errs)
	}
	for _, err := range errs {
		var oe *core.CaseOpenError
		if err != nil && (!errors.As(err, &oe) || oe.Reference != winner) {
			t.Errorf("a referral made at once: %v, want refused naming %s", err, winner)
		}
	}
	if got := countReferrals(t, env); got != 1 {
		t.Errorf("%d referrals, want 1", got)
	}
}
