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
