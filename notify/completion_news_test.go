package notify_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/onward-network/onward/core"
	"github.com/onward-network/onward/core/coretest"
	"github.com/onward-network/onward/notify/smtpfake"
)

// TestCompletionNewsWaitsOutTheUndoWindow: a completion can be undone for
// core.UndoWindow, so the client's feedback request and the referrer's
// email about it wait until it no longer can. A completion undone is never
// told of; one undone and made again is told of once, when the second can
// no longer be undone.
func TestCompletionNewsWaitsOutTheUndoWindow(t *testing.T) {
	t.Parallel()
	h := newMailHarness(t, harnessOpts{}, smtpfake.Options{}, nil)
	ctx := context.Background()
	n := h.net
	// The referrer's agency emails its staff whether or not Slack reaches them.
	if _, err := h.env.Pool.Exec(ctx, `UPDATE agencies SET email_staff = 'always' WHERE id = $1`, n.Welfare); err != nil {
		t.Fatal(err)
	}
	w := h.mailWorker(t)
	act := func(r core.Referral, by core.Staff, actions ...core.Action) {
		t.Helper()
		for _, a := range actions {
			if _, err := h.engine.Act(ctx, core.TransitionRequest{Referral: r.ID, Action: a, Actor: by.Actor(), Outcome: core.OutcomeHelpGiven}); err != nil {
				t.Fatalf("%s %s: %v", a, r.Reference, err)
			}
		}
	}
	// A client's own referral asks them for feedback; an adviser's tells
	// the adviser. "again" is completed, undone and completed again;
	// "undone" is completed and undone.
	again := h.selfRefer(t, "news-again", toWelfare)
	undone := h.selfRefer(t, "news-undone", toWelfare)
	referred := h.staffReferral(t, "news-referred", false)
	referredUndone := h.staffReferral(t, "news-referred-undone", false)
	for _, r := range []core.Referral{again, undone} {
		act(r, n.WelfareAdviser, core.ActionAccept, core.ActionContact)
	}
	for _, r := range []core.Referral{referred, referredUndone} {
		act(r, n.Adviser, core.ActionAccept, core.ActionContact)
	}
	drain(t, w)

	// feedbackAsks counts the feedback requests each referral's client was
	// sent; completedNews the referrer's emails saying it was completed.
	feedbackAsks := func(r core.Referral) int {
		k := 0
		for _, m := range h.twilio.Accepted() {
			if strings.Contains(m.Body, "How helpful was this?") && strings.Contains(m.Body, r.Reference) {
				k++
			}
		}
		return k
	}
	completedNews := func(r core.Referral) int {
		return len(h.subjects(t, 0, "Your referral "+r.Reference+": completed")[n.WelfareAdviser.Email])
	}
	check := func(when string, wantAgain, wantReferred int) {
		t.Helper()
		drain(t, w)
		if got := feedbackAsks(again); got != wantAgain {
			t.Errorf("%s: %d feedback requests for the referral completed twice, want %d", when, got, wantAgain)
		}
		if got := completedNews(referred); got != wantReferred {
			t.Errorf("%s: %d completion emails to the referrer, want %d", when, got, wantReferred)
		}
		if got := feedbackAsks(undone) + completedNews(referredUndone); got != 0 {
			t.Errorf("%s: %d feedback requests or emails about a completion undone", when, got)
		}
	}

	t0 := h.clock.Now()
	for _, r := range []core.Referral{again, undone} {
		act(r, n.WelfareAdviser, core.ActionComplete)
	}
	for _, r := range []core.Referral{referred, referredUndone} {
		act(r, n.Adviser, core.ActionComplete)
	}
	check("just completed", 0, 0)

	h.env.Clock.Set(t0.Add(4 * time.Minute))
	for _, r := range []core.Referral{again, undone} {
		act(r, n.WelfareAdviser, core.ActionReopen)
	}
	for _, r := range []core.Referral{referred, referredUndone} {
		act(r, n.Adviser, core.ActionReopen)
	}
	check("undone", 0, 0)

	t1 := t0.Add(6 * time.Minute)
	h.env.Clock.Set(t1)
	act(again, n.WelfareAdviser, core.ActionComplete)
	act(referred, n.Adviser, core.ActionComplete)
	check("completed again", 0, 0)

	// The first completion's news is due now, but that completion was undone.
	h.env.Clock.Set(t0.Add(core.UndoWindow))
	check("the first completion's window over", 0, 0)
	h.env.Clock.Set(t1.Add(core.UndoWindow - time.Second))
	check("the second completion still undoable", 0, 0)
	h.env.Clock.Set(t1.Add(core.UndoWindow))
	if _, err := h.engine.Act(ctx, core.TransitionRequest{Referral: again.ID, Action: core.ActionReopen, Actor: n.WelfareAdviser.Actor()}); err == nil {
		t.Fatal("the completion was undone after its window")
	}
	check("the second completion's window over", 1, 1)
	h.env.Clock.Set(t1.Add(24 * time.Hour))
	check("a day later", 1, 1)

	// Every earlier row was skipped, saying why; nothing is left waiting.
	skipped := 0
	for _, e := range coretest.OutboxRows(t, h.engine) {
		if e.SentAt == nil && e.DeadAt == nil && !e.AvailableAt.After(h.clock.Now()) {
			t.Errorf("row %d (%s %s%s) left waiting", e.ID, e.Kind, e.Payload.Template, e.Payload.Email)
		}
		news := (e.Kind == core.OutboxClientSMS && e.Payload.Template == core.SMSFeedbackAsk) ||
			(e.Kind == core.OutboxEmail && e.Payload.Email == core.EmailReferralUpdate)
		if news && e.DeliveryStatus == "skipped: completion undone" {
			skipped++
		}
	}
	if skipped != 4 { // the first completion of each referral
		t.Errorf("%d completion rows skipped as undone, want 4", skipped)
	}
}
