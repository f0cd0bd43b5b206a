package notify_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/onward-network/onward/core"
	"github.com/onward-network/onward/notify/notifytest"
)

// A status text that falls due at night waits for the end of quiet hours
// (08:00 network time) without using up an attempt; the card update goes
// at once. The confirmation of a referral just made answers the client's
// own messages and is not held back.
func TestQuietHoursHoldTextsUntilMorning(t *testing.T) {
	t.Parallel()
	h := newHarness(t, harnessOpts{})
	ctx := context.Background()
	w := h.worker(t, nil)
	r := h.selfRefer(t, "day", toWelfare)
	drain(t, w)
	if n := len(h.twilio.Accepted()); n != 1 {
		t.Fatalf("want the daytime confirmation, got %d texts", n)
	}

	night := time.Date(2026, 11, 23, 22, 30, 0, 0, time.UTC) // Europe/London is UTC in November
	h.env.Clock.Set(night)
	if _, err := h.engine.Act(ctx, core.TransitionRequest{Referral: r.ID, Action: core.ActionAccept, Actor: h.env.Net.WelfareAdviser.Actor()}); err != nil {
		t.Fatal(err)
	}
	late := h.selfRefer(t, "night", nil)
	drain(t, w)

	texts := h.twilio.Accepted()
	if len(texts) != 2 || !contains(texts[1].Body, late.Reference) {
		t.Fatalf("at night only the new referral's confirmation may go, got %+v", texts)
	}
	if !anyUpdate(h.slack.Calls()) {
		t.Errorf("the card update should not wait for the morning: %+v", h.slack.Calls())
	}
	var accepted outboxRow
	for _, row := range h.rows(t) {
		if row.Template == core.SMSAccepted {
			accepted = row
		}
	}
	morning := time.Date(2026, 11, 24, 8, 0, 0, 0, time.UTC)
	if accepted.Sent || accepted.Attempts != 0 || !accepted.AvailableAt.Equal(morning) || accepted.DeliveryStatus != "waiting: quiet hours" {
		t.Fatalf("accepted text should wait for 08:00 with no attempt counted: %+v", accepted)
	}

	h.env.Clock.Set(morning.Add(-time.Second))
	drain(t, w)
	if n := len(h.twilio.Accepted()); n != 2 {
		t.Fatalf("sent before quiet hours ended: %d texts", n)
	}
	h.env.Clock.Set(morning)
	drain(t, w)
	texts = h.twilio.Accepted()
	if len(texts) != 3 || !contains(texts[2].Body, "will contact you within") {
		t.Fatalf("want the accepted text at 08:00, got %+v", texts)
	}
}

func anyUpdate(calls []notifytest.SlackCall) bool {
	for _, c := range calls {
		if c.Method == "chat.update" {
			return true
		}
	}
	return false
}

func contains(s, sub string) bool { return strings.Contains(s, sub) }
