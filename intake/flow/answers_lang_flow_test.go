package flow

import (
	"slices"
	"testing"

	"github.com/onward-network/onward/core"
)

// What a Polish client texts reaches the answers as they meant it: chatter
// at the name question is asked again, not stored as their name; a lead-in
// goes; a postcode sent with their needs is not asked for again.
func TestPolishConversationKeepsWhatWasMeant(t *testing.T) {
	f := loadSelfReferralFlow(t).In("pl")
	c := Conversation{Step: "needs", Lang: "pl", Answers: Answers{Language: "pl"}}
	say := func(body, wantStep string) {
		t.Helper()
		c, _ = f.Advance(c, body)
		if c.Step != wantStep {
			t.Fatalf("after %q the open question is %s, want %s", body, c.Step, wantStep)
		}
	}
	say("KY1 2AB", "needs") // no need in it: asked again, the postcode kept
	say("Marek Nowak KY3 9ZZ dlugi, eksmisja w piatek", "crisis_food")
	a := c.Answers
	if !slices.Equal(a.Needs, []core.Need{core.NeedDebt, core.NeedHousing}) || a.Postcode != "KY1 2AB" || a.District != "KY1" ||
		a.Outcomes["postcode"] != "postcode" {
		t.Errorf("needs %v postcode %q district %q outcomes %v; want debt and housing, KY1 2AB answered",
			a.Needs, a.Postcode, a.District, a.Outcomes)
	}
	say("nie", "crisis_home")
	say("tak", "name")
	say("halo, jestem z powrotem, sorry", "name")
	if c.Answers.Name != "" || c.Misses != 1 {
		t.Errorf("chatter taken: name %q misses %d", c.Answers.Name, c.Misses)
	}
	say("mam na imie Marek", "contact_method")
	if c.Answers.Name != "Marek" {
		t.Errorf("name %q, want Marek", c.Answers.Name)
	}
}

// The needs question with a postcode in it, then the postcode question
// skipped, by text; a client who gave none is asked for it.
func TestPostcodeGivenWithNeedsIsNotAskedAgain(t *testing.T) {
	f := loadSelfReferralFlow(t)
	for _, c := range []struct{ lang, in, step string }{
		{"pl", "Marek Nowak KY1 2AB dlugi, eksmisja w piatek", "crisis_food"},
		{"en", "debt, I'm at KY1 2AB", "crisis_food"},
		{"ar", "ديون KY١ ٢AB", "crisis_food"},
		{"pl", "dlugi", "postcode"},
		{"pl", "dlugi, KY1", "postcode"}, // a district is no full answer here
	} {
		got, _ := f.In(c.lang).Advance(Conversation{Step: "needs", Lang: c.lang, Answers: Answers{Language: c.lang}}, c.in)
		if got.Step != c.step {
			t.Errorf("%s %q: open question %s, want %s", c.lang, c.in, got.Step, c.step)
		}
	}
}

// The web form reads a name with the page's language's lead-ins, and
// refuses chatter.
func TestWebNameLeadIns(t *testing.T) {
	f := loadSelfReferralFlow(t)
	for _, c := range []struct{ lang, in, want string }{
		{"pl", "mam na imie Marek", "Marek"},
		{"uk", "Мене звати Олена", "Олена"},
		{"pl", "halo, sorry", ""},
	} {
		a := Answers{Language: c.lang}
		ps := f.In(c.lang).Answer(&a, "name", map[string][]string{"name": {c.in}})
		if a.Name != c.want || (ps == nil) != (c.want != "") {
			t.Errorf("%s %q: name %q problems %v; want %q", c.lang, c.in, a.Name, ps, c.want)
		}
	}
}
