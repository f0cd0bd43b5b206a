package core_test

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"

	"github.com/onward-network/onward/core"
	"github.com/onward-network/onward/core/coretest"
)

// TestTheLastCoordinatorStays: the network keeps at least one active
// coordinator. Demoting the last one (herself, or by anyone) and
// deactivating the last one are refused in plain words; demoting one of
// two is not; and two coordinators demoting each other at the same moment
// cannot both succeed.
func TestTheLastCoordinatorStays(t *testing.T) {
	t.Parallel()
	env := coretest.NewEnv(t)
	ctx := context.Background()
	morven, ailsa := env.Net.Coordinator, env.Net.Adviser
	coordinators := func() int {
		t.Helper()
		var n int
		if err := env.Pool.QueryRow(ctx, `SELECT count(*) FROM staff WHERE role IN ('coordinator', 'admin') AND deleted_at IS NULL`).Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}
	refusedLast := func(what string, err error) {
		t.Helper()
		var invalid *core.ValidationError
		if !errors.As(err, &invalid) || !strings.Contains(invalid.Error(), "last coordinator") {
			t.Errorf("%s: got %v, want a refusal naming the last coordinator", what, err)
		}
	}
	refusedLast("demoting herself", env.Engine.SetStaffRole(ctx, morven.ID, core.RoleAdviser, morven.Actor()))
	refusedLast("deactivating from the command line", env.Engine.DeactivateStaff(ctx, morven.ID, core.SystemActor))

	if err := env.Engine.SetStaffRole(ctx, ailsa.ID, core.RoleCoordinator, morven.Actor()); err != nil {
		t.Fatal(err)
	}
	if err := env.Engine.SetStaffRole(ctx, ailsa.ID, core.RoleAdviser, morven.Actor()); err != nil {
		t.Fatalf("demoting one of two coordinators: %v", err)
	}
	refusedLast("demoting herself after", env.Engine.SetStaffRole(ctx, morven.ID, core.RoleAdviser, morven.Actor()))
	if n := coordinators(); n != 1 {
		t.Fatalf("%d coordinators, want 1", n)
	}

	// Each round, the two coordinators demote each other at once.
	for round := range 10 {
		if err := env.Engine.SetStaffRole(ctx, ailsa.ID, core.RoleCoordinator, core.SystemActor); err != nil {
			t.Fatal(err)
		}
		asCoordinator := func(s core.Staff) core.Actor {
			a := s.Actor()
			a.Role = core.RoleCoordinator
			return a
		}
		var wg sync.WaitGroup
		errs := make([]error, 2)
		start := make(chan struct{})
		for i, pair := range [][2]core.Staff{{morven, ailsa}, {ailsa, morven}} {
			wg.Go(func() {
				<-start
				errs[i] = env.Engine.SetStaffRole(ctx, pair[1].ID, core.RoleAdviser, asCoordinator(pair[0]))
			})
		}
		close(start)
		wg.Wait()
		if n := coordinators(); n != 1 || (errs[0] == nil) == (errs[1] == nil) {
			t.Fatalf("round %d: %d coordinators left, errors %v; want one demotion made and the other refused", round, n, errs)
		}
		// Morven is the coordinator again for the next round.
		if errs[1] == nil {
			if err := env.Engine.SetStaffRole(ctx, morven.ID, core.RoleCoordinator, core.SystemActor); err != nil {
				t.Fatal(err)
			}
			if err := env.Engine.SetStaffRole(ctx, ailsa.ID, core.RoleAdviser, core.SystemActor); err != nil {
				t.Fatal(err)
			}
		}
	}
}
