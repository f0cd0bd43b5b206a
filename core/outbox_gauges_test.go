package core_test

import (
	"context"
	"testing"
	"time"

	"github.com/onward-network/onward/core"
)

// A row put off while late (Defer: a mail server that cannot be reached)
// stays pending from when it first fell due, however far it is pushed;
// a row given a new time (Reschedule: quiet hours, a paused webhook
// subscription) is not pending until then, as a reminder queued for
// later is not.
func TestOutboxGaugesDeferAndReschedule(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	for _, c := range []struct {
		name        string
		put         func(o *core.Outbox, c core.OutboxClaim, until time.Time) error
		wantPending int64
	}{
		{"put off", func(o *core.Outbox, c core.OutboxClaim, until time.Time) error {
			return o.Defer(ctx, c, until, core.DeliveryWaiting("the mail server cannot be reached"))
		}, 1},
		{"new time", func(o *core.Outbox, c core.OutboxClaim, until time.Time) error {
			return o.Reschedule(ctx, c, until, core.DeliveryWaiting("quiet hours"))
		}, 0},
	} {
		t.Run(c.name, func(t *testing.T) {
			env, o, claim := claimedAlert(t, "gauge")
			dueAt := env.Clock.Now()
			for range 3 { // pushed back again and again
				if err := c.put(o, claim, env.Clock.Now().Add(time.Hour)); err != nil {
					t.Fatal(err)
				}
				env.Clock.Advance(2 * time.Hour)
				cs, err := o.Claim(ctx, env.Clock.Now(), time.Minute, 10)
				if err != nil || len(cs) != 1 {
					t.Fatalf("claim again: %+v %v", cs, err)
				}
				claim = cs[0]
			}
			if err := c.put(o, claim, env.Clock.Now().Add(time.Hour)); err != nil {
				t.Fatal(err)
			}
			gs, err := o.Gauges(ctx, env.Clock.Now())
			if err != nil || len(gs) != 1 {
				t.Fatalf("gauges = %+v %v", gs, err)
			}
			g := gs[0]
			if g.Depth != 1 || g.Pending != c.wantPending {
				t.Errorf("depth %d pending %d, want 1 and %d", g.Depth, g.Pending, c.wantPending)
			}
			if c.wantPending == 1 && (g.OldestPending == nil || !g.OldestPending.Equal(dueAt)) {
				t.Errorf("oldest pending since %v, want since it first fell due, %v", g.OldestPending, dueAt)
			}
			if c.wantPending == 0 && g.OldestPending != nil {
				t.Errorf("oldest pending since %v, want none", g.OldestPending)
			}
		})
	}
}
