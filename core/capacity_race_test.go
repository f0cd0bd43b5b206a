package core_test

import (
	"context"
	"fmt"
	"sync"
	"testing"

	"github.com/onward-network/onward/core"
	"github.com/onward-network/onward/core/coretest"
)

// TestCapacityPressesRaceAlertOnce: "Mark at capacity" pressed by several
// people at the same moment (goroutines on real PostgreSQL) alerts the
// coordinators once per change: of the presses, exactly one finds the
// agency taking referrals, and one alert row is queued; the same for
// "taking referrals again". Several rounds, so a race that slips through
// once does not pass by luck.
func TestCapacityPressesRaceAlertOnce(t *testing.T) {
	t.Parallel()
	env := coretest.NewEnv(t)
	ctx := context.Background()
	alert := func(on bool) core.CapacityAlert {
		return func(before core.Agency) string { return fmt.Sprintf("%s at capacity: %t", before.Name, on) }
	}
	alerts := func() int {
		n := 0
		for _, o := range coretest.OutboxRows(t, env.Engine) {
			if o.Kind == core.OutboxAlert && o.Payload.AgencyID == env.Net.FoodBank {
				n++
			}
		}
		return n
	}
	const presses, rounds = 8, 4
	by := []core.Actor{env.Net.Coordinator.Actor(), env.Net.Coordinator.Actor()}
	want := 0
	for round := range rounds {
		for _, on := range []bool{true, false} {
			start := make(chan struct{})
			var wg sync.WaitGroup
			changed := make(chan bool, presses)
			errs := make(chan error, presses)
			for i := range presses {
				wg.Add(1)
				go func() {
					defer wg.Done()
					<-start
					was, err := env.Engine.ChangeCapacity(ctx, env.Net.FoodBank, on, "Out of stock", by[i%len(by)], alert(on))
					if err != nil {
						errs <- err
						return
					}
					changed <- was != on
				}()
			}
			close(start)
			wg.Wait()
			close(errs)
			close(changed)
			for err := range errs {
				t.Fatalf("round %d, at capacity %t: %v", round, on, err)
			}
			n := 0
			for c := range changed {
				if c {
					n++
				}
			}
			want++
			if n != 1 {
				t.Errorf("round %d, at capacity %t: %d presses found the change to make, want exactly 1", round, on, n)
			}
			if got := alerts(); got != want {
				t.Fatalf("round %d, at capacity %t: %d coordinators' alerts queued in all, want %d (one per change)", round, on, got, want)
			}
			if a, _ := env.Engine.Agency(ctx, env.Net.FoodBank); a.AtCapacity != on {
				t.Fatalf("round %d: at capacity %t, want %t", round, a.AtCapacity, on)
			}
		}
	}
	// Pressed again, or with only the note changed, nobody is alerted.
	if _, err := env.Engine.ChangeCapacity(ctx, env.Net.FoodBank, false, "", by[0], alert(false)); err != nil {
		t.Fatal(err)
	}
	if got := alerts(); got != want {
		t.Errorf("pressing again alerted: %d alerts, want %d", got, want)
	}
}
