package flow

import (
	"strings"
	"unicode"

	"github.com/onward-network/onward/core/lang"
)

// sharedAcronyms are the English needs' acronyms that are everyday words
// in another language Onward offers: "dla" (Disability Living Allowance)
// is Polish for "for", and "esa" (Employment and Support Allowance) is
// Roman Urdu for "such". A black-box review's "nie mam jedzenia dla
// dzieci" (no food for the children) was answered in English and read as
// Benefits. The rule, the one place it is kept:
//
//   - such a word never says a text is English (answerWordLangs leaves
//     it out of English's words);
//   - in lower case it names a need only in reply to the needs question
//     asked in English; anywhere else (a first text, a conversation in
//     another language) only in capitals: DLA, ESA.
//
// The benefits' other acronyms (pip, uc, adp, jsa, ccj, dwp) are no word
// in the languages offered, and are read as before. A language added
// later checks the English acronyms against its own words here.
var sharedAcronyms = map[string]bool{"dla": true, "esa": true}

// capsOnlyIn are the synonyms a needs question in language code reads
// only in capitals (sharedAcronyms): none in English, every shared
// acronym in the others, whose conversations read English's synonyms too.
func capsOnlyIn(code string) map[string]bool {
	if code == lang.English {
		return nil
	}
	return sharedAcronyms
}

// capsWords are the words of body written in capitals, two letters or
// more ("DLA", "ESA"), by answerKey: a shared acronym in them was meant
// as one. A text all in capitals ("NIE MAM JEDZENIA DLA DZIECI") has none:
// its capitals single nothing out.
func capsWords(body string) map[string]bool {
	body = ClipRunes(body, MaxBodyRunes)
	if !strings.ContainsFunc(body, unicode.IsLower) {
		return nil
	}
	var out map[string]bool
	for _, w := range strings.FieldsFunc(body, func(r rune) bool { return !unicode.IsLetter(r) }) {
		if len([]rune(w)) < 2 || strings.ToUpper(w) != w || strings.ToLower(w) == w {
			continue
		}
		if out == nil {
			out = map[string]bool{}
		}
		out[answerKey(w)] = true
	}
	return out
}

// weakAcronym reports whether words, a match of a needs synonym, are a
// shared acronym that counts only in capitals (set: the words of the
// question's language that do; nil for none) and caps, body's capitals,
// lack it.
func weakAcronym(words []string, set, caps map[string]bool) bool {
	return len(words) == 1 && set[words[0]] && !caps[words[0]]
}
