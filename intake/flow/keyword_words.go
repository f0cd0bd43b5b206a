package flow

import (
	"maps"
	"unicode/utf8"

	"github.com/onward-network/onward/core/lang"
)

// The keywords a text names ("reply HELP for help", "reply RESTART to
// start again", "reply CALL and we'll phone you") are named in the
// client's language: a Polish text says "odpisz POMOC", and POMOC is read
// as HELP. The word a language's texts show is the first of its list in
// its message file ([sms_words] help, restart, call), so the word shown
// and a word read are defined in one place; English's are the carriers'
// HELP, RESTART and the flow file's call-back keyword. STOP and START are
// not among them: carriers and Twilio act on the English words alone, so
// every language's texts name those.

// shownKeywords are the keywords texts name, each by its template key,
// the message id of its words in a message file and English's word.
var shownKeywords = []struct{ key, id, english string }{
	{"HelpKeyword", "sms_words.help", "HELP"},
	{"RestartKeyword", "sms_words.restart", "RESTART"},
}

// callbackWordsID is the message id of a language's call-back words: the
// reply that asks for a phone call instead of more questions.
const callbackWordsID = "sms_words.call"

// callbackKey is the template key naming the call-back word.
const callbackKey = "CallbackKeyword"

// keywordKeysIn are the template keys naming the keywords in language
// code; callback is the flow file's call-back word, English's.
func keywordKeysIn(cat *lang.Catalogue, code, callback string) map[string]any {
	shown := func(id, english string) string {
		if words := lang.List(cat.Own(code, id)); len(words) > 0 {
			return words[0]
		}
		return english
	}
	keys := map[string]any{callbackKey: shown(callbackWordsID, callback)}
	for _, k := range shownKeywords {
		keys[k.key] = shown(k.id, k.english)
	}
	return keys
}

// callbackWordsIn are the call-back words read in a conversation in
// language code, by answerKey: English's (the flow file's) and the
// language's own, so "CALL", "ZADZWOŃ" and "zadzwon" all ask for a call
// in Polish.
func callbackWordsIn(cat *lang.Catalogue, code, callback string) map[string]bool {
	words := map[string]bool{}
	for _, w := range append([]string{callback}, lang.List(cat.Own(code, callbackWordsID))...) {
		if key := answerKey(w); key != "" {
			words[key] = true
		}
	}
	return words
}

// KeywordKeys are the template keys naming the keywords in the flow's
// language (HelpKeyword, RestartKeyword, CallbackKeyword): every text
// that names a keyword renders it from these.
func (f *Flow) KeywordKeys() map[string]any { return maps.Clone(f.keywordKeys) }

// isCallbackWord reports whether body is the call-back word alone, in
// English or the flow's language, in any case, with or without accents.
func (f *Flow) isCallbackWord(body string) bool {
	if utf8.RuneCountInString(body) > maxKeywordRunes {
		return false
	}
	return f.callbackWords[answerKey(body)]
}

// ownCallbackWords are the flow's language's own call-back words, from its
// message file (none for English, whose word is CallbackKeyword).
func (f *Flow) ownCallbackWords() []string {
	return lang.List(f.cat.Own(f.Lang, callbackWordsID))
}
