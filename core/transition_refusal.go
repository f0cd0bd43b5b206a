package core

import (
	"slices"
	"strings"
)

// A refused status change (TransitionError) is said once, here, in the
// words staff know from the cards and the staff web (“marked contacted”,
// “on the waiting list”), never in the status codes of the state machine
// (“cannot fail a referral that is in-progress”). Every channel shows
// these words as they are: the staff web, Slack, the partner API's
// problem detail and FHIR's OperationOutcome.

// refusedWhere says where a referral stands, after "This referral is",
// for a refusal by its status.
var refusedWhere = map[Status]string{
	StatusRequested:  "still waiting to be accepted",
	StatusAccepted:   "already accepted",
	StatusInProgress: "already in progress",
	StatusOnHold:     "on the waiting list",
	StatusCompleted:  "already completed",
	StatusRejected:   "already rejected or redirected",
	StatusFailed:     "already closed as Could not contact",
	StatusCancelled:  "already cancelled",
}

// refusedAction says what could not be done, after "cannot": each
// action as its button on the cards and the staff web names it.
var refusedAction = map[Action]string{
	ActionAccept:   "be accepted",
	ActionReject:   "be rejected",
	ActionHold:     "be put on the waiting list",
	ActionResume:   "be taken off the waiting list",
	ActionContact:  "be marked contacted",
	ActionComplete: "be marked completed",
	ActionFail:     "be marked Could not contact",
	ActionCancel:   "be cancelled",
	ActionRedirect: "be redirected",
	ActionAssign:   "be assigned to an agency",
	ActionClaim:    "be claimed",
	ActionReopen:   "be opened again",
}

// Error says the refusal as every channel shows it, in one or two
// sentences: where the referral stands and what it cannot have done
// ("This referral is already in progress, so it cannot be marked Could
// not contact"), then Why. A refusal by a further rule of an action the
// status allows (triage, the undo window) says the rule alone.
func (e *TransitionError) Error() string {
	where, ok := refusedWhere[e.Status]
	if !ok {
		where = string(e.Status)
	}
	what, ok := refusedAction[e.Action]
	if !ok {
		what = string(e.Action)
	}
	var msg string
	def := actions[e.Action]
	switch {
	case slices.Contains(def.from, e.Status) && e.Why != "":
		msg = "This referral cannot " + what
	case def.to != "" && def.to == e.Status && e.Why == "":
		// Asked again for what was done already.
		msg = "This referral is " + where
	default:
		msg = "This referral is " + where + ", so it cannot " + what
	}
	if e.Why != "" {
		msg += ": " + e.Why
	}
	return strings.TrimSuffix(msg, ".") + "."
}
