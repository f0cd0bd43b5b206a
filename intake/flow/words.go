package flow

import (
	"errors"
	"fmt"
	"strings"

	"github.com/onward-network/onward/core/lang"
)

// sharedWords are the words Onward recognises whatever language a
// conversation is in: keywords and crisis phrases of every shipped
// language at once, since a client may text "СТОП" before choosing a
// language, or write in Polish to the English flow. Each language's words
// are in its message file ([sms_words] stop, start, help, restart, withdraw,
// crisis, self_harm), added to the English ones in Go (the carriers'
// keywords, crisisPhrases), so every channel reads them from one place.
type sharedWords struct {
	keywords map[string]Keyword // a whole message's tokens, space-joined
	crisis   *phraseTable[crisisKind]
}

// keywordIDs are the message ids of each keyword's words.
var keywordIDs = []struct {
	id string
	k  Keyword
}{
	{"sms_words.stop", KeywordStop}, {"sms_words.start", KeywordStart}, {"sms_words.help", KeywordHelp},
	{"sms_words.restart", KeywordRestart}, {"sms_words.withdraw", KeywordWithdraw},
}

// loadSharedWords builds the tables from the English words and every
// language's own, refusing a keyword that means two things (a keyword in
// one language and another keyword elsewhere) or that is also a yes, no or
// "not sure" answer or a language's name in its own language, which would
// stop a client answering a question with it.
func loadSharedWords(cat *lang.Catalogue) (*sharedWords, error) {
	w := &sharedWords{keywords: map[string]Keyword{}, crisis: &phraseTable[crisisKind]{}}
	var errs []error
	add := func(word string, k Keyword, where string) {
		key := strings.Join(answerTokens(word), " ")
		if key == "" {
			return
		}
		if have, ok := w.keywords[key]; ok && have != k {
			errs = append(errs, fmt.Errorf("%s: keyword %q is already %s", where, word, have))
			return
		}
		w.keywords[key] = k
	}
	for word, k := range keywordWords {
		add(word, k, "English")
	}
	for _, group := range crisisPhrases {
		for _, p := range group.phrases {
			w.crisis.add(p, group.kind)
		}
	}
	for _, l := range cat.Languages() {
		yn, _ := wordTables(cat, l.Code)
		for _, ki := range keywordIDs {
			for _, word := range lang.List(cat.Own(l.Code, ki.id)) {
				if parseYesNoIn(yn, word) != 0 {
					errs = append(errs, fmt.Errorf("%s: %s %q is also a yes or no answer", l.English, ki.id, word))
					continue
				}
				for _, other := range cat.Languages() {
					if strings.EqualFold(other.Name, word) || containsFold(other.Switch, word) {
						errs = append(errs, fmt.Errorf("%s: %s %q switches to %s", l.English, ki.id, word, other.English))
					}
				}
				add(word, ki.k, l.English)
			}
		}
		for _, c := range []struct {
			id   string
			kind crisisKind
		}{{"sms_words.crisis", crisisHardship}, {"sms_words.self_harm", crisisSelfHarm}} {
			for _, p := range lang.List(cat.Own(l.Code, c.id)) {
				w.crisis.add(p, c.kind)
			}
		}
	}
	if err := errors.Join(errs...); err != nil {
		return nil, fmt.Errorf("keywords: %w", err)
	}
	return w, nil
}

func containsFold(list []string, s string) bool {
	for _, x := range list {
		if strings.EqualFold(x, s) {
			return true
		}
	}
	return false
}

// maxKeywordRunes bounds what is looked up as a keyword: a message
// longer than any keyword is an answer.
const maxKeywordRunes = 40

// Keyword reports which keyword body is, in any shipped language. Only a
// lone keyword counts, in any case, with surrounding spaces, punctuation
// and emoji ignored ("Stop.", " pomoc? "): that is how carriers read
// opt-outs, and it stops a sentence like "I can't stop worrying about
// rent" ending a referral. The English keywords always work, as carriers
// require.
func (f *Flow) Keyword(body string) Keyword {
	if len([]rune(body)) > maxKeywordRunes {
		return KeywordNone
	}
	if f.words == nil {
		return DetectKeyword(body)
	}
	return f.words.keywords[strings.Join(answerTokens(body), " ")]
}

// DetectCrisis is the package's DetectCrisis with every shipped
// language's crisis words ([sms_words] crisis and self_harm) as well as the
// English ones.
func (f *Flow) DetectCrisis(text string) CrisisSignal {
	if f.words == nil {
		return DetectCrisis(text)
	}
	return detectCrisisIn(f.words.crisis, text)
}
