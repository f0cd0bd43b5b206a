package notify_test

import (
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/onward-network/onward/core"
	"github.com/onward-network/onward/core/coretest"
	"github.com/onward-network/onward/notify"
	"github.com/onward-network/onward/notify/notifytest"
)

// Slack's 429 with Retry-After says when to come back, not that the card
// failed: a rate limit longer than the row's attempts does not
// dead-letter it (nor alert the coordinators); the card is posted once
// Slack lets it through.
func TestRateLimitedCardIsNotDeadLettered(t *testing.T) {
	t.Parallel()
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

// A provider that refuses Onward's own credentials (a revoked Slack bot
// token, a Twilio auth token rotated and not updated) fails every row
// alike: nothing is dead-lettered while it is fixed within the hour, the
// card and the text go out once it is, and the log says it once, naming
// what to check.
func TestRefusedCredentialsAreWaitedOn(t *testing.T) {
	t.Parallel()
	h := newHarness(t, harnessOpts{maxAttempt: 2})
	h.selfRefer(t, "bad-tokens", toWelfare)
	h.slack.SetScript(notifytest.FailFirst(3, notifytest.Reply{Code: "invalid_auth"}))
	h.twilio.SetScript(notifytest.FailFirst(3, notifytest.Reply{Status: 401, Code: "20003"}))
	var log coretest.LogBuffer
	w := h.worker(t, func(o *notify.Options) { o.Log = slog.New(slog.NewTextHandler(&log, nil)) })
	for range 10 {
		h.env.Clock.Advance(6 * time.Minute)
		drain(t, w)
	}
	card := h.scheduled(t, string(core.OutboxCard), "")
	text := h.scheduled(t, string(core.OutboxClientSMS), core.SMSConfirmation)
	for _, r := range []outboxRow{card, text} {
		if !r.Sent || r.Dead || r.Attempts <= 2 {
			t.Errorf("%s after its provider refused the credentials 3 times: %+v, want sent past its 2 attempts", r.Kind, r)
		}
	}
	noDeadLetters(t, h)
	for _, want := range []string{"ONWARD_SLACK_BOT_TOKEN", "ONWARD_TWILIO_AUTH_TOKEN"} {
		if !strings.Contains(log.String(), want) {
			t.Errorf("the log never names %s:\n%s", want, log.String())
		}
	}
}
