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
// "nope"); ok is false when it is neither, or unsure.
func (f *Flow) YesNo(body string) (yes, ok bool) {
	switch parseYesNoIn(f.yesNo, body) {
	case answerYes:
		return true, true
	case answerNo:
		return false, true
	}
	return false, false
}

// englishSkips are the replies that skip an optional question in any
// language; a language adds its own (words.skip in its message file).
var englishSkips = []string{"skip", "pass", "no", "none", "nothing", "no thanks", "no thank you", "n a", "na", "nope",
	"please", "thanks", "thank you"}

// Skips reports whether a reply skips an optional question ("SKIP",
// "no thanks", "pomiń").
func (f *Flow) Skips(body string) bool {
	t := &phraseTable[bool]{}
	for _, s := range englishSkips {
		t.add(s, true)
	}
	if f.cat != nil {
		for _, s := range lang.List(f.cat.Own(f.Lang, "words.skip")) {
			t.add(s, true)
		}
	}
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
