package flow

import (
	"slices"
	"strings"
	"testing"

	"github.com/onward-network/onward/core"
	"github.com/onward-network/onward/core/lang"
)

// TestAnswerForALaterQuestionIsKept: a black-box review's "evening" to
// "how would you like an adviser to get in touch?" was dropped, and the
// client's next reply landed on the wrong question. A later question's
// choice named plainly is kept, said so, and the question asked again
// with no miss; the later question is then not asked. A catch-all ("any
// time", "either") or a number is not kept: it is a miss, as before.
func TestAnswerForALaterQuestionIsKept(t *testing.T) {
	f := loadSelfReferralFlow(t)
	for _, c := range []struct{ code, step, early, then, time, next string }{
		{lang.English, "contact_method", "evening", "1", "evening", "consent"},
		{lang.English, "contact_method", "mornings are best", "text", "morning", "consent"},
		{"pl", "interpreter", "wieczorem po 18", "nie", "evening", "consent"},
		{"pl", "contact_method", "rano", "1", "morning", "interpreter"}, // then the interpreter question, asked in Polish
	} {
		g := f.In(c.code)
		in := Conversation{Flow: f.ID, Lang: c.code, Step: c.step, Started: convTestStart,
			Answers: Answers{Language: c.code, Needs: []core.Need{core.NeedDebt}, Postcode: "KY1 1AB", District: "KY1", Name: "Ewa"}}
		got, r := g.Advance(in, c.early)
		question := g.steps[c.step].prompt
		if got.Step != c.step || got.Misses != 0 || got.Answers.ContactTime != c.time ||
			!slices.Equal(r.Templates, []string{g.Messages.AnswerKept, question}) {
			t.Errorf("%s %q at %s: at %s misses %d time %q %v; want the time kept, said, and %s again",
				c.code, c.early, c.step, got.Step, got.Misses, got.Answers.ContactTime, r.Templates, question)
			continue
		}
		if texts := renderReply(t, g, r); !strings.Contains(texts[0], g.steps["contact_time"].choices[slices.Index(g.steps["contact_time"].parser.values, c.time)].Label) {
			t.Errorf("%s %q: %q does not say which was kept", c.code, c.early, texts[0])
		}
		got, _ = g.Advance(got, c.then)
		if got.Step != c.next {
			t.Errorf("%s then %q: at %s, want %s", c.code, c.then, got.Step, c.next)
		}
		if got.Step == "interpreter" {
			got, _ = g.Advance(got, "nie")
		}
		if got.Step != "consent" || got.Answers.ContactTime != c.time || got.Answers.Outcomes["contact_time"] != c.time {
			t.Errorf("%s then %q: at %s, time %q outcomes %v; want the time question skipped, at consent",
				c.code, c.then, got.Step, got.Answers.ContactTime, got.Answers.Outcomes)
		}
	}
	for _, in := range []string{"either", "any time", "dont mind", "3", "no idea"} {
		got, r := f.Advance(Conversation{Flow: f.ID, Lang: lang.English, Step: "contact_method"}, in)
		if got.Answers.ContactTime != "" || got.Misses != 1 || slices.Contains(r.Templates, f.Messages.AnswerKept) {
			t.Errorf("%q at contact_method: time %q misses %d %v; want a miss, nothing kept", in, got.Answers.ContactTime, got.Misses, r.Templates)
		}
	}
}

// TestPolishCopyIsNeutral: the Polish copy speaks to every client, not
// only men (a black-box review: "Nie musisz radzić sobie sam", "Ponieważ
// napisałeś"), and the check page's "Zmień" links read as Polish: the
// label lower-cased is its object ("Zmień tłumacz" was not).
func TestPolishCopyIsNeutral(t *testing.T) {
	cat := loadSelfReferralFlow(t).Catalogue()
	masculine := []string{"radzić sobie sam", "napisałeś", "będziesz gotowy", "Powinieneś", "jesteś zadowolony", "się zgodziłeś"}
	for _, id := range cat.IDs(lang.English) {
		text := cat.Text("pl", id)
		for _, m := range masculine {
			if strings.Contains(text, m) {
				t.Errorf("pl %s speaks to a man only (%q): %s", id, m, text)
			}
		}
	}
	change := cat.Text("pl", "web.check.change")
	for _, id := range []string{"flow.interpreter.label", "flow.contact_time.label", "flow.consent.label"} {
		link := strings.ToLower(change + " " + cat.Text("pl", id))
		for _, bad := range []string{"zmień tłumacz", "zmień najlepsza", "zmień przekazanie twoich"} {
			if link == bad || strings.HasPrefix(link, bad+" ") {
				t.Errorf("check page link %q is no Polish", link)
			}
		}
	}
}
