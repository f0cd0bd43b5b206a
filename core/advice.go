package core

import (
	"fmt"
	"regexp"
	"slices"
)

// AdviceType is the kind of advice given, as the Scottish National
// Standards for Information and Advice Providers count it.
type AdviceType string

// Advice types of the National Standards.
const (
	AdviceTypeI   AdviceType = "type-1" // information and signposting
	AdviceTypeII  AdviceType = "type-2" // casework
	AdviceTypeIII AdviceType = "type-3" // advocacy and representation
)

// AdviceTypes lists the advice types in the order forms offer them.
var AdviceTypes = []AdviceType{AdviceTypeI, AdviceTypeII, AdviceTypeIII}

var adviceTypeLabels = map[AdviceType]string{
	AdviceTypeI:   "Type I: information and signposting",
	AdviceTypeII:  "Type II: casework",
	AdviceTypeIII: "Type III: advocacy and representation",
}

// Label is the advice type in the National Standards' words.
func (t AdviceType) Label() string {
	if l, ok := adviceTypeLabels[t]; ok {
		return l
	}
	return string(t)
}

// Valid reports whether t is one of AdviceTypes.
func (t AdviceType) Valid() bool { return slices.Contains(AdviceTypes, t) }

// AdviceTopic is a topic of advice a network counts (benefits, debt, …):
// its id (a slug, stored with the referral) and its label.
type AdviceTopic struct {
	ID    string `json:"id" yaml:"id"`
	Label string `json:"label" yaml:"label"`
}

// DefaultAdviceTopics are the topics offered when the network file names
// none.
var DefaultAdviceTopics = []AdviceTopic{
	{"benefits", "Benefits"},
	{"debt", "Debt"},
	{"housing", "Housing"},
	{"employment", "Employment"},
	{"energy", "Energy"},
	{"consumer", "Consumer"},
	{"other", "Other"},
}

var slugShape = regexp.MustCompile(`^[a-z][a-z0-9-]{0,39}$`)

// OutcomeOption is an outcome a network offers at completion, with the
// label its staff see (the outcome's own label when the file gives none).
type OutcomeOption struct {
	Outcome Outcome `json:"outcome" yaml:"outcome"`
	Label   string  `json:"label,omitempty" yaml:"label"`
}

// Outcomes is the outcomes the network offers when a referral is
// completed, in order, each with its label: all seven by default.
func (n Network) Outcomes() []OutcomeOption {
	if len(n.OfferedOutcomes) == 0 {
		out := make([]OutcomeOption, len(Outcomes))
		for i, o := range Outcomes {
			out[i] = OutcomeOption{Outcome: o, Label: o.Label()}
		}
		return out
	}
	out := slices.Clone(n.OfferedOutcomes)
	for i := range out {
		if out[i].Label == "" {
			out[i].Label = out[i].Outcome.Label()
		}
	}
	return out
}

// OffersOutcome reports whether the network offers outcome o.
func (n Network) OffersOutcome(o Outcome) bool {
	return slices.ContainsFunc(n.Outcomes(), func(x OutcomeOption) bool { return x.Outcome == o })
}

// OutcomeLabel is the network's label for outcome o.
func (n Network) OutcomeLabel(o Outcome) string {
	for _, x := range n.Outcomes() {
		if x.Outcome == o {
			return x.Label
		}
	}
	return o.Label()
}

// AdviceTopics is the advice topics the network counts, in order:
// DefaultAdviceTopics when its file names none.
func (n Network) AdviceTopics() []AdviceTopic {
	if len(n.OfferedTopics) == 0 {
		return slices.Clone(DefaultAdviceTopics)
	}
	return slices.Clone(n.OfferedTopics)
}

// AdviceTopicLabel is the label of the topic with id ("" gives "").
func (n Network) AdviceTopicLabel(id string) string {
	for _, t := range n.AdviceTopics() {
		if t.ID == id {
			return t.Label
		}
	}
	return id
}

// OffersAdviceTopic reports whether id is one of the network's topics.
func (n Network) OffersAdviceTopic(id string) bool {
	return slices.ContainsFunc(n.AdviceTopics(), func(t AdviceTopic) bool { return t.ID == id })
}

// checkOfferings checks the outcome and topic lists a network file gives.
func checkOfferings(outcomes []OutcomeOption, topics []AdviceTopic) []FieldError {
	var fields []FieldError
	seen := map[string]bool{}
	for i, o := range outcomes {
		where := fmt.Sprintf("outcomes[%d]", i)
		switch {
		case !o.Outcome.Valid():
			fields = append(fields, FieldError{Field: where, Message: fmt.Sprintf("%s: %q is not an outcome; use one of %v", where, o.Outcome, Outcomes)})
		case seen[string(o.Outcome)]:
			fields = append(fields, FieldError{Field: where, Message: fmt.Sprintf("%s: %q is named twice", where, o.Outcome)})
		case len(o.Label) > 80:
			fields = append(fields, FieldError{Field: where, Message: fmt.Sprintf("%s: the label must be at most 80 characters", where)})
		}
		seen[string(o.Outcome)] = true
	}
	seen = map[string]bool{}
	for i, t := range topics {
		where := fmt.Sprintf("advice_topics[%d]", i)
		switch {
		case !slugShape.MatchString(t.ID):
			fields = append(fields, FieldError{Field: where, Message: fmt.Sprintf("%s: the id %q must be lower-case letters, digits and hyphens, like money-advice", where, t.ID)})
		case seen[t.ID]:
			fields = append(fields, FieldError{Field: where, Message: fmt.Sprintf("%s: %q is named twice", where, t.ID)})
		case t.Label == "" || len(t.Label) > 80:
			fields = append(fields, FieldError{Field: where, Message: fmt.Sprintf("%s: give a label of at most 80 characters", where)})
		}
		seen[t.ID] = true
	}
	return fields
}
