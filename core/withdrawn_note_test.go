package core_test

import (
	"context"
	"errors"
	"testing"

	"github.com/onward-network/onward/core"
	"github.com/onward-network/onward/core/coretest"
)

// A data protection review: once a client withdrew consent their details
// are told to nobody, yet the completion note ("new address 12 Secret
// Lane") still opened for the agency and coordinators, the crisis reason
// an adviser typed still showed on the referral's page, and a completion
// undone within its ten minutes made an open referral under the
// withdrawn consent. Now the note is refused (and the refusal audited),
// the reasons are withheld from the story (the client's own export keeps
// them), and the completion cannot be undone.
func TestWithdrawnConsentWithholdsTheNoteAndCrisisReasons(t *testing.T) {
	t.Parallel()
	env := coretest.NewEnv(t)
	ctx := context.Background()
	n := env.Net
	r, err := env.Engine.StaffRefer(ctx, core.StaffReferral{IdempotencyKey: "withdrawn-note", By: n.Adviser.Actor(),
		Client: core.ClientDetails{Name: "Quillon Drabwick", Phone: "07700 900321", Postcode: "KY1 1AB"},
		Needs:  []core.Need{core.NeedDebt}, ToAgency: n.Welfare, ConsentConfirmed: true, WordingVersion: n.ConsentVersion,
		Crisis: true, CrisisReason: "her partner hit her last night"})
	if err != nil {
		t.Fatal(err)
	}
	holder := n.WelfareAdviser.Actor()
	for _, a := range []core.Action{core.ActionAccept, core.ActionContact} {
		if _, err := env.Engine.Act(ctx, core.TransitionRequest{Referral: r.ID, Action: a, Actor: holder}); err != nil {
			t.Fatalf("%s: %v", a, err)
		}
	}
	if _, err := env.Engine.Act(ctx, core.TransitionRequest{Referral: r.ID, Action: core.ActionComplete, Actor: holder,
		Outcome: core.OutcomeHelpGiven, OutcomeNote: "new address 12 Secret Lane"}); err != nil {
		t.Fatal(err)
	}
	if note, _, err := env.Engine.ReadOutcomeNote(ctx, r.ID, holder, "web"); err != nil || note == "" {
		t.Fatalf("the note before the withdrawal: %q, %v", note, err)
	}
	if _, err := env.Engine.WithdrawByReference(ctx, r.Reference, core.ClientActor, "sms", "SMwithdrawn-note"); err != nil {
		t.Fatal(err)
	}

	denied := func() int {
		var c int
		if err := env.Pool.QueryRow(ctx, "SELECT count(*) FROM events WHERE kind = $1 AND referral_id = $2",
			core.EventAccessDenied, r.ID).Scan(&c); err != nil {
			t.Fatal(err)
		}
		return c
	}
	before := denied()
	for _, who := range []core.Actor{holder, n.Coordinator.Actor()} {
		note, _, err := env.Engine.ReadOutcomeNote(ctx, r.ID, who, "web")
		var forbidden *core.ForbiddenError
		if !errors.As(err, &forbidden) || note != "" {
			t.Errorf("the note read by %s after the withdrawal: %q, %v; want it refused", who.Kind, note, err)
		}
		got, _ := env.Engine.Referral(ctx, r.ID)
		if ok, _, err := env.Engine.OutcomeNoteReadable(ctx, got, who); ok || err != nil {
			t.Errorf("the note is still offered to %s after the withdrawal (%v)", who.Kind, err)
		}
	}
	if got := denied() - before; got != 2 {
		t.Errorf("%d refusals of the note recorded, want 2", got)
	}
	tl, err := env.Engine.Timeline(ctx, r.ID, n.Coordinator.Actor())
	if err != nil {
		t.Fatal(err)
	}
	if got := core.CrisisReasons(tl); len(got) != 0 {
		t.Errorf("the story's crisis reasons after the withdrawal = %q, want none", got)
	}
	export, err := env.Engine.ExportClient(ctx, r.ClientID, n.Coordinator.Actor(), "web", sarRequest(env))
	if err != nil || len(export.Referrals) != 1 || len(export.Referrals[0].CrisisReasons) != 1 {
		t.Errorf("the client's own export lost the crisis reasons: %+v, %v", export.Referrals, err)
	}
	got, _ := env.Engine.Referral(ctx, r.ID)
	_, err = env.Engine.Act(ctx, core.TransitionRequest{Referral: r.ID, Action: core.ActionReopen, Actor: holder, ExpectedVersion: got.Version})
	var te *core.TransitionError
	if !errors.As(err, &te) {
		t.Errorf("undoing the completion after the withdrawal: %v, want it refused", err)
	}
	if got, _ := env.Engine.Referral(ctx, r.ID); got.Status != core.StatusCompleted {
		t.Errorf("after the refused undo the referral is %s, want completed", got.Status)
	}
}
