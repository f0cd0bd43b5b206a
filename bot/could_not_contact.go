package bot

import (
	"github.com/onward-network/onward/core"
)

// "Could not contact" is recorded one way: the Could not contact action
// (core.ActionFail), taken before the client is marked contacted, which
// closes the referral as failed and tells the client and the referrer.
// The staff web asks first: the referral page's own panel has a box to
// tick (confirm=yes) before its button records anything, so one press
// never does; Slack's button has its confirmation dialog. Once the
// client was marked contacted, core refuses it (core.FailAfterContact),
// so neither offers it any more: the client was reached, and how the
// help ended is a completion's outcome. Nor does either completion form
// offer the outcome "Could not contact", which would record the same
// event as a completed referral and split it in the reports (the
// Outcomes report counts statuses): they offer the network's
// core.Network.CompletionOutcomes, and core itself refuses a completion
// with it (core.OutcomeNotACompletion), on every channel.

// failConfirmed reports whether a posted Could not contact was confirmed
// by ticking the box on the referral page's panel, not pressed alone.
func failConfirmed(form func(string) string) bool { return form("confirm") == "yes" }

// failUnconfirmed is the problem of a Could not contact sent without its
// confirmation: the page shows it beside the panel that asks.
var failUnconfirmed = core.FieldError{Field: "fail",
	Message: "Nothing was changed: tick the box to confirm you tried every way the client gave you to reach them, then close it. Closing it cannot be undone, and tells the client"}
