package notify_test

import (
	"testing"

	"github.com/onward-network/onward/core"
	"github.com/onward-network/onward/notify/notifytest"
)

// Slack's 429 with Retry-After says when to come back, not that the card
// failed: a rate limit longer than the row's attempts does not
// dead-letter it (nor alert the coordinators); the card is posted once
// Slack lets it through.
func TestRateLimitedCardIsNotDeadLettered(t *testing.T) {
	h := newHarness(t, harnessOpts{maxAttempt: 3})
	h.selfRefer(t, "busy-slack", toWelfare)
	h.slack.SetScript(notifytest.FailFirst(6, notifytest.Reply{Status: 429, RetryAfter: 1}))
	drainRetries(t, h, 9)
	card := h.scheduled(t, string(core.OutboxCard), "")
	if !card.Sent || card.Dead || card.Attempts <= 3 {
		t.Fatalf("card after six rate limits and 3 attempts allowed: %+v, want sent on a later attempt", card)
	}
	noDeadLetters(t, h)
}
