package flow

import (
	"testing"

	"github.com/onward-network/onward/core"
	"github.com/onward-network/onward/core/lang"
)

// Found by the Polish SMS benchmark: every text in a language other than
// English built that language's words around an answer afresh (lead-ins,
// tails, chatter, words of no name: a few hundred phrase tables), since
// the short asks (stopsAlone, asksWho) read their chatter on every text.
// A Polish text cost three times the CPU of an English one. The words are
// now made once, with the flow, so a text in any language, at any
// question, allocates about what the same text in English does.
func TestTextWordsAreMadeOnceAFlow(t *testing.T) {
	f := loadSelfReferralFlow(t)
	at := func(code, step string) Conversation {
		return Conversation{Flow: f.ID, Lang: code, Step: step, Answers: Answers{Language: code, Needs: []core.Need{core.NeedDebt}}}
	}
	allocs := func(g *Flow, step, body string) float64 {
		return testing.AllocsPerRun(20, func() { g.Advance(at(g.Lang, step), body) })
	}
	for _, l := range f.Catalogue().Languages() {
		if g := f.In(l.Code); l.Code != lang.English && (g.textWords() != g.textWords() || g.textWords() == englishTextWords) {
			t.Fatalf("%s: the words around an answer are made on every call, or are English's alone", l.Code)
		}
	}
	// Every question, with a choice's number and with a name.
	for step := range f.steps {
		for _, body := range []string{"1 3", "Ailsa Fictional"} {
			english := allocs(f, step, body)
			for _, l := range f.Catalogue().Languages() {
				if l.Code == lang.English {
					continue
				}
				if got := allocs(f.In(l.Code), step, body); got > 2*english+50 {
					t.Errorf("%q at %s in %s: %.0f allocations, against English's %.0f", body, step, l.Code, got, english)
				}
			}
		}
	}
}
