package flow

import (
	"slices"
	"strings"

	"github.com/onward-network/onward/core/lang"
)

// Answers to the questions Onward asks by text after a referral (the
// contact check, the feedback follow-ups), read with the language's own
// words.

// Digit reads a reply that is one digit alone, with spaces or punctuation
// around it ("1", " 2.", "5!"), written in any of the digits clients'
// keyboards send: "٤" (Arabic-Indic), "۴" (Urdu's) and "４" (full-width)
// are 4, as they are in every answer to a conversation (answerTokens).
func Digit(body string) (int, bool) {
	toks := answerTokens(ClipRunes(body, MaxBodyRunes))
	if len(toks) != 1 || len(toks[0]) != 1 || toks[0][0] < '0' || toks[0][0] > '9' {
		return 0, false
	}
	return int(toks[0][0] - '0'), true
}

// YesNo reads a yes/no reply in the flow's language ("yes", "tak",
// "nope", "definitely not"); ok is false when it is neither, or unsure.
// A yes-word negated is a no, never a yes (readYesNo).
func (f *Flow) YesNo(body string) (yes, ok bool) {
	switch parseYesNoIn(f.yesNo, body) {
	case answerYes:
		return true, true
	case answerNo:
		return false, true
	}
	return false, false
}

// Contacted reads the answer to "has the agency contacted you? Reply 1
// for yes, 2 for no": the digit alone or among words ("2 not yet"), or
// yes/no words in the flow's language or English with their negations
// read (readYesNo): "of course not", "not yet" and "nobody has called
// me" are a no. A reply whose only clue is a negation word ("ніхто не
// дзвонив", "لم يتصل أحد") is a no too: a wrong no has the network team
// check on the client, a wrong yes would leave them waiting. ok is false
// when the reply says neither, or says both.
func (f *Flow) Contacted(body string) (contacted, ok bool) {
	r := readYesNo(f.contactYesNo, body)
	var word yesNoAnswer
	switch a := r.answer(); {
	case a == answerYes || a == answerNo:
		word = a
	case a == 0 && !r.yes && r.negation:
		word = answerNo
	}
	var digit yesNoAnswer
	for _, tok := range answerTokens(ClipRunes(body, MaxBodyRunes)) {
		if tok[0] < '0' || tok[0] > '9' {
			continue
		}
		switch {
		case digit != 0 || (tok != "1" && tok != "2"):
			return false, false // "1 or 2", "12": no one answer
		case tok == "1":
			digit = answerYes
		default:
			digit = answerNo
		}
	}
	switch {
	case digit != 0 && word != 0 && digit != word, digit == 0 && word == 0:
		return false, false
	case digit != 0:
		return digit == answerYes, true
	}
	return word == answerYes, true
}

// englishSkips are the replies that skip an optional question in any
// language; a language adds its own (words.skip in its message file).
var englishSkips = []string{"skip", "pass", "no", "none", "nothing", "no thanks", "no thank you", "n a", "na", "nope",
	"please", "thanks", "thank you"}

// skipTable builds the skip words of the flow's language: English's and
// its own (Flow.skips, built once with the flow).
func (f *Flow) skipTable() *phraseTable[bool] {
	t := &phraseTable[bool]{}
	for _, s := range englishSkips {
		t.add(s, true)
	}
	if f.cat != nil {
		for _, s := range lang.List(f.cat.Own(f.Lang, "words.skip")) {
			t.add(s, true)
		}
	}
	return t
}

// Skips reports whether a reply skips an optional question ("SKIP",
// "no thanks", "pomiń").
func (f *Flow) Skips(body string) bool {
	t := f.skips
	toks := answerTokens(ClipRunes(body, MaxBodyRunes))
	if len(toks) == 0 || len(toks) > 3 {
		return false
	}
	// Every word must be a skip word ("skip please"), so a short comment
	// that happens to hold one ("no complaints") is kept.
	covered, skip := 0, false
	t.scan(toks, func(_ bool, from, to int) {
		covered += to - from
		skip = skip || !slices.Contains([]string{"please", "thanks", "thank you"}, strings.Join(toks[from:to], " "))
	}, nil)
	return skip && covered == len(toks)
}

// notAName reports whether a reply to "what is your name?" is made of
// answer words alone: yes, no or unsure words, negations, skips ("no",
// "yes please", "skip", "nie dziękuję") or a keyword, alone or with a
// word or two around it ("help me": keywordWithCourtesy); or says how
// the client feels, or that they would rather not say ("I'm scared",
// "not telling": saysNoName). An adviser would otherwise be told the
// client is called "No", or "scared".
func (f *Flow) notAName(body string) bool {
	if f.Keyword(body) != KeywordNone || f.isCallbackWord(body) || f.keywordWithCourtesy(body) {
		return true
	}
	toks := answerTokens(ClipRunes(body, MaxBodyRunes))
	if len(toks) == 0 {
		return false
	}
	if f.saysNoName(toks) {
		return true
	}
	covered := make([]bool, len(toks))
	cover := func(from, to int) {
		for i := from; i < to; i++ {
			covered[i] = true
		}
	}
	f.yesNo.table.scan(toks, func(_ yesNoAnswer, from, to int) { cover(from, to) }, nil)
	f.skips.scan(toks, func(_ bool, from, to int) { cover(from, to) }, nil)
	for i, tok := range toks {
		if !covered[i] && !f.yesNo.negation[tok] && !isStretchedWord(tok, "yes") && !isStretchedWord(tok, "no") {
			return false
		}
	}
	return true
}

// outOfWords join a mark to its scale ("4 out of 5", "4 z 5", "4 з 5",
// "4 من 5", "4 à 5"), by answerTokens key; "/" needs no word.
var outOfWords = map[string]bool{"out of": true, "of": true, "outta": true, "na": true, "z": true,
	"з": true, "із": true, "из": true, "من": true, "a": true, "a mach a": true}

// scaleFirstWords put the scale first in Urdu: "5 میں سے 4" is 4 out of 5.
var scaleFirstWords = map[string]bool{answerKey("میں سے"): true}

// Score reads the answer to "how helpful was this? Reply with a number
// from 1 to 5": a digit alone or among words ("4 thanks", "I'd say 4"),
// in any keyboard's digits, or a mark out of five ("5/5", "4 out of 5",
// "5 میں سے 4"). ok is false for none, several ("3 or 4"), or one out of
// range.
func Score(body string) (int, bool) {
	w := scanWords(ClipRunes(body, MaxBodyRunes), true)
	toks := w.tokens()
	var at []int // the tokens that are numbers
	for i, tok := range toks {
		if tok[0] >= '0' && tok[0] <= '9' {
			at = append(at, i)
		}
	}
	value := func(i int) int {
		if len(toks[i]) > 1 {
			return 0 // "10", "05": not a number from 1 to 5
		}
		return int(toks[i][0] - '0')
	}
	n := 0
	switch len(at) {
	case 1:
		n = value(at[0])
	case 2:
		a, b := value(at[0]), value(at[1])
		between := strings.Join(toks[at[0]+1:at[1]], " ")
		slash := between == "" && strings.TrimSpace(w.text[w.spans[at[0]].to:w.spans[at[1]].from]) == "/"
		switch {
		case b == 5 && (slash || outOfWords[between]):
			n = a
		case a == 5 && scaleFirstWords[between]:
			n = b
		}
	}
	return n, n >= 1 && n <= 5
}

// saysNoName reports whether toks, once the lead-ins and chatter around
// a name are taken off ("I'm", "hi", "sorry": textWords), are words of
// feeling or of not saying (textWords.noName, in English and the flow's
// language) and their fillers alone.
func (f *Flow) saysNoName(toks []string) bool {
	w := f.textWords()
	from, to := w.around(toks)
	if from == to {
		return false
	}
	rest := toks[from:to]
	covered := make([]bool, len(rest))
	said := false
	w.noName.scan(rest, func(_ bool, from, to int) {
		said = true
		for i := from; i < to; i++ {
			covered[i] = true
		}
	}, nil)
	w.noNameFiller.scan(rest, func(_ bool, from, to int) {
		for i := from; i < to; i++ {
			covered[i] = true
		}
	}, nil)
	return said && !slices.Contains(covered, false)
}
