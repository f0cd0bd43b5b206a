package notify_test

import (
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/onward-network/onward/core"
	"github.com/onward-network/onward/core/coretest"
	"github.com/onward-network/onward/notify/smtpfake"
)

// TestWaitingListReview: a referral left on an agency's waiting list is
// brought back to the agency after core.WaitingListReviewDays working
// days, by email for an agency off Slack and in its channel for one on
// it, not before; one taken off the list (or put back on since, which
// starts its own count) is not, by the rule both channels follow.
func TestWaitingListReview(t *testing.T) {
	t.Parallel()
	h := newMailHarness(t, harnessOpts{}, smtpfake.Options{}, nil)
	h.emailOnly(t)
	ctx := context.Background()
	n := h.net
	h.markAllSent(t)
	w := h.mailWorker(t)
	act := func(r core.Referral, a core.Action, by core.Actor) {
		t.Helper()
		if _, err := h.engine.Act(ctx, core.TransitionRequest{Referral: r.ID, Action: a, Actor: by}); err != nil {
			t.Fatalf("%s %s: %v", a, r.Reference, err)
		}
	}
	left := h.staffReferral(t, "wl-left", false)
	resumed := h.staffReferral(t, "wl-resumed", false)
	h.acceptAll(t, left, resumed)
	act(left, core.ActionHold, n.Adviser.Actor())
	act(resumed, core.ActionHold, n.Adviser.Actor())
	slack := h.selfRefer(t, "wl-slack", toWelfare)
	act(slack, core.ActionHold, n.WelfareAdviser.Actor()) // held before it was accepted
	drain(t, w)
	before := len(h.smtp.Messages())

	var review outboxRow
	for _, r := range h.rows(t) {
		if r.Kind == string(core.OutboxContactNudge) && r.Level == core.LevelWaitingList {
			review = r
		}
	}
	if review.ID == 0 {
		t.Fatal("no waiting-list review was queued")
	}
	act(resumed, core.ActionResume, n.Adviser.Actor())
	h.env.Clock.Set(review.AvailableAt.Add(-time.Minute))
	drain(t, w)
	if got := h.subjects(t, before, "waiting list"); len(got) != 0 || h.postsTo("C0WELFARE", "waiting list") != 0 {
		t.Fatalf("waiting-list reviews before their time: %v %+v", got, h.slack.Calls())
	}
	h.env.Clock.Set(review.AvailableAt.Add(time.Minute))
	drain(t, w)
	drain(t, w)

	got := h.subjects(t, before, "still on your waiting list")
	if want := []string{n.Adviser.Email, n.Adviser2.Email, "team@cab.example"}; !slices.Equal(addresses(got), want) {
		t.Fatalf("waiting-list reviews went to %v, want %v", got, want)
	}
	for addr, subjects := range got {
		if len(subjects) != 1 || !strings.Contains(subjects[0], left.Reference) {
			t.Errorf("%s got %q, want one review, of %s", addr, subjects, left.Reference)
		}
	}
	for _, m := range h.smtp.Messages()[before:] {
		p := parse(t, m)
		if m.To[0] == n.Adviser.Email && strings.Contains(decodedSubject(p), "waiting list") {
			want := "has been on Kirkton Citizens Advice's waiting list for 10 working days"
			if !strings.Contains(p.Text, want) || !strings.Contains(p.HTML, left.Reference) || strings.Contains(p.Text, "mark it contacted") {
				t.Errorf("the review's text lacks %q or speaks of contact:\n%s", want, p.Text)
			}
		}
	}
	if h.postsTo("C0WELFARE", "*"+slack.Reference+"*", "on your waiting list for 10 working days") != 1 {
		t.Errorf("the welfare agency's channel was not reminded of its waiting list: %+v", h.slack.Calls())
	}
	if h.postsTo("C0WELFARE", "not marked contacted") != 0 {
		t.Errorf("a waiting-list review was worded as a contact reminder: %+v", h.slack.Calls())
	}
	skipped := 0
	for _, e := range coretest.OutboxRows(t, h.engine) {
		if e.Payload.Level == core.LevelWaitingList && e.Payload.ReferralID == resumed.ID {
			if skipped++; e.DeliveryStatus != "skipped: referral taken off the waiting list" {
				t.Errorf("the review (%s) of the referral taken off the list: %q, want skipped", e.Kind, e.DeliveryStatus)
			}
		}
	}
	if skipped != 2 {
		t.Errorf("%d reviews of the referral taken off the list, want its nudge and its email", skipped)
	}
}
