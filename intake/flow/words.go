package flow

import (
	"errors"
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/onward-network/onward/core/lang"
)

// sharedWords are the words Onward recognises whatever language a
// conversation is in: keywords and crisis phrases of every shipped
// language at once, since a client may text "СТОП" before choosing a
// language, or write in Polish to the English flow. Each language's words
// are in its message file ([sms_words] stop, start, help, restart, withdraw,
// crisis, self_harm, fillers; [language] name and switch), added to the
// English ones in Go (the carriers' keywords, crisisPhrases,
// crisisFillers), so every channel reads them from one place. Every table
// is keyed by answerTokens, the one way a client's words are read.
type sharedWords struct {
	keywords map[string]keywordWord // by a whole message's tokens, space-joined
	// languages are the languages' own names and switch words ([language]
	// name and switch), by their tokens space-joined like keywords, so
	// "اُردو", "العَرَبِيَّة", "العربيه" and "Gaidhlig" name a language as
	// "اردو", "العربية" and "Gàidhlig" do.
	languages map[string]string
	crisis    *crisisMatcher
	// answers are every language's answer words, each with the
	// languages that list it (answerWordLangs); nil until the family is
	// built.
	answers *phraseTable[[]string]
	// shortAsks are each language's whole-message asks ("please stop",
	// "who is this?": short_asks.go), by code.
	shortAsks map[string]*shortAskTables
}

// keywordWord is what a keyword means and whose it is: the language code
// of the one language that has it, or "" for a word several share
// ("STOP" is English's and Polish's).
type keywordWord struct {
	k    Keyword
	lang string
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
// language's own. Where a word is listed for two keywords the first
// keeps it; checkKeywords, run once the flow has its tables, refuses it.
func loadSharedWords(cat *lang.Catalogue) *sharedWords {
	w := &sharedWords{keywords: map[string]keywordWord{}, languages: map[string]string{}, crisis: newCrisisMatcher(),
		shortAsks: map[string]*shortAskTables{}}
	for _, l := range cat.Languages() {
		w.shortAsks[l.Code] = newShortAskTables(cat, l.Code)
	}
	for _, l := range cat.Languages() {
		for _, name := range append([]string{l.Name}, l.Switch...) {
			key := answerKey(name)
			if _, taken := w.languages[key]; !taken && key != "" {
				w.languages[key] = l.Code // where two share a word, the one offered first
			}
		}
	}
	add := func(word string, k Keyword, code string) {
		key := answerKey(word)
		if key == "" {
			return
		}
		have, ok := w.keywords[key]
		switch {
		case !ok:
			w.keywords[key] = keywordWord{k: k, lang: code}
		case have.k == k && have.lang != code:
			w.keywords[key] = keywordWord{k: k} // shared by two languages: it shows neither
		}
	}
	for word, k := range keywordWords {
		add(word, k, lang.English)
	}
	for _, l := range cat.Languages() {
		for _, ki := range keywordIDs {
			for _, word := range lang.List(cat.Own(l.Code, ki.id)) {
				add(word, ki.k, l.Code)
			}
		}
		for _, c := range []struct {
			id   string
			kind crisisKind
		}{{"sms_words.crisis", crisisHardship}, {"sms_words.danger", crisisDanger}, {"sms_words.self_harm", crisisSelfHarm}} {
			for _, p := range lang.List(cat.Own(l.Code, c.id)) {
				w.crisis.add(p, c.kind, l.Code)
			}
		}
		w.crisis.addBetween(lang.List(cat.Own(l.Code, "sms_words.fillers"))...)
	}
	return w
}

// checkKeywords refuses a keyword in a message file that means something
// else to a client (KeywordClash): another keyword, a yes, no or "not
// sure" answer, or a language's name, in any language, since every
// language's keywords are read in every conversation. f is the loaded
// flow, with its shared words.
func checkKeywords(f *Flow) error {
	var errs []error
	for _, l := range f.cat.Languages() {
		for _, ki := range keywordIDs {
			for _, word := range lang.List(f.cat.Own(l.Code, ki.id)) {
				if what := f.KeywordClash(word, ki.k); what != "" {
					errs = append(errs, fmt.Errorf("%s: %s %q is already %s", l.English, ki.id, word, what))
				}
			}
		}
		for _, word := range f.In(l.Code).ownCallbackWords() {
			if what := f.CallbackClash(word); what != "" {
				errs = append(errs, fmt.Errorf("%s: %s %q is already %s", l.English, callbackWordsID, word, what))
			}
		}
	}
	if err := errors.Join(errs...); err != nil {
		return fmt.Errorf("keywords: %w", err)
	}
	return nil
}

// KeywordClash says what word already means to a client texting Onward
// besides keyword k, read by the conversation's own tables in every
// shipped language: another keyword ("the STOP keyword"), a language's
// name ("the name of a language (Polish)"), or an answer to a question
// ("a yes or no answer in Ukrainian"); "" when nothing. A keyword that
// means something else would set itself off when a client meant that
// (their YES would stop their texts). It is the one check of a keyword:
// the message files' keywords at load, and a network's withdraw keyword
// (core's SetDataProtection, with k KeywordWithdraw, so a translation of
// the withdraw keyword is no clash).
func (f *Flow) KeywordClash(word string, k Keyword) string {
	return f.clash(word, k, false)
}

// CallbackClash is KeywordClash for a call-back word ([sms_words] call):
// any keyword is a clash, and so is an answer to a question, but for the
// choice a call-back records ("ZADZWOŃ" to "text, call or email?" is the
// call it asks for either way).
func (f *Flow) CallbackClash(word string) string {
	return f.clash(word, KeywordNone, true)
}

// clash is KeywordClash for keyword k, or for a call-back word when
// callback is set.
func (f *Flow) clash(word string, k Keyword, callback bool) string {
	if have := f.Keyword(word); have != KeywordNone && have != k {
		return "the " + strings.ToUpper(have.String()) + " keyword"
	}
	if !callback {
		for _, l := range f.cat.Languages() {
			if f.In(l.Code).isCallbackWord(word) {
				return "the call-back word in " + l.English
			}
		}
	}
	if code, ok := f.DetectLanguage(word); ok {
		l, _ := f.cat.Language(code)
		return "the name of a language (" + l.English + ")"
	}
	for _, l := range f.cat.Languages() {
		switch parseYesNoIn(f.In(l.Code).yesNo, word) {
		case answerYes, answerNo:
			return "a yes or no answer in " + l.English
		case answerUnsure:
			return `a "not sure" answer in ` + l.English
		}
	}
	for _, l := range f.cat.Languages() {
		if what := f.In(l.Code).answerTo(word, callback); what != "" {
			return what + " in " + l.English
		}
	}
	return ""
}

// answerTo says which question of the flow's language word answers,
// being one choice's words alone ("an answer to the needs question":
// choiceParser.named), or that it skips one or says "I don't know"; ""
// when none. Free-text questions (a name, a town) take
// almost any word and are left out: a keyword comes before them by
// design. With callback set, the call-back's own choice (callback's
// contact_method) is no clash.
func (f *Flow) answerTo(word string, callback bool) string {
	for _, id := range f.order {
		st := f.steps[id]
		switch st.kind {
		case AnswerChoiceMulti, AnswerChoiceOne:
			values, ok := st.parser.named(word)
			if ok && !(callback && st.field == "contact_method" && len(values) == 1 && values[0] == f.callbackSet) {
				return "an answer to the " + st.id + " question"
			}
		case AnswerPostcodeOrUnknown, AnswerTown:
			if saysUnknownIn(f.unknownWords, word) {
				return `a "don't know" answer to the ` + st.id + " question"
			}
		}
	}
	if f.Skips(word) {
		return "a skip of a question"
	}
	return ""
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
	return f.words.keywords[answerKey(body)].k
}

// KeywordLanguage reports which language body is a keyword of, when it
// is one language's alone ("POMOC" is Polish, "СТОП" Ukrainian, "STOP"
// English's and Polish's and so neither): a client whose first text is a
// keyword is answered in its language.
func (f *Flow) KeywordLanguage(body string) (code string, ok bool) {
	if f.words == nil || len([]rune(body)) > maxKeywordRunes {
		return "", false
	}
	kw := f.words.keywords[answerKey(body)]
	return kw.lang, kw.k != KeywordNone && kw.lang != ""
}

// DetectLanguage reports which language body names, alone (with spaces,
// punctuation and emoji ignored, any case, read as answerTokens reads
// every answer): "POLSKI", "Українська мова", "العربية" or "العَرَبِيَّة",
// "اُردو". A language's name inside a sentence is not a switch.
func (f *Flow) DetectLanguage(body string) (code string, ok bool) {
	if utf8.RuneCountInString(body) > maxKeywordRunes {
		return "", false
	}
	if f.words == nil {
		word := strings.ToUpper(strings.TrimFunc(body, func(r rune) bool {
			return !unicode.IsLetter(r) && !unicode.IsDigit(r) && !unicode.Is(unicode.Mn, r)
		}))
		return f.cat.Named(word)
	}
	code, ok = f.words.languages[answerKey(body)]
	return code, ok
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
