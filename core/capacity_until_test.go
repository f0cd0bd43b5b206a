package core_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/onward-network/onward/core"
	"github.com/onward-network/onward/core/coretest"
)

// TestCapacityDateIsPublishedNotTheNote (finding 12): an agency at
// capacity may publish the date it takes referrals again; taking
// referrals again clears it; another agency's adviser may not set it.
func TestCapacityDateIsPublishedNotTheNote(t *testing.T) {
	t.Parallel()
	env := coretest.NewEnv(t)
	ctx := context.Background()
	adviser := env.Net.Adviser.Actor()
	until := env.Clock.Now().AddDate(0, 0, 12)
	var verr *core.ValidationError
	if err := env.Engine.PublishCapacityUntil(ctx, env.Net.CAB, &until, adviser); !errors.As(err, &verr) {
		t.Fatalf("a date for an agency not at capacity: %v, want a validation error", err)
	}
	if err := env.Engine.SetCapacity(ctx, env.Net.CAB, true, "Two advisers off sick", adviser); err != nil {
		t.Fatal(err)
	}
	for _, bad := range []time.Time{env.Clock.Now(), env.Clock.Now().AddDate(0, 0, -3), env.Clock.Now().AddDate(1, 0, 2)} {
		if err := env.Engine.PublishCapacityUntil(ctx, env.Net.CAB, &bad, adviser); !errors.As(err, &verr) || verr.Fields[0].Field != "date" {
			t.Errorf("date %s: %v, want a validation error on the date", bad.Format(time.DateOnly), err)
		}
	}
	var ferr *core.ForbiddenError
	if err := env.Engine.PublishCapacityUntil(ctx, env.Net.CAB, &until, env.Net.WelfareAdviser.Actor()); !errors.As(err, &ferr) {
		t.Fatalf("another agency's adviser: %v, want forbidden", err)
	}
	if err := env.Engine.PublishCapacityUntil(ctx, env.Net.CAB, &until, adviser); err != nil {
		t.Fatal(err)
	}
	a, err := env.Engine.Agency(ctx, env.Net.CAB)
	if err != nil || a.CapacityUntil == nil || a.CapacityUntil.Format(time.DateOnly) != until.Format(time.DateOnly) {
		t.Fatalf("agency = %+v, %v; want the date published", a.CapacityUntil, err)
	}
	if err := env.Engine.SetCapacity(ctx, env.Net.CAB, false, "", adviser); err != nil {
		t.Fatal(err)
	}
	if a, _ := env.Engine.Agency(ctx, env.Net.CAB); a.CapacityUntil != nil {
		t.Errorf("taking referrals again kept the date %v", a.CapacityUntil)
	}
}
