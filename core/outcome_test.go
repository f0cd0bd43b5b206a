package core_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/onward-network/onward/core"
	"github.com/onward-network/onward/core/coretest"
)

// TestCouldNotContactIsNotACompletion: "Could not contact" is recorded
// one way, by its own action (ActionFail). Core itself refuses a
// completion with that outcome, whichever channel sends it and whether or
// not the network's file lists the outcome, naming the outcome field and
// the action to take instead; nothing is recorded. No list of outcomes a
// completion takes offers it, and the action it names closes the
// referral as failed.
func TestCouldNotContactIsNotACompletion(t *testing.T) {
	t.Parallel()
	env := coretest.NewEnv(t)
	ctx := context.Background()
	for _, listed := range []bool{false, true} {
		settings := core.NetworkSettings{Name: "Kingdom Advice Network"}
		if listed {
			settings.Outcomes = []core.OutcomeOption{{Outcome: core.OutcomeHelpGiven}, {Outcome: core.OutcomeCouldNotContact, Label: "Never reached"}}
		}
		if err := env.Engine.SetNetwork(ctx, env.Pool, settings); err != nil {
			t.Fatal(err)
		}
		n, err := env.Engine.Network(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if slices.ContainsFunc(n.CompletionOutcomes(), func(o core.OutcomeOption) bool { return o.Outcome == core.OutcomeCouldNotContact }) ||
			!slices.ContainsFunc(n.CompletionOutcomes(), func(o core.OutcomeOption) bool { return o.Outcome == core.OutcomeHelpGiven }) {
			t.Errorf("listed %v: the network's completion outcomes are %v", listed, n.CompletionOutcomes())
		}

		r := referralIn(t, env, core.StatusInProgress, fmt.Sprintf("cnc-complete-%v", listed))
		_, err = complete(env, r, core.TransitionRequest{Outcome: core.OutcomeCouldNotContact, AdviceType: "type-9"})
		var ve *core.ValidationError
		if !errors.As(err, &ve) || ve.Field("outcome") != core.OutcomeNotACompletion.Message || ve.Field("advice_type") == "" {
			t.Fatalf("listed %v: completing with could-not-contact: %v, want the outcome refused beside the advice type", listed, err)
		}
		if !strings.Contains(ve.Field("outcome"), "Could not contact action") {
			t.Errorf("the refusal does not say what to do instead: %s", ve.Field("outcome"))
		}
		if got, _ := env.Engine.Referral(ctx, r.ID); got.Status != core.StatusInProgress || got.Version != r.Version || got.Outcome != nil {
			t.Errorf("listed %v: a refused completion left %s v%d, outcome %v", listed, got.Status, got.Version, got.Outcome)
		}
	}
	if slices.Contains(core.CompletionOutcomes(), core.OutcomeCouldNotContact) || len(core.CompletionOutcomes()) != len(core.Outcomes)-1 {
		t.Errorf("CompletionOutcomes = %v", core.CompletionOutcomes())
	}
	if !core.OutcomeCouldNotContact.Valid() {
		t.Errorf("could-not-contact is no longer a valid outcome: referrals completed with it before would not read")
	}

	// The action it names: a client never reached closes as failed.
	r := referralIn(t, env, core.StatusAccepted, "cnc-fail")
	res, err := env.Engine.Act(ctx, core.TransitionRequest{Referral: r.ID, Action: core.ActionFail, Actor: env.Net.Adviser.Actor(), ExpectedVersion: r.Version})
	if err != nil || res.Referral.Status != core.StatusFailed {
		t.Fatalf("could not contact: %v, %+v", err, res.Referral.Status)
	}
}

// TestCouldNotContactNotAfterContact: a client marked contacted was
// reached, so Could not contact is refused for a referral in progress,
// saying so in plain words and what to do instead; nothing is recorded,
// no text is queued, and no channel offers the action (Allowed).
func TestCouldNotContactNotAfterContact(t *testing.T) {
	t.Parallel()
	env := coretest.NewEnv(t)
	ctx := context.Background()
	r := referralIn(t, env, core.StatusInProgress, "cnc-after-contact")
	if r.Allowed(core.ActionFail) {
		t.Errorf("Could not contact is offered for a referral whose client was contacted")
	}
	rows := len(coretest.OutboxRows(t, env.Engine))
	_, err := env.Engine.Act(ctx, core.TransitionRequest{Referral: r.ID, Action: core.ActionFail, Actor: env.Net.Adviser.Actor(), ExpectedVersion: r.Version})
	var te *core.TransitionError
	if !errors.As(err, &te) || te.Why != core.FailAfterContact || !strings.Contains(err.Error(), "already in progress, so it cannot be marked Could not contact: the client was reached") {
		t.Fatalf("could not contact after contact: %v, want a TransitionError saying the client was contacted", err)
	}
	if got, _ := env.Engine.Referral(ctx, r.ID); got.Status != core.StatusInProgress || got.Version != r.Version {
		t.Errorf("the refusal left the referral %s v%d", got.Status, got.Version)
	}
	if n := len(coretest.OutboxRows(t, env.Engine)); n != rows {
		t.Errorf("the refusal queued %d messages", n-rows)
	}
}
