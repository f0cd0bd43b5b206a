package flow

import (
	"slices"
	"strings"
	"testing"

	"github.com/onward-network/onward/core/lang"
	"github.com/onward-network/onward/templates"
)

// TestKeywordsAreNoAnswers: in every language, no keyword a client can
// text (STOP, START, HELP, RESTART, withdraw, and the call-back word) is
// a word its message file lists as an answer: a yes, no or "not sure"
// word, a "don't know", a skip, or a choice's label or synonym (a need's
// name, "text", "morning"). A keyword comes before the conversation, so
// such a word would never reach the question it answers. The call-back
// word may be the call choice's own word: either way a call is asked for.
// The oracle is the message files' lists themselves, not the load check
// (KeywordClash), which this pins from outside.
func TestKeywordsAreNoAnswers(t *testing.T) {
	f, err := LoadFlow(templates.FS, "self_referral")
	if err != nil {
		t.Fatal(err)
	}
	cat := f.Catalogue()
	for _, l := range cat.Languages() {
		answers := map[string]string{} // answerKey → the message id listing it
		addAnswers := func(id string, words []string) {
			for _, w := range words {
				answers[answerKey(strings.TrimSuffix(w, "*"))] = id
			}
		}
		for _, id := range cat.IDs(l.Code) {
			choice := strings.HasPrefix(id, "flow.") && strings.Contains(id, ".choices.") &&
				(strings.HasSuffix(id, ".label") || strings.HasSuffix(id, ".synonyms"))
			if choice || slices.Contains([]string{"words.yes", "words.no", "words.unsure", "words.agree", "words.unknown", "words.skip"}, id) {
				addAnswers(id, lang.List(cat.Own(l.Code, id)))
			}
		}
		keywords := map[string]string{} // word → the message id listing it
		for _, id := range []string{"sms_words.stop", "sms_words.start", "sms_words.help", "sms_words.restart", "sms_words.withdraw", callbackWordsID} {
			for _, w := range lang.List(cat.Own(l.Code, id)) {
				keywords[w] = id
			}
		}
		if l.Code == lang.English {
			addAnswers("englishSkips", englishSkips)
			for w := range keywordWords {
				keywords[w] = "keywordWords"
			}
			keywords[f.CallbackKeyword] = callbackWordsID
		}
		if len(answers) < 20 || len(keywords) < 4 {
			t.Fatalf("%s: %d answer words and %d keywords read; the message ids have moved", l.English, len(answers), len(keywords))
		}
		for word, kid := range keywords {
			id, clash := answers[answerKey(word)]
			if clash && !(kid == callbackWordsID && strings.HasPrefix(id, "flow.contact_method.choices.call.")) {
				t.Errorf("%s: keyword %q (%s) is an answer (%s): it would never reach its question", l.English, word, kid, id)
			}
		}
	}
}
