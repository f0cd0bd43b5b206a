package notify_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/onward-network/onward/core"
)

// TestTextQueuedBeforeThePhonePassedOnIsNotSent: a client's referral is
// accepted two years after they last used their phone, and before the
// worker texts them so, a stranger now given the number self-refers from
// it. The text about the former client's referral is not sent to the
// number: it ends as skipped, saying the number passed on, not dead. The
// stranger's own confirmation goes to the number.
func TestTextQueuedBeforeThePhonePassedOnIsNotSent(t *testing.T) {
	t.Parallel()
	h := newHarness(t, harnessOpts{})
	ctx := context.Background()
	w := h.worker(t, nil)
	former := h.selfRefer(t, "passed-former", nil)
	drain(t, w) // the former client's confirmation, while the number was theirs

	h.env.Clock.Advance(2 * 365 * 24 * time.Hour)
	if former.InTriage() {
		t.Fatalf("the former client's referral waits in triage; the test needs it with an agency")
	}
	if _, err := h.engine.Act(ctx, core.TransitionRequest{Referral: former.ID, Action: core.ActionAccept,
		Actor: h.env.Net.Adviser.Actor(), ExpectedVersion: former.Version}); err != nil {
		t.Fatal(err)
	}
	stranger := h.selfRefer(t, "passed-stranger", func(in *core.SelfReferral) { in.Client.Name = "Ailsa Fictional" })
	if stranger.ClientID == former.ClientID {
		t.Fatalf("the stranger joined the former client's record")
	}
	before := len(h.twilio.Accepted())
	drain(t, w)

	var toStranger int
	for _, m := range h.twilio.Accepted()[before:] {
		if strings.Contains(m.Body, former.Reference) {
			t.Errorf("a text about the former client's referral went to %s: %q", m.To, m.Body)
		}
		if strings.Contains(m.Body, stranger.Reference) {
			toStranger++
		}
	}
	if toStranger != 1 {
		t.Errorf("%d texts of the stranger's own confirmation, want 1", toStranger)
	}
	es, err := h.engine.Outbox().List(ctx, core.OutboxFilter{State: core.OutboxAll, Limit: 1 << 20})
	if err != nil {
		t.Fatal(err)
	}
	found := false
	for _, e := range es {
		if e.Kind != core.OutboxClientSMS || e.Payload.ReferralID != former.ID || e.Payload.Template != core.SMSAccepted {
			continue
		}
		found = true
		if e.DeadAt != nil || e.SentAt == nil || e.DeliveryStatus != "skipped: the client's phone number has passed to someone else" {
			t.Errorf("the former client's accepted text: dead %v, done %v, status %q; want skipped as the number passed on",
				e.DeadAt != nil, e.SentAt != nil, e.DeliveryStatus)
		}
	}
	if !found {
		t.Fatal("no accepted text was queued for the former client")
	}
}
