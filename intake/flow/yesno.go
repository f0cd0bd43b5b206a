package flow

import (
	"slices"
	"unicode/utf8"

	"github.com/onward-network/onward/core/lang"
)

// yes/no answers. unsure is its own kind so a step can decide what it means.
type yesNoAnswer int

const (
	answerYes yesNoAnswer = iota + 1
	answerNo
	answerUnsure
	// answerAgree is "no problem", "no bother", "nae bother": a yes to
	// a request (consent), but no clear answer to a question of fact
	// ("are you going without food?" "no problem" may mean no), where it
	// is asked again. Never a no, though it starts with one.
	answerAgree
)

// yesNoWords are one language's yes/no words: the phrases, and the words
// that turn a yes-word next to them into a refusal ("not ok", "of course
// not", "won't agree", "не так", "غير موافقة").
type yesNoWords struct {
	table    *phraseTable[yesNoAnswer]
	negation map[string]bool // by answerTokens key
}

var yesNoTable = englishYesNo()

// englishNegation are the English words (and Scots: clients here write
// "dinnae") that negate a yes-word beside them. A language adds its own
// (words.negation in its message file). Words that are a NO by themselves
// ("no", "nope", "never") are NO phrases first: next to a yes-word they
// make a reply mixed, not a refusal, since "no, ok" and "absolutely, no
// problem" are each said meaning yes.
var englishNegation = []string{"not", "no", "never", "wont", "dont", "doesnt", "didnt", "cant", "cannot",
	"isnt", "arent", "wasnt", "werent", "wouldnt", "shouldnt", "couldnt", "havent", "hasnt", "hadnt",
	"aint", "nobody", "noone", "nothing", "neither", "nor",
	"nae", "dinnae", "cannae", "willnae", "wullnae", "widnae", "wouldnae", "isnae", "hasnae", "havenae"}

// englishAgree are the English (and Scots) ways of agreeing that start
// with a no-word: as phrases they are read whole, so the "no" in them is
// no refusal (see answerAgree). A language adds its own (words.agree).
var englishAgree = []string{"no problem", "no problem at all", "not a problem", "no probs", "no prob",
	"no bother", "no bother at all", "nae bother", "nae bother at all", "nae problem", "no worries",
	"no worries at all", "no worry", "nae worries", "no issue", "no issues", "not an issue"}

// englishYesNo is the English yes/no words; wordTables adds a language's.
func englishYesNo() *yesNoWords {
	t := &phraseTable[yesNoAnswer]{}
	for _, s := range []string{"yes", "y", "yeah", "yea", "yeh", "yep", "yup", "ya", "aye",
		"ok", "okay", "sure", "agree", "i agree", "i do", "correct", "definitely", "absolutely",
		"of course", "go ahead"} {
		t.add(s, answerYes)
	}
	for _, s := range []string{"no", "n", "nope", "nah", "naw", "no thanks", "no thank you",
		"not really", "not at all", "i do not", "i dont", "never", "dont agree",
		"do not agree", "disagree", "i dont agree", "i do not agree",
		"dont think so", "i dont think so", "do not think so", "i do not think so", "no way"} {
		t.add(s, answerNo)
	}
	for _, s := range englishAgree {
		t.add(s, answerAgree)
	}
	for _, s := range []string{"not sure", "unsure", "maybe", "possibly", "perhaps", "might",
		"dont know", "do not know", "i dont know", "i do not know", "dunno", "no idea", "idk",
		"dont mind", "i dont mind", "not yet",
		"cant remember", "cannot remember", "dont remember", "do not remember"} {
		t.add(s, answerUnsure)
	}
	w := &yesNoWords{table: t, negation: map[string]bool{}}
	w.addNegation(englishNegation...)
	return w
}

func (w *yesNoWords) addNegation(words ...string) {
	for _, s := range words {
		for _, tok := range answerTokens(s) {
			w.negation[tok] = true
		}
	}
}

// wordTables are the yes/no and "don't know" words of language code:
// English's, with the language's own (words.yes, words.no, words.unsure,
// words.negation, words.unknown in its message file) added.
func wordTables(cat *lang.Catalogue, code string) (*yesNoWords, *phraseTable[bool]) {
	if code == lang.English {
		return yesNoTable, unknownTable
	}
	yn, unk := englishYesNo(), englishUnknown()
	for _, w := range []struct {
		id string
		v  yesNoAnswer
	}{{"words.yes", answerYes}, {"words.no", answerNo}, {"words.unsure", answerUnsure}, {"words.agree", answerAgree}} {
		for _, s := range lang.List(cat.Own(code, w.id)) {
			yn.table.add(s, w.v)
		}
	}
	yn.addNegation(lang.List(cat.Own(code, "words.negation"))...)
	for _, s := range lang.List(cat.Own(code, "words.unknown")) {
		unk.add(s, true)
	}
	return yn, unk
}

// yesNoReading is what a reply says as a yes or no, before the question
// it answers decides what that means (answer, consent).
type yesNoReading struct {
	yes    bool // a yes-word with no negation beside it
	no     bool // a NO phrase, or a yes-word negated ("not ok")
	unsure bool // "not sure", "no idea", "not yet"
	agree  bool // "no problem", "nae bother": see answerAgree
	// negation: a negation word anywhere, or a NO phrase.
	negation bool
}

// readYesNo reads body with a language's yes/no words. A yes-word with a
// negation word of the language up to two words before it ("not ok",
// "I won't agree", "не так", "غير موافقة", "مش موافق") is a refusal, never
// a yes; so is one with a negation right after it that ends the reply
// ("absolutely not", "of course not!"). A negation right after a
// yes-word with more words following ("yes, not a problem", "так, не
// проти") may start a new thought, so the reply is mixed: asked again.
func readYesNo(w *yesNoWords, body string) yesNoReading {
	toks := answerTokens(ClipRunes(body, MaxBodyRunes))
	type span struct{ from, to int }
	var yeses []span
	// noish[i]: toks[i] is a negation or part of a NO phrase; neg[i]: it
	// is a negation word no phrase took.
	noish, neg := make([]bool, len(toks)), make([]bool, len(toks))
	var r yesNoReading
	next := 0 // the index of the token scan is at: it walks left to right
	w.table.scan(toks, func(v yesNoAnswer, from, to int) {
		next = to
		if to-from == 1 && len(toks) > 1 && utf8.RuneCountInString(toks[from]) == 1 {
			// A lone letter ("y", "n") is a yes or no only as the whole
			// reply: among other words it is a letter of something else
			// (a postcode spelt out, "K Y 1 2 A B").
			return
		}
		switch v {
		case answerYes:
			yeses = append(yeses, span{from, to})
		case answerNo:
			r.no, r.negation = true, true
			for i := from; i < to; i++ {
				noish[i] = true
			}
		case answerUnsure:
			r.unsure = true
		case answerAgree:
			r.agree = true
		}
	}, func(tok string) {
		i := next
		next++
		switch {
		case w.negation[tok]:
			noish[i], neg[i], r.negation = true, true, true
		case isStretchedWord(tok, "yes"): // "yesss"
			yeses = append(yeses, span{i, i + 1})
		case isStretchedWord(tok, "no"): // "noooo"
			r.no, r.negation, noish[i] = true, true, true
		}
	})
	negAt := func(i int) bool { return i >= 0 && i < len(toks) && neg[i] }
	for _, y := range yeses {
		switch {
		case negAt(y.from-1) || negAt(y.from-2):
			r.no = true
		case negAt(y.to) && !slices.Contains(noish[y.to:], false):
			r.no = true // "absolutely not", "of course not, no"
		case negAt(y.to):
			r.yes, r.no = true, true // "yes, not a problem": mixed
		default:
			r.yes = true
		}
	}
	return r
}

// answer is the reading as the answer to an ordinary yes/no question. A
// reply with both a yes and a no in it, or neither, is a miss (0), and
// so is one that says yes and also negates a yes ("ok, not ok"), and one
// that agrees ("no problem") with no yes beside it (answerAgree). Unsure
// replies ("not sure", "no idea") come back as answerUnsure when nothing
// else decides them.
func (r yesNoReading) answer() yesNoAnswer {
	switch {
	case r.unsure:
		return answerUnsure
	case r.yes && !r.no:
		return answerYes
	case r.no && !r.yes && !r.agree:
		return answerNo
	}
	return 0
}

// consent is the reading as the answer to the consent question, where a
// wrong yes shares someone's details: only a yes with no negation or no
// anywhere in the reply is a yes ("yes, but don't share it" is asked
// again), and so is agreeing ("no problem", answerAgree) alone; a
// refusal is a no; anything else, unsure included, is a miss.
func (r yesNoReading) consent() yesNoAnswer {
	switch a := r.answer(); {
	case a == answerYes && !r.negation:
		return answerYes
	case a == 0 && r.agree && !r.yes && !r.no && !r.negation:
		return answerYes
	case a == answerNo:
		return answerNo
	}
	return 0
}

// parseYesNo reads an English yes/no reply; see parseYesNoIn.
func parseYesNo(body string) yesNoAnswer { return parseYesNoIn(yesNoTable, body) }

// parseYesNoIn reads a yes/no reply with a language's words (English's
// and the language's own): "y", "Yeah!", "yes please", "no thanks",
// "nope", "aye", "tak", and a negated yes-word as a no ("absolutely
// not", "не так"). See yesNoReading.answer.
func parseYesNoIn(w *yesNoWords, body string) yesNoAnswer { return readYesNo(w, body).answer() }

// isStretchedWord reports whether tok is word with letters repeated ("yesss").
func isStretchedWord(tok, word string) bool {
	i := 0
	for _, r := range tok {
		switch {
		case i < len(word) && r == rune(word[i]):
			i++
		case i > 0 && r == rune(word[i-1]):
		default:
			return false
		}
	}
	return i == len(word)
}

// contactWords are the yes/no words read for "has the agency contacted
// you?": the language's, with "not yet" a no rather than unsure (to this
// question it says they have not been contacted).
func contactWords(w *yesNoWords) *yesNoWords {
	t := &phraseTable[yesNoAnswer]{}
	t.add("not yet", answerNo) // first: of phrases as long, the first added wins
	for _, e := range w.table.entries {
		t.addPhrase(e.p, e.v)
	}
	return &yesNoWords{table: t, negation: w.negation}
}
