package flow

import (
	"slices"
	"strings"

	"github.com/onward-network/onward/core"
	"github.com/onward-network/onward/core/lang"
)

// A client's first words often say what they need before any question is
// asked: "I need help with debt and my rent", "help with benefits
// please", "dług". The needs question is then not asked for what they
// just told us: the needs are taken, and the reply says which, in place
// of that question (Messages.NeedsKept), so a wrong one can be put right
// by starting again. But only needs named firmly (firmChoices): by the
// words of a choice, as the needs question's own reader reads them; never
// by a number (the client has not seen the numbered list), never the
// catch-all "Something else" ("not sure", "anything": no need named), and
// never by a word that names a need only in some sentences ("I'm at
// home", "of course", "it doesn't work": looseNeedWords). A text that
// names none firmly gets the question as before.

// englishLooseNeeds are English choice words that name a need only in
// some sentences; a language adds its own ([words] needs_loose in its
// message file). Read from a question the client was not shown, a need
// named by these alone is not taken.
var englishLooseNeeds = []string{"home", "house", "flat", "work", "course", "reading", "writing", "school",
	"english", "eat", "appeal", "broke", "top up"}

// looseNeedWords are the loose words of language code, by answerKey:
// English's and the language's own.
func looseNeedWords(cat *lang.Catalogue, code string) map[string]bool {
	words := slices.Clone(englishLooseNeeds)
	if cat != nil && code != lang.English {
		words = append(words, lang.List(cat.Own(code, "words.needs_loose"))...)
	}
	out := map[string]bool{}
	for _, w := range words {
		if k := answerKey(w); k != "" {
			out[k] = true
		}
	}
	return out
}

// firmChoices reads body as the answer to choice-multi step st from a
// client who was not shown it: the choices its words name (the step's
// own reader, choiceParser, without numbers), each once in order, but
// the catch-all need (core.NeedOther) and those named only by loose
// words or by a shared acronym in lower case (sharedAcronyms). more
// reports whether body holds other words too ("I need help with", "they
// took my car"), which the adviser may want to read.
func (f *Flow) firmChoices(st *flowStep, body string) (values []string, more bool) {
	if st.parser == nil {
		return nil, false
	}
	toks := withoutPostcodes(answerTokens(ClipRunes(body, MaxBodyRunes)))
	caps := capsWords(body)
	firm := func(v string, words []string) {
		switch {
		case st.field == "needs" && v == string(core.NeedOther):
			more = true
		case f.looseNeeds[strings.Join(words, " ")], weakAcronym(words, sharedAcronyms, caps):
			// "I'm at home"; "dla" in "jedzenia dla dzieci", which is Polish
			more = true
		case !slices.Contains(values, v):
			values = append(values, v)
		}
	}
	st.parser.synonyms.scan(toks, func(v string, from, to int) { firm(v, toks[from:to]) }, func(tok string) {
		// A plural of a one-word synonym: "debts", "bills", as parse reads it.
		if stem, ok := strings.CutSuffix(tok, "s"); ok && st.parser.hasSyn[stem] {
			st.parser.synonyms.scan([]string{stem}, func(v string, _, _ int) { firm(v, []string{stem}) }, nil)
			return
		}
		more = true
	})
	return values, more
}

// applyFirstText is apply for the first text read as the answer to a
// choice-multi step: the needs it names firmly (firmChoices) are
// recorded in a, and ok is false when it names none. more is
// firmChoices'.
func (f *Flow) applyFirstText(st *flowStep, a *Answers, body string) (outcome string, ok, more bool) {
	values, more := f.firmChoices(st, body)
	if len(values) == 0 {
		return "", false, more
	}
	a.Needs = make([]core.Need, len(values))
	for i, v := range values {
		a.Needs[i] = core.Need(v)
	}
	return "", true, more
}

// confirmNeeds says, in place of the needs question, which needs were
// taken from a first text (Messages.NeedsKept), by their labels in f's
// language.
func (f *Flow) confirmNeeds(r *Reply, st *flowStep, needs []core.Need) {
	if f.Messages.NeedsKept == "" || len(needs) == 0 {
		return
	}
	labels := make([]string, 0, len(needs))
	for _, n := range needs {
		if i := slices.Index(st.parser.values, string(n)); i >= 0 {
			labels = append(labels, st.choices[i].Label)
		}
	}
	r.add(f.Messages.NeedsKept)
	if r.Data == nil {
		r.Data = map[string]any{}
	}
	r.Data["Needs"] = labels
}

// openingLanguage is the language a first text starts the conversation
// in without the languages offered, sig being its crisis words: the one
// its words say clearly (replyLanguage: "dług", "dzień dobry"), read
// there as the answer to the first question; or English, when the text
// names needs firmly in it ("I need help with debt": firmChoices) and the
// flow can say which it took (Messages.NeedsKept). ok is false for a text
// that says neither ("hi", "tha"): the languages are offered.
func (f *Flow) openingLanguage(opening string, sig CrisisSignal) (code string, ok bool) {
	if code := f.replyLanguage(opening, sig); code != lang.English {
		return code, true
	}
	g := f.In(lang.English)
	st := g.steps[g.start]
	if g.Messages.NeedsKept == "" || st == nil || st.kind != AnswerChoiceMulti || !st.asks(core.ChannelSMS) {
		return "", false
	}
	values, _ := g.firmChoices(st, opening)
	return lang.English, len(values) > 0
}

// needsSample is the longest three labels of the needs a first text can
// name, in f's language: the Needs of a long Messages.NeedsKept, for
// sizing it (MessageSizes).
func (f *Flow) needsSample() []string {
	st := f.fieldStep("needs")
	if st == nil {
		return nil
	}
	labels := make([]string, 0, len(st.choices))
	for i, ch := range st.choices {
		if st.parser.values[i] != string(core.NeedOther) { // never taken from a first text
			labels = append(labels, ch.Label)
		}
	}
	slices.SortStableFunc(labels, func(a, b string) int { return len(b) - len(a) })
	return labels[:min(3, len(labels))]
}
