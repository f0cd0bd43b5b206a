package flow

import (
	"slices"
	"strings"
	"testing"

	"github.com/onward-network/onward/core"
	"github.com/onward-network/onward/core/lang"
)

// TestPostcodeIsNoNeed: a postcode sent to "what do you need help with?"
// is no choice, though its digits look like one ("KY1 1AB" is not choice
// 1, Debt): the question is asked again. A postcode beside real choices
// leaves the choices (audit A, finding 8).
func TestPostcodeIsNoNeed(t *testing.T) {
	f := loadSelfReferralFlow(t)
	for _, c := range []struct {
		in   string
		want []core.Need // nil: asked again
	}{
		{"KY1 1AB", nil},
		{"ky11ab", nil},
		{"KY11AB", nil},
		{"EH12 5AB", nil},
		{"W1A 1AA", nil},
		{"KY1", nil},
		{"it's KY1 1AB", nil},
		{"debt, KY1 1AB", []core.Need{core.NeedDebt}},
		{"1 3 KY1 1AB", []core.Need{core.NeedDebt, core.NeedIncomeMax}},
		{"1", []core.Need{core.NeedDebt}},
		{"1 3", []core.Need{core.NeedDebt, core.NeedIncomeMax}},
		{"1 and 4", []core.Need{core.NeedDebt, core.NeedHousing}},
	} {
		conv, r := f.Advance(Conversation{Flow: f.ID, Step: "needs", Lang: "en"}, c.in)
		if c.want == nil {
			if conv.Step != "needs" || conv.Answers.Needs != nil || !slices.Equal(r.Templates, []string{f.steps["needs"].reprompt}) {
				t.Errorf("%q to the needs question: step %s, needs %v, reply %v; want it asked again", c.in, conv.Step, conv.Answers.Needs, r.Templates)
			}
			continue
		}
		if !slices.Equal(conv.Answers.Needs, c.want) {
			t.Errorf("%q to the needs question: needs %v, want %v", c.in, conv.Answers.Needs, c.want)
		}
	}
}

// TestNameRefusesAnswerWords: by text, "no", "yes", "skip" and the like
// are no name (an adviser would be told the client is called "No"): the
// name question is asked again. Real names, including ones that start
// like an answer word, are taken (audit A, finding 9).
func TestNameRefusesAnswerWords(t *testing.T) {
	f := loadSelfReferralFlow(t)
	for _, c := range []struct {
		lang, in string
		taken    bool
	}{
		{"en", "no", false}, {"en", "No.", false}, {"en", "yes", false}, {"en", "yes please", false},
		{"en", "skip", false}, {"en", "no thanks", false}, {"en", "not sure", false}, {"en", "nope", false},
		{"en", "HELP", false}, {"en", "none", false},
		{"pl", "nie", false}, {"pl", "pomiń", false}, {"pl", "nie dziękuję", false},
		{"uk", "ні", false}, {"ar", "لا", false}, {"ur", "نہیں", false}, {"gd", "chan eil", false},
		{"en", "Noah", true}, {"en", "Nora", true}, {"en", "Yesenia", true}, {"en", "Sam", true},
		{"en", "Ailsa Fictional", true}, {"pl", "Ania", true}, {"uk", "Оксана", true},
	} {
		conv, r := f.In(c.lang).Advance(Conversation{Flow: f.ID, Step: "name", Lang: c.lang}, c.in)
		taken := conv.Step != "name"
		if taken != c.taken {
			t.Errorf("%s %q as a name: taken %v, want %v (name %q)", c.lang, c.in, taken, c.taken, conv.Answers.Name)
		}
		if !taken && !slices.Contains(r.Templates, f.steps["name"].reprompt) {
			t.Errorf("%s %q as a name: reply %v, want the name asked again", c.lang, c.in, r.Templates)
		}
		// The web form reads a name the same way, and asks for just the
		// name (unclear: something was typed, so not "required").
		var a Answers
		ps := f.In(c.lang).Answer(&a, "name", map[string][]string{"name": {c.in}})
		if c.taken != (len(ps) == 0) || !c.taken && (ps[0].Code != "unclear" || a.Name != "") {
			t.Errorf("%s %q as a name on the web: problems %+v, name %q; taken should be %v", c.lang, c.in, ps, a.Name, c.taken)
		}
	}
}

// TestNoLettersSaysSo: on the web, a name or town with no letters in it
// ("12345") is refused with words that say so, not the length's, in
// every language, each in its own words, never the English (audit A,
// finding 9).
func TestNoLettersSaysSo(t *testing.T) {
	f := loadSelfReferralFlow(t)
	english := map[string]string{}
	for _, step := range []string{"name", "town"} {
		english[step] = f.In(lang.English).Message(step, "no_letters")
	}
	for _, l := range f.Catalogue().Languages() {
		g := f.In(l.Code)
		for _, step := range []string{"name", "town"} {
			if !f.Catalogue().Has(l.Code, "flow."+step+".errors.no_letters") {
				t.Errorf("%s has no flow.%s.errors.no_letters", l.Code, step)
			}
			for _, body := range []string{"12345", "???", "٤٥"} {
				var a Answers
				ps := g.Answer(&a, step, map[string][]string{step: {body}})
				if len(ps) != 1 || ps[0].Code != "no_letters" {
					t.Errorf("%s %s %q: problems %+v, want no_letters", l.Code, step, body, ps)
					continue
				}
				msg := ps[0].Message
				if msg == "" || msg == g.Message(step, "invalid") || l.Code != lang.English && msg == english[step] {
					t.Errorf("%s %s %q: message %q; want the language's own no_letters words", l.Code, step, body, msg)
				}
			}
			// Too long is still the length's message.
			var a Answers
			if ps := g.Answer(&a, step, map[string][]string{step: {strings.Repeat("a", 61)}}); len(ps) != 1 || ps[0].Code != "invalid" {
				t.Errorf("%s %s of 61 letters: problems %+v, want invalid", l.Code, step, ps)
			}
		}
	}
}

// TestTypedAnswerNoNameIsUnclear: on the web, a name or town that was
// typed and fits its length but is no name or town (a greeting, "no",
// words about a crisis) is "unclear", in the message file's words that
// ask for just the name or town; "required" is only for an empty box and
// "invalid", whose words name the length, only for an answer too long.
func TestTypedAnswerNoNameIsUnclear(t *testing.T) {
	f := loadSelfReferralFlow(t)
	for _, c := range []struct{ step, in, code string }{
		{"name", "hi", "unclear"},
		{"name", "no", "unclear"},
		{"name", "hello, sorry", "unclear"},
		{"name", "I have no food at all", "unclear"},
		{"name", "i want to die", "unclear"},
		{"name", "my partner hits me", "unclear"},
		{"town", "hello", "unclear"},
		{"town", "thank you", "unclear"},
		{"name", "   ", "required"},
		{"town", "\t\n", "required"},
		{"name", strings.Repeat("a", 61), "invalid"},
		{"town", strings.Repeat("a", 61), "invalid"},
		// Too long, whatever else is wrong with it.
		{"name", "I have no food at all " + strings.Repeat("a", 60), "invalid"},
	} {
		for _, l := range f.Catalogue().Languages() {
			g := f.In(l.Code)
			var a Answers
			ps := g.Answer(&a, c.step, map[string][]string{c.step: {c.in}})
			if len(ps) != 1 || ps[0].Code != c.code {
				t.Errorf("%s %s %q: problems %+v, want %s", l.Code, c.step, c.in, ps, c.code)
				continue
			}
			want := g.Message(c.step, c.code)
			if c.code == "unclear" {
				want = f.Catalogue().Text(l.Code, "flow."+c.step+".errors.unclear")
			}
			if ps[0].Message == "" || ps[0].Message != want {
				t.Errorf("%s %s %q: message %q, want %q", l.Code, c.step, c.in, ps[0].Message, want)
			}
		}
	}
}
