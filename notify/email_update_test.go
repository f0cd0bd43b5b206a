package notify_test

import (
	"context"
	"slices"
	"testing"

	"github.com/onward-network/onward/core"
	"github.com/onward-network/onward/notify/smtpfake"
)

// TestReferralUpdateEmailTellsOfEachChange: the referrer's emails say what
// each change was, not where the referral stands when the email is built.
// Accepted and then marked "could not contact" before the worker ran is
// two emails, "accepted" and then the could-not-contact news, which says
// the agency could not contact the client (not that the client could not
// be helped).
func TestReferralUpdateEmailTellsOfEachChange(t *testing.T) {
	t.Parallel()
	h := newMailHarness(t, harnessOpts{}, smtpfake.Options{}, nil)
	ctx := context.Background()
	n := h.net
	if _, err := h.env.Pool.Exec(ctx, `UPDATE agencies SET email_staff = 'always' WHERE id = $1`, n.Welfare); err != nil {
		t.Fatal(err)
	}
	r := h.staffReferral(t, "update-words", false)
	h.markAllSent(t)
	for _, a := range []core.Action{core.ActionAccept, core.ActionFail} {
		if _, err := h.engine.Act(ctx, core.TransitionRequest{Referral: r.ID, Action: a, Actor: n.Adviser.Actor()}); err != nil {
			t.Fatalf("%s: %v", a, err)
		}
	}
	drain(t, h.mailWorker(t))

	got := h.subjects(t, 0, "Your referral "+r.Reference)[n.WelfareAdviser.Email]
	slices.Sort(got)
	want := []string{
		"Your referral " + r.Reference + ": accepted",
		"Your referral " + r.Reference + ": closed: the agency could not contact the client",
	}
	if !slices.Equal(got, want) {
		t.Errorf("the referrer's emails:\n%q\nwant\n%q", got, want)
	}
}
