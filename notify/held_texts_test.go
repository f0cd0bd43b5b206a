package notify_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/onward-network/onward/core"
)

// TestHeldStatusTextGoesOnlyWhileTrue: a status text held back by quiet
// hours goes in the morning only if what it says is still true, and a
// referral closed as "could not contact" tells its client so. Each case
// is a report from people using the product: a referral redirected,
// accepted and closed as could not contact overnight; one accepted,
// contacted and completed in a minute; one redirected and then stopped
// by the client withdrawing consent; one completed and then withdrawn.
// A text dropped is recorded as skipped with why, never dead-lettered.
func TestHeldStatusTextGoesOnlyWhileTrue(t *testing.T) {
	t.Parallel()
	h := newHarness(t, harnessOpts{})
	ctx := context.Background()
	n := h.env.Net
	w := h.worker(t, nil)
	act := func(req core.TransitionRequest) core.TransitionResult {
		t.Helper()
		res, err := h.engine.Act(ctx, req)
		if err != nil {
			t.Fatalf("%s: %v", req.Action, err)
		}
		return res
	}
	// Each client has their own phone, so that one's withdrawal stops
	// nothing of the others'.
	refer := func(key, phone string) core.Referral {
		return h.selfRefer(t, key, func(in *core.SelfReferral) {
			toWelfare(in)
			in.Client.Phone = phone
		})
	}
	failed := refer("held-failed", "07700 900201")
	done := refer("held-done", "07700 900202")
	withdrawn := refer("held-withdrawn", "07700 900203")
	completedThenWithdrawn := refer("held-completed-withdrawn", "07700 900204")
	drain(t, w) // the confirmations, by day

	night := time.Date(2026, 11, 23, 22, 30, 0, 0, time.UTC) // Europe/London is UTC in November
	h.env.Clock.Set(night)
	welfare := n.WelfareAdviser.Actor()
	// Redirected to Housing, accepted, then closed as could not contact.
	child := *act(core.TransitionRequest{Referral: failed.ID, Action: core.ActionRedirect, Actor: welfare,
		ToAgency: n.Housing, Feedback: "A housing matter: Housing Options take these"}).Child
	act(core.TransitionRequest{Referral: child.ID, Action: core.ActionAccept, Actor: n.HousingAdviser.Actor()})
	act(core.TransitionRequest{Referral: child.ID, Action: core.ActionFail, Actor: n.HousingAdviser.Actor()})
	// Accepted, contacted and completed within a minute.
	complete := func(r core.Referral) {
		act(core.TransitionRequest{Referral: r.ID, Action: core.ActionAccept, Actor: welfare})
		act(core.TransitionRequest{Referral: r.ID, Action: core.ActionContact, Actor: welfare})
		act(core.TransitionRequest{Referral: r.ID, Action: core.ActionComplete, Actor: welfare, Outcome: core.OutcomeHelpGiven})
	}
	complete(done)
	// Redirected by a coordinator, then the client withdraws consent.
	moved := *act(core.TransitionRequest{Referral: withdrawn.ID, Action: core.ActionRedirect, Actor: n.Coordinator.Actor(),
		ToAgency: n.Housing}).Child
	if _, err := h.engine.WithdrawByReference(ctx, moved.Reference, core.ClientActor, "sms", "SMheldwithdraw1"); err != nil {
		t.Fatal(err)
	}
	// Completed, then the client withdraws consent before the feedback
	// request goes.
	complete(completedThenWithdrawn)
	if _, err := h.engine.WithdrawByReference(ctx, completedThenWithdrawn.Reference, core.ClientActor, "sms", "SMheldwithdraw2"); err != nil {
		t.Fatal(err)
	}
	before := len(h.twilio.Accepted())
	drain(t, w)
	for _, m := range h.twilio.Accepted()[before:] {
		if strings.Contains(m.Body, child.Reference) {
			t.Errorf("at night, a status text about %s went: %q", child.Reference, m.Body)
		}
	}

	h.env.Clock.Set(time.Date(2026, 11, 24, 8, 0, 0, 0, time.UTC))
	drain(t, w)
	texts := func(ref, words string) int {
		k := 0
		for _, m := range h.twilio.Accepted() {
			if strings.Contains(m.Body, ref) && strings.Contains(m.Body, words) {
				k++
			}
		}
		return k
	}
	for _, tc := range []struct {
		what, ref, words string
		want             int
	}{
		{"could not contact: passed to Housing", child.Reference, "has been passed to", 0},
		{"could not contact: will contact you", child.Reference, "will contact you", 0},
		{"could not contact: contact check", child.Reference, "contacted you", 0},
		{"could not contact: told it closed", child.Reference, "could not reach you", 1},
		{"completed: will contact you", done.Reference, "will contact you", 0},
		{"completed: feedback request", done.Reference, "How helpful", 1},
		{"withdrawn: passed to Housing", moved.Reference, "has been passed to", 0},
		{"withdrawn: the withdrawal's confirmation", moved.Reference, "no longer want us to share", 1},
		{"completed, withdrawn: feedback request", completedThenWithdrawn.Reference, "How helpful", 0},
		{"completed, withdrawn: the withdrawal's confirmation", completedThenWithdrawn.Reference, "no longer want us to share", 1},
	} {
		if got := texts(tc.ref, tc.words); got != tc.want {
			t.Errorf("%s: %d texts with %q, want %d", tc.what, got, tc.words, tc.want)
		}
	}
	if got := texts(child.Reference, "call Kingdom Advice Network"); got != 1 {
		t.Errorf("the could-not-contact text does not give the network to call: %+v", h.twilio.Accepted())
	}

	// Every text dropped is a skip that says why; none is dead.
	es, err := h.engine.Outbox().List(ctx, core.OutboxFilter{State: core.OutboxAll, Limit: 1 << 20})
	if err != nil {
		t.Fatal(err)
	}
	skips := map[string]string{} // reference and template → status
	for _, e := range es {
		if e.Kind != core.OutboxClientSMS || e.Reference == nil {
			continue
		}
		if e.DeadAt != nil {
			t.Errorf("%s text for %s dead-lettered: %s", e.Payload.Template, *e.Reference, e.LastError)
		}
		if strings.HasPrefix(string(e.DeliveryStatus), "skipped") {
			skips[*e.Reference+" "+e.Payload.Template] = string(e.DeliveryStatus)
		}
	}
	for key, want := range map[string]string{
		child.Reference + " " + core.SMSRedirected:                   "skipped: referral closed since",
		child.Reference + " " + core.SMSAccepted:                     "skipped: client contacted or referral moved on",
		done.Reference + " " + core.SMSAccepted:                      "skipped: client contacted or referral moved on",
		moved.Reference + " " + core.SMSRedirected:                   "skipped: referral closed since",
		completedThenWithdrawn.Reference + " " + core.SMSFeedbackAsk: "skipped: client withdrew consent",
	} {
		if got := skips[key]; got != want {
			t.Errorf("%s: delivery status %q, want %q", key, got, want)
		}
	}
}
