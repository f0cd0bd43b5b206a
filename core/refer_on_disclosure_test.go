package core_test

import (
	"context"
	"errors"
	"reflect"
	"strings"
	"testing"

	"github.com/onward-network/onward/core"
	"github.com/onward-network/onward/core/coretest"
)

// Referring a client on from a referral hands their details to a new
// agency and back to the one referring: it is refused, with nothing
// written and the attempt audited, once the member of staff may no longer
// see the client's details on that referral (the agency that turned it
// down, a coordinator once it left triage). The referrer, who still sees
// them, may.
func TestReferOnNeedsTheDetailsRule(t *testing.T) {
	t.Parallel()
	env := coretest.NewEnv(t)
	ctx := context.Background()
	n := env.Net
	first := staffRefer(t, env, "morag", core.ClientDetails{Name: "Morag TestTwo", Phone: "07700 900556"})
	if _, err := env.Engine.Act(ctx, core.TransitionRequest{Referral: first.ID, Action: core.ActionReject,
		Actor: n.WelfareAdviser.Actor(), Reason: core.ReasonNoCapacity, Feedback: "No appointments free this month"}); err != nil {
		t.Fatal(err)
	}
	closed, err := env.Engine.Referral(ctx, first.ID)
	if err != nil {
		t.Fatal(err)
	}
	on := func(key string, by core.Staff) (core.Referral, error) {
		return env.Engine.StaffRefer(ctx, core.StaffReferral{IdempotencyKey: key, By: by.Actor(), Parent: first.ID,
			Needs: []core.Need{core.NeedFood}, ToAgency: n.FoodBank, ConsentConfirmed: true, WordingVersion: n.ConsentVersion})
	}
	for _, who := range []struct {
		name string
		by   core.Staff
	}{{"the agency that turned it down", n.WelfareAdviser}, {"a coordinator after triage", n.Coordinator}} {
		if ok, err := env.Engine.MayReferOnBy(ctx, closed, who.by.Actor()); err != nil || ok {
			t.Errorf("%s: MayReferOnBy = %v, %v; want false", who.name, ok, err)
		}
		before, denied := countReferrals(t, env), countEvents(t, env, core.EventAccessDenied, first.ID)
		_, err := on("on-"+who.name, who.by)
		var fe *core.ForbiddenError
		if !errors.As(err, &fe) || !strings.Contains(fe.Why, "can no longer see this client's details") {
			t.Errorf("%s: err = %v, want forbidden: no longer sees the details", who.name, err)
		}
		if countReferrals(t, env) != before {
			t.Errorf("%s: a refused refer-on made a referral", who.name)
		}
		if got := countEvents(t, env, core.EventAccessDenied, first.ID); got != denied+1 {
			t.Errorf("%s: access denied events %d, want %d", who.name, got, denied+1)
		}
	}
	if ok, err := env.Engine.MayReferOnBy(ctx, closed, n.Adviser.Actor()); err != nil || !ok {
		t.Errorf("the referrer within its days: MayReferOnBy = %v, %v; want true", ok, err)
	}
	if _, err := on("on-referrer", n.Adviser); err != nil {
		t.Errorf("the referrer within its days: %v", err)
	}
}

// A parent referral the member of staff may not see is answered exactly
// as one that does not exist, and the attempt is audited.
func TestReferOnFromUnseenParentLooksMissing(t *testing.T) {
	t.Parallel()
	env := coretest.NewEnv(t)
	ctx := context.Background()
	n := env.Net
	theirs := staffRefer(t, env, "theirs", core.ClientDetails{Name: "Morag TestTwo", Phone: "07700 900556"})
	on := func(key string, parent core.ReferralID) error {
		_, err := env.Engine.StaffRefer(ctx, core.StaffReferral{IdempotencyKey: key, By: n.HousingAdviser.Actor(), Parent: parent,
			Needs: []core.Need{core.NeedFood}, ToAgency: n.FoodBank, ConsentConfirmed: true, WordingVersion: n.ConsentVersion})
		return err
	}
	unseen, missing := on("unseen", theirs.ID), on("missing", theirs.ID+1000)
	if fieldsOf(missing) == nil {
		t.Fatalf("missing parent: err = %v, want a validation error", missing)
	}
	if !reflect.DeepEqual(fieldsOf(unseen), fieldsOf(missing)) || unseen.Error() != missing.Error() {
		t.Errorf("a parent the adviser may not see answers %v; one that does not exist answers %v", unseen, missing)
	}
	if got := countEvents(t, env, core.EventAccessDenied, theirs.ID); got != 1 {
		t.Errorf("access denied events = %d, want 1", got)
	}
}
