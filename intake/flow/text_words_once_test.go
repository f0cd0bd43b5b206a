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
// now made once, with the flow, so a text in any language allocates about
// what the same text in English does.
func TestTextWordsAreMadeOnceAFlow(t *testing.T) {
	f := loadSelfReferralFlow(t)
	at := func(code, step string) Conversation {
		return Conversation{Flow: f.ID, Lang: code, Step: step, Answers: Answers{Language: code, Needs: []core.Need{core.NeedDebt}}}
	}
	allocs := func(g *Flow, step, body string) float64 {
		return testing.AllocsPerRun(20, func() { g.Advance(at(g.Lang, step), body) })
	}
	for _, c := range []struct{ step, body string }{{"needs", "1 3"}, {"name", "Ailsa Fictional"}} {
		english := allocs(f, c.step, c.body)
		for _, l := range f.Catalogue().Languages() {
			g := f.In(l.Code)
			if l.Code == lang.English {
				continue
			}
			if g.textWords() != g.textWords() || g.textWords() == englishTextWords {
				t.Fatalf("%s: the words around an answer are made on every call, or are English's alone", l.Code)
			}
			if got := allocs(g, c.step, c.body); got > 2*english+50 {
				t.Errorf("%q at %s in %s: %.0f allocations, against English's %.0f", c.body, c.step, l.Code, got, english)
			}
		}
	}
}
