package coretest

import (
	"context"
	"testing"

	"github.com/onward-network/onward/core"
)

// PauseSubscription fails a webhook subscription's deliveries as a
// receiver that keeps refusing them would, through one event's whole retry
// schedule (core.WebhookRetrySchedule), moving the engine's clock (a
// *Clock) on by each wait, so the last failure pauses it. It fails the
// test if a failure cannot be recorded or the subscription is not paused.
func PauseSubscription(t testing.TB, eng *core.Engine, id core.WebhookSubscriptionID) {
	t.Helper()
	clock, ok := eng.Clock().(*Clock)
	if !ok {
		t.Fatalf("pause subscription %d: the engine's clock is a %T, not a *coretest.Clock this can move", id, eng.Clock())
	}
	for attempt := 1; ; attempt++ {
		paused, err := eng.WebhookFailed(context.Background(), id, "connection refused")
		if err != nil {
			t.Fatalf("record a failed delivery to subscription %d: %v", id, err)
		}
		wait, more := core.WebhookRetryWait(attempt)
		if paused || !more {
			if !paused {
				t.Fatalf("subscription %d not paused after %d failures over its retry schedule", id, attempt)
			}
			return
		}
		clock.Advance(wait)
	}
}
