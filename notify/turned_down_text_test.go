package notify_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/onward-network/onward/core"
	"github.com/onward-network/onward/notify/smtpfake"
)

// TestTurnedDownClientIsToldUnlessReferredOn: a client an adviser
// referred, whose referral the agency turned down, is texted that the
// service cannot help and whom to call, the next working day, unless the
// adviser has referred them on by then. A duplicate, or a service the
// client declined, leaves nobody waiting, so it texts nobody.
func TestTurnedDownClientIsToldUnlessReferredOn(t *testing.T) {
	t.Parallel()
	h := newMailHarness(t, harnessOpts{}, smtpfake.Options{}, nil)
	ctx := context.Background()
	n := h.net
	w := h.mailWorker(t)
	left := h.staffReferral(t, "turned-down-left", false)
	carried := h.staffReferral(t, "turned-down-carried", false)
	duplicate := h.staffReferral(t, "turned-down-duplicate", false)
	declined := h.staffReferral(t, "turned-down-declined", false)
	reject := func(r core.Referral, reason core.Reason) {
		t.Helper()
		if _, err := h.engine.Act(ctx, core.TransitionRequest{Referral: r.ID, Action: core.ActionReject, Actor: n.Adviser.Actor(),
			Reason: reason, Feedback: "We only see clients who live in Kirkcaldy."}); err != nil {
			t.Fatalf("reject %s: %v", r.Reference, err)
		}
	}
	reject(left, core.ReasonNotEligible)
	reject(carried, core.ReasonNoCapacity)
	reject(duplicate, core.ReasonDuplicate)
	reject(declined, core.ReasonClientDeclined)
	told := func(r core.Referral) int {
		k := 0
		for _, m := range h.twilio.Accepted() {
			if strings.Contains(m.Body, "cannot help this time") && strings.Contains(m.Body, r.Reference) {
				k++
			}
		}
		return k
	}
	drain(t, w)
	for _, r := range []core.Referral{left, carried, duplicate, declined} {
		if got := told(r); got != 0 {
			t.Errorf("%s: the client was told at once (%d texts); the adviser has until the next working day to refer them on", r.Reference, got)
		}
	}

	// The adviser refers one client on, to another agency.
	if _, err := h.engine.StaffRefer(ctx, core.StaffReferral{IdempotencyKey: "turned-down-on", By: n.WelfareAdviser.Actor(),
		Parent: carried.ID, Needs: []core.Need{core.NeedHousing}, ToAgency: n.Housing, ConsentConfirmed: true,
		WordingVersion: n.ConsentVersion}); err != nil {
		t.Fatal(err)
	}
	// Four days on is past the next working day whatever the weekday, and
	// at the same time of day, outside quiet hours.
	h.env.Clock.Set(h.clock.Now().Add(4 * 24 * time.Hour))
	drain(t, w)
	if got := told(left); got != 1 {
		t.Errorf("the client left waiting got %d texts that the service cannot help, want 1", got)
	}
	for _, r := range []core.Referral{carried, duplicate, declined} {
		if got := told(r); got != 0 {
			t.Errorf("%s (%s): the client got %d texts that the service cannot help, want none", r.Reference, r.Source, got)
		}
	}
}
