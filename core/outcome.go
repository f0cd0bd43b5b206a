package core

import "fmt"

// Outcome is how a completed referral ended for the client, from a fixed
// list so that reports can count it.
type Outcome string

// Outcomes of a referral.
const (
	OutcomeHelpGiven         Outcome = "help-given"
	OutcomeClientDeclined    Outcome = "client-declined"
	OutcomeNoLongerNeeded    Outcome = "no-longer-needed"
	OutcomeCouldNotContact   Outcome = "could-not-contact"
	OutcomeNotEligible       Outcome = "not-eligible"
	OutcomeReferredElsewhere Outcome = "referred-elsewhere"
	OutcomeOther             Outcome = "other"
)

// Outcomes lists every outcome in the order forms offer them.
var Outcomes = []Outcome{OutcomeHelpGiven, OutcomeClientDeclined, OutcomeNoLongerNeeded,
	OutcomeCouldNotContact, OutcomeNotEligible, OutcomeReferredElsewhere, OutcomeOther}

var outcomeLabels = map[Outcome]string{
	OutcomeHelpGiven:         "Help given",
	OutcomeClientDeclined:    "Client declined",
	OutcomeNoLongerNeeded:    "No longer needed",
	OutcomeCouldNotContact:   "Could not contact",
	OutcomeNotEligible:       "Not eligible",
	OutcomeReferredElsewhere: "Referred elsewhere",
	OutcomeOther:             "Other",
}

// Label is the outcome in words for staff.
func (o Outcome) Label() string {
	if l, ok := outcomeLabels[o]; ok {
		return l
	}
	return string(o)
}

// Valid reports whether the outcome is one of Outcomes.
func (o Outcome) Valid() bool {
	_, ok := outcomeLabels[o]
	return ok
}

// Completes reports whether a completion (ActionComplete) may record the
// outcome: every outcome but OutcomeCouldNotContact. A client who could
// not be contacted is recorded one way, by its own action, ActionFail,
// which closes the referral as failed and texts the client; a completion
// saying the same would close it without telling the client, and split
// the event in the reports. The outcome stays Valid: referrals completed
// with it before it was refused keep it, and the reports count them with
// the failed ones.
func (o Outcome) Completes() bool {
	return o != OutcomeCouldNotContact
}

// CompletionOutcomes lists the outcomes a completion may record
// (Outcome.Completes), in the order forms offer them.
func CompletionOutcomes() []Outcome {
	var out []Outcome
	for _, o := range Outcomes {
		if o.Completes() {
			out = append(out, o)
		}
	}
	return out
}

// CompletionOutcomes is the network's outcomes (Network.Outcomes) that a
// completion may record (Outcome.Completes): what every channel's
// completion form offers and every refusal of an outcome lists.
func (n Network) CompletionOutcomes() []OutcomeOption {
	var out []OutcomeOption
	for _, o := range n.Outcomes() {
		if o.Outcome.Completes() {
			out = append(out, o)
		}
	}
	return out
}

// OutcomeNotACompletion is core's refusal of a completion whose outcome
// has its own action (Outcome.Completes is false): "Could not contact".
// It names the outcome field, so every form shows it beside the outcome;
// a partner interface, whose action has another name there, may tell a
// partner how it takes that action in its place.
var OutcomeNotACompletion = FieldError{Field: "outcome",
	Message: "A completion says how the help ended for a client who was contacted: “Could not contact” is for a client never reached, " +
		"and is recorded before they are marked contacted, with its own Could not contact action, which closes the referral as failed and tells the client"}

// FailAfterContact is why Could not contact (ActionFail) is refused for a
// referral in progress (the TransitionError's Why): the client was marked
// contacted, so they were reached, and the referral is completed with how
// the help ended.
const FailAfterContact = "the client was reached. Complete it instead, saying how the help ended"

// CouldNotContactInstead is what to do instead of completing r with the
// outcome "Could not contact" (OutcomeNotACompletion), by where r stands,
// for an interface that names its own ways: fail is how it takes Could
// not contact (ActionFail), outcomes the outcomes a completion takes.
// Accepted, the client was never marked contacted: Could not contact. In
// progress, they were reached (FailAfterContact): a completion saying how
// the help ended. Where neither can be done now, both are said.
func CouldNotContactInstead(r Referral, fail, outcomes string) string {
	switch {
	case r.Allowed(ActionFail):
		return "this referral's client was never marked contacted, so record that they could not be contacted with " + fail +
			", which closes the referral as failed and tells the client"
	case r.Allowed(ActionComplete):
		return "this referral is already in progress: " + FailAfterContact + ", one of " + outcomes
	}
	return "a client who could not be contacted is recorded with " + fail + " before they are marked contacted, " +
		"which closes the referral as failed and tells the client; a client who was reached is completed saying how the help ended, one of " + outcomes
}

// ParseOutcome reads an outcome as stored or as sent by a form.
func ParseOutcome(s string) (Outcome, error) {
	o := Outcome(s)
	if !o.Valid() {
		return "", fmt.Errorf("unknown outcome %q", s)
	}
	return o, nil
}

// completionData adds what completion recorded to its event's data: the
// outcome, advice type and topic, and each gain in pence. None of it is
// personal data (the note stays sealed on the referral).
func completionData(data map[string]any, r Referral) {
	data["outcome"] = string(*r.Outcome)
	if r.AdviceType != nil {
		data["advice_type"] = string(*r.AdviceType)
	}
	if r.AdviceTopic != nil {
		data["advice_topic"] = *r.AdviceTopic
	}
	g := r.Gain()
	for _, f := range GainFields {
		if p := g.Get(f.Key); p != 0 {
			data[f.Key+"_pence"] = p
		}
	}
}
