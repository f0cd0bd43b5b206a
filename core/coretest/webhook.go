package coretest

import (
	"context"
	"testing"

	"github.com/onward-network/onward/core"
)

// PauseSubscription fails a webhook subscription's deliveries as many
// times in a row as pause it (core.WebhookPausedAfter), as a receiver that
// keeps refusing them would, failing the test if one cannot be recorded.
func PauseSubscription(t testing.TB, eng *core.Engine, id core.WebhookSubscriptionID) {
	t.Helper()
	for range core.WebhookPausedAfter {
		if _, err := eng.WebhookFailed(context.Background(), id, "connection refused"); err != nil {
			t.Fatalf("record a failed delivery to subscription %d: %v", id, err)
		}
	}
}
