package core_test

import (
	"strings"
	"testing"

	"github.com/onward-network/onward/core"
)

// TestTransitionRefusalWords: a refused status change reads as staff
// know it, one definition for every channel: where the referral stands
// and what it cannot have done, in the cards' words, never the state
// machine's codes ("in-progress", "fail") nor a generic prefix.
func TestTransitionRefusalWords(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		err  core.TransitionError
		want string
	}{
		{core.TransitionError{Action: core.ActionFail, Status: core.StatusInProgress, Why: core.FailAfterContact},
			"This referral is already in progress, so it cannot be marked Could not contact: the client was reached. Complete it instead, saying how the help ended."},
		{core.TransitionError{Action: core.ActionComplete, Status: core.StatusAccepted, Why: "mark the client contacted first"},
			"This referral is already accepted, so it cannot be marked completed: mark the client contacted first."},
		{core.TransitionError{Action: core.ActionAccept, Status: core.StatusOnHold},
			"This referral is on the waiting list, so it cannot be accepted."},
		{core.TransitionError{Action: core.ActionCancel, Status: core.StatusCancelled},
			"This referral is already cancelled."},
		{core.TransitionError{Action: core.ActionAccept, Status: core.StatusRequested, Why: "it is waiting in triage for a coordinator to choose an agency"},
			"This referral cannot be accepted: it is waiting in triage for a coordinator to choose an agency."},
	} {
		if got := c.err.Error(); got != c.want {
			t.Errorf("%s from %s:\n got %q\nwant %q", c.err.Action, c.err.Status, got, c.want)
		}
	}
	// Every action refused from every status is said in words.
	for _, s := range core.Statuses {
		for _, a := range core.Actions {
			got := (&core.TransitionError{Action: a, Status: s}).Error()
			if !strings.HasPrefix(got, "This referral ") || strings.Contains(got, "a referral that is") || strings.Contains(got, "-") ||
				strings.Contains(got, " is "+string(s)) || strings.Contains(got, "cannot "+string(a)+".") {
				t.Errorf("%s from %s reads %q", a, s, got)
			}
		}
	}
}
