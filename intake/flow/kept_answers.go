package flow

import (
	"slices"

	"github.com/onward-network/onward/core"
)

// An answer sent to a question before it was asked ("evening" to "how
// would you like an adviser to get in touch?") is kept for its question,
// as a postcode sent early is (keepPostcode): a black-box review saw it
// dropped, and the client's next reply land on the wrong question. Only a
// later one-choice question's choice named plainly by its words is kept
// (firmChoices: no number, which means the question asked, and no loose
// word); never a catch-all ("any time", "something else"), which says
// more about the question asked than about a later one.

// defaultAnswerKeptMessage is FlowMessages.AnswerKept for a flow file
// that names none.
const defaultAnswerKeptMessage = "conv_answer_kept"

// catchAllChoices are choice values that say "any" or "none of these":
// never kept for a later question.
var catchAllChoices = []string{"any", string(core.NeedOther)}

// keepLater reads body, which answered no part of step st, as the answer
// to a later one-choice question that it names exactly one choice of by
// its words, not yet answered; if so the choice is recorded in a (that
// question is then skipped: givenEarly) and r says which was kept
// (Messages.AnswerKept, Answer: the choice's label). It reports whether
// one was kept.
func (f *Flow) keepLater(a *Answers, r *Reply, st *flowStep, body string) bool {
	if f.Messages.AnswerKept == "" {
		return false
	}
	at := slices.Index(f.order, st.id)
	if at < 0 {
		return false
	}
	for _, id := range f.order[at+1:] {
		later := f.steps[id]
		if later.kind != AnswerChoiceOne || later.parser == nil || !later.asks(core.ChannelSMS) || a.text(later) != "" {
			continue
		}
		if _, answered := a.Outcomes[later.id]; answered {
			continue
		}
		values, _ := f.firmChoices(later, body)
		if len(values) != 1 || slices.Contains(catchAllChoices, values[0]) {
			continue
		}
		a.setText(later, values[0])
		r.add(f.Messages.AnswerKept)
		if r.Data == nil {
			r.Data = map[string]any{}
		}
		if i := slices.Index(later.parser.values, values[0]); i >= 0 && i < len(later.choices) {
			r.Data["Answer"] = later.choices[i].Label
		}
		return true
	}
	return false
}

// keptSample is the longest label of a choice keepLater may keep, in f's
// language: the Answer of Messages.AnswerKept, for sizing it
// (MessageSizes).
func (f *Flow) keptSample() string {
	longest := ""
	for _, id := range f.order {
		st := f.steps[id]
		if st.kind != AnswerChoiceOne || st.parser == nil {
			continue
		}
		for i, ch := range st.choices {
			if i < len(st.parser.values) && !slices.Contains(catchAllChoices, st.parser.values[i]) && len(ch.Label) > len(longest) {
				longest = ch.Label
			}
		}
	}
	return longest
}
