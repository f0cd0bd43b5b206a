package core_test

import (
	"context"
	"errors"
	"testing"

	"github.com/onward-network/onward/core"
	"github.com/onward-network/onward/core/coretest"
)

// TestCompleteRecordsOutcome: completion stores the chosen outcome and an
// encrypted note; an outcome outside the list is refused naming the field.
func TestCompleteRecordsOutcome(t *testing.T) {
	t.Parallel()
	env := coretest.NewEnv(t)
	ctx := context.Background()
	r := referralIn(t, env, core.StatusInProgress, "outcome-1")
	adviser := env.Net.Adviser.Actor()

	_, err := env.Engine.Act(ctx, core.TransitionRequest{Referral: r.ID, Action: core.ActionComplete, Actor: adviser,
		Outcome: "sorted"})
	var verr *core.ValidationError
	if !errors.As(err, &verr) || verr.Fields[0].Field != "outcome" {
		t.Fatalf("unknown outcome: got %v, want a validation error naming outcome", err)
	}

	res, err := env.Engine.Act(ctx, core.TransitionRequest{Referral: r.ID, Action: core.ActionComplete, Actor: adviser,
		Outcome: core.OutcomeReferredElsewhere, OutcomeNote: "moved to a housing association"})
	if err != nil {
		t.Fatal(err)
	}
	got := res.Referral
	if got.Outcome == nil || *got.Outcome != core.OutcomeReferredElsewhere {
		t.Fatalf("outcome = %v, want referred-elsewhere", got.Outcome)
	}
	if len(got.OutcomeNoteEnc) == 0 || string(got.OutcomeNoteEnc) == "moved to a housing association" {
		t.Fatalf("outcome note stored as %q, want ciphertext", got.OutcomeNoteEnc)
	}
	note, err := env.Engine.OutcomeNote(ctx, got)
	if err != nil || note != "moved to a housing association" {
		t.Fatalf("decrypt note = %q, %v", note, err)
	}
	// The note is the client's: sealed under their key, not the master key,
	// so erasing them shreds it.
	if _, err := env.Engine.Crypter().Decrypt("referral.outcome_note", got.OutcomeNoteEnc); err == nil {
		t.Error("outcome note opens under the master key; want it under the client's own key")
	}
}

// TestDeactivateStaff: a deactivated member of staff is no longer found
// (so sessions and links fail), only coordinators may do it, and a role
// change is refused to advisers.
func TestDeactivateStaff(t *testing.T) {
	t.Parallel()
	env := coretest.NewEnv(t)
	ctx := context.Background()
	adviser := env.Net.Adviser
	coordinator := env.Net.Coordinator.Actor()

	var forbidden *core.ForbiddenError
	if err := env.Engine.DeactivateStaff(ctx, env.Net.Coordinator.ID, adviser.Actor()); !errors.As(err, &forbidden) {
		t.Fatalf("adviser deactivating: got %v, want forbidden", err)
	}
	if err := env.Engine.SetStaffRole(ctx, adviser.ID, core.RoleAdmin, adviser.Actor()); !errors.As(err, &forbidden) {
		t.Fatalf("adviser promoting self: got %v, want forbidden", err)
	}
	if err := env.Engine.SetStaffRole(ctx, adviser.ID, core.RoleCoordinator, coordinator); err != nil {
		t.Fatal(err)
	}
	if s, err := env.Engine.StaffByID(ctx, adviser.ID); err != nil || s.Role != core.RoleCoordinator {
		t.Fatalf("after role change: %v, %v", s.Role, err)
	}
	if err := env.Engine.DeactivateStaff(ctx, adviser.ID, coordinator); err != nil {
		t.Fatal(err)
	}
	if _, err := env.Engine.StaffByID(ctx, adviser.ID); !errors.Is(err, core.ErrNotFound) {
		t.Fatalf("deactivated staff still found: %v", err)
	}
	if err := env.Engine.DeactivateStaff(ctx, adviser.ID, coordinator); !errors.Is(err, core.ErrNotFound) {
		t.Fatalf("deactivating twice: got %v, want not found", err)
	}
}

// TestMaySee: the receiving agency, the referring agency and coordinators
// see a referral; another agency's adviser and the client actor do not.
func TestMaySee(t *testing.T) {
	t.Parallel()
	cab, food, other := core.AgencyID(1), core.AgencyID(2), core.AgencyID(3)
	r := core.Referral{ToAgencyID: &cab, FromAgencyID: &food}
	for _, tc := range []struct {
		name  string
		actor core.Actor
		want  bool
	}{
		{"receiving adviser", core.Actor{Kind: core.ActorStaff, AgencyID: cab, Role: core.RoleAdviser}, true},
		{"referring adviser", core.Actor{Kind: core.ActorStaff, AgencyID: food, Role: core.RoleAdviser}, true},
		{"other adviser", core.Actor{Kind: core.ActorStaff, AgencyID: other, Role: core.RoleAdviser}, false},
		{"coordinator elsewhere", core.Actor{Kind: core.ActorStaff, AgencyID: other, Role: core.RoleCoordinator}, true},
		{"client", core.ClientActor, false},
	} {
		if got := tc.actor.MaySee(r); got != tc.want {
			t.Errorf("%s: MaySee = %v, want %v", tc.name, got, tc.want)
		}
	}
}
