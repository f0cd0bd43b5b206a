package flow

import "testing"

// A reply that holds the words of exactly one choice is that choice,
// whatever else it says: "wieczorem po 18" ("evening, after 6") was asked
// again while "wieczorem" was taken.
func TestChoiceWithAFewMoreWords(t *testing.T) {
	f := loadSelfReferralFlow(t)
	cases := []struct {
		lang, step, in, want string // want "": asked again
	}{
		{"pl", "contact_time", "wieczorem", "evening"},
		{"pl", "contact_time", "wieczorem po 18", "evening"},
		{"pl", "contact_time", "rano, przed 9", "morning"},
		{"pl", "contact_time", "najlepiej wieczorem po 18:30", "evening"},
		{"en", "contact_time", "evening after 6", "evening"},
		{"en", "contact_time", "mornings before 10 please", "morning"},
		{"uk", "contact_method", "зателефонуйте після 18", "call"},
		// Still asked again: two choices, or a number that is a choice too.
		{"pl", "contact_time", "rano albo wieczorem po 18", ""},
		{"pl", "contact_time", "wieczorem 1", ""},
		{"pl", "contact_time", "po 18", ""},
		{"en", "contact_time", "before 10am or after 6pm", ""},
		{"en", "contact_time", "5", ""},
	}
	for _, c := range cases {
		g := f.In(c.lang)
		got, _ := g.Advance(Conversation{Step: c.step, Lang: c.lang, Answers: Answers{Language: c.lang}}, c.in)
		value := got.Answers.ContactMethod + got.Answers.ContactTime
		if value != c.want || (c.want == "") != (got.Step == c.step) {
			t.Errorf("%s %s %q: value %q step %s; want %q", c.lang, c.step, c.in, value, got.Step, c.want)
		}
	}
}

// The needs question reads the same rule: one need's words and an amount
// or a date are that need.
func TestNeedsWithAFewMoreWords(t *testing.T) {
	f := loadSelfReferralFlow(t)
	p := f.In("pl").steps["needs"].parser
	for in, want := range map[string]string{
		"dlug 1500 funtow":     "debt",
		"eksmisja w piatek 12": "housing",
		"dlug, 15 rat":         "debt",
	} {
		values, ok := p.parse(in)
		got := ""
		for i, v := range values {
			if i > 0 {
				got += ","
			}
			got += v
		}
		if !ok || got != want {
			t.Errorf("needs %q = %q, %v; want %q", in, got, ok, want)
		}
	}
}
