package flow

import (
	"slices"
	"testing"
)

// TestNameRefusesFeelings: a reply to "what is your name?" that says how
// the client feels, or that they would rather not say, is no name (a
// reviewer found "I'm scared" stored as the client's name): the question
// is asked again, kindly, by text and on the web. Real names are taken,
// Scottish, Polish, Arabic and Urdu ones, and names that are also words
// (Hope, Joy, Grace).
func TestNameRefusesFeelings(t *testing.T) {
	f := loadSelfReferralFlow(t)
	for _, c := range []struct {
		lang, in string
		taken    bool
	}{
		{"en", "I'm scared", false}, {"en", "im so scared", false}, {"en", "I am really worried", false},
		{"en", "help me", false}, {"en", "please help", false}, {"en", "not telling", false},
		{"en", "I'd rather not say", false}, {"en", "prefer not to say", false}, {"en", "Sorry, I'm scared", false},
		{"en", "anonymous", false}, {"pl", "I'm scared", false}, {"ur", "not telling", false},
		{"en", "why?", false}, {"en", "Why do you need it?", false}, {"en", "what for", false},
		{"en", "Hope", true}, {"en", "Joy", true}, {"en", "Grace", true}, {"en", "Faith", true},
		{"en", "Ailsa", true}, {"en", "Morag Baird", true}, {"en", "Ruaridh", true}, {"en", "my name is Hope", true},
		{"en", "Hope Scott", true}, {"en", "Lost Property", true},
		{"pl", "Małgorzata", true}, {"pl", "Wojciech Szczęsny", true},
		{"ar", "Ahmed Khan", true}, {"ar", "ليلى", true}, {"ur", "Ahmed Khan", true}, {"ur", "فاطمہ", true},
	} {
		conv, r := f.In(c.lang).Advance(Conversation{Flow: f.ID, Step: "name", Lang: c.lang}, c.in)
		taken := conv.Step != "name"
		if taken != c.taken {
			t.Errorf("%s %q as a name: taken %v, want %v (name %q)", c.lang, c.in, taken, c.taken, conv.Answers.Name)
		}
		if !taken && !slices.Contains(r.Templates, f.steps["name"].reprompt) {
			t.Errorf("%s %q as a name: reply %v, want the name asked again", c.lang, c.in, r.Templates)
		}
		var a Answers
		ps := f.In(c.lang).Answer(&a, "name", map[string][]string{"name": {c.in}})
		if c.taken != (len(ps) == 0) || !c.taken && (ps[0].Code != "unclear" || a.Name != "") {
			t.Errorf("%s %q as a name on the web: problems %+v, name %q; taken should be %v", c.lang, c.in, ps, a.Name, c.taken)
		}
	}
}
