package flow

import (
	"strings"
	"testing"

	"github.com/onward-network/onward/core"
)

// The consent core records is in the language its words were shown in,
// by either channel, whatever language the client chose afterwards;
// answers kept from before that was recorded give the client's language.
func TestSelfReferralConsentInTheLanguageShown(t *testing.T) {
	f := loadSelfReferralFlow(t)
	web := func(shown, after string) Answers {
		a := Answers{Language: shown}
		if ps := f.In(shown).Answer(&a, "consent", map[string][]string{"consent": {"yes"}, "version": {testConsentVersion}}); ps != nil {
			t.Fatalf("consent in %s refused: %+v", shown, ps)
		}
		a.Language = after // switched on "check your answers"
		return a
	}
	sms := func(shown string) Answers {
		g := f.In(shown)
		c, _ := g.Advance(Conversation{Step: "contact_time", Lang: shown, Answers: Answers{Language: shown}}, "4")
		if c.Step != "consent" {
			t.Fatalf("in %s: at %s, want consent", shown, c.Step)
		}
		c, r := g.Advance(c, map[string]string{"pl": "TAK", "uk": "ТАК"}[shown])
		if !r.Done {
			t.Fatalf("in %s: consent not taken: %+v", shown, r)
		}
		return c.Answers
	}
	for _, c := range []struct {
		name                string
		a                   Answers
		consentLang, client string
	}{
		{"web, agreed in Polish, sent in English", web("pl", "en"), "pl", "en"},
		{"web, agreed and sent in Polish", web("pl", "pl"), "pl", "pl"},
		{"web, agreed in English, sent in Ukrainian", web("en", "uk"), "en", "uk"},
		{"sms in Polish", sms("pl"), "pl", "pl"},
		{"sms in Ukrainian", sms("uk"), "uk", "uk"},
		{"answers kept from before", Answers{Language: "uk", ConsentVersion: testConsentVersion}, "uk", "uk"},
	} {
		in := f.SelfReferral(c.a, Origin{Channel: core.ChannelWeb})
		if in.Consent.Language != c.consentLang || in.Consent.WordingVersion != testConsentVersion || in.Client.Language != c.client {
			t.Errorf("%s: consent in %q version %q, client in %q; want %q %q %q", c.name,
				in.Consent.Language, in.Consent.WordingVersion, in.Client.Language, c.consentLang, testConsentVersion, c.client)
		}
	}
}

// Too many words for a name or town, or no letters in it: both channels
// refuse it and say what is wrong (too_many_words or no_letters, not the
// length's invalid) in the same words, the web on the page and a text in
// place of the step's reprompt (review 6: "Anna Maria Jo Lee Ann Smith"
// got "please reply with just your name"). An answer too long in
// characters only is still invalid, and gets the reprompt by text.
func TestTooManyWordsOnBothChannels(t *testing.T) {
	f := loadSelfReferralFlow(t)
	for _, c := range []struct {
		step, body, code string
	}{
		{"name", "a b c d e f", "too_many_words"},
		{"name", "one two three four five six seven eight nine ten eleven twelve", "too_many_words"},
		{"name", strings.Repeat("a", 61), "invalid"},
		{"name", "Anna Maria Jo Lee Ann Smith", "too_many_words"},
		{"name", "12345", "no_letters"},
		{"town", "12", "no_letters"},
		{"name", "a b c d e", ""},
		{"town", "a b c d e f g", "too_many_words"},
		{"town", "a b c d e f", ""},
	} {
		var a Answers
		ps := f.Answer(&a, c.step, map[string][]string{c.step: {c.body}})
		got := ""
		if len(ps) > 0 {
			got = ps[0].Code
			if ps[0].Message != f.Message(c.step, c.code) || ps[0].Message == "" {
				t.Errorf("web %s %q: message %q, want the flow's %s words", c.step, c.body, ps[0].Message, c.code)
			}
		}
		if got != c.code {
			t.Errorf("web %s %q: problem %q, want %q", c.step, c.body, got, c.code)
		}
		conv, r := f.Advance(Conversation{Step: c.step}, c.body)
		taken := conv.Step != c.step
		if taken != (c.code == "") {
			t.Errorf("sms %s %q: taken %v, want %v", c.step, c.body, taken, c.code == "")
		}
		want := f.steps[c.step].reprompt
		if c.code == "too_many_words" || c.code == "no_letters" {
			want = "flow." + c.step + ".errors." + c.code
		}
		if !taken && (len(r.Templates) == 0 || r.Templates[0] != want) {
			t.Errorf("sms %s %q: reply %v, want %s", c.step, c.body, r.Templates, want)
		}
		if !taken && want != f.steps[c.step].reprompt {
			for _, code := range []string{"en", "pl", "ar"} {
				g := f.In(code)
				_, r := g.Advance(Conversation{Step: c.step, Lang: code}, c.body)
				text, err := g.Render(r.Templates[0], r.Data)
				if err != nil || text != g.Message(c.step, c.code) {
					t.Errorf("sms %s %s %q: %q, %v; want the web's words %q", code, c.step, c.body, text, err, g.Message(c.step, c.code))
				}
			}
		}
	}
	if f.Message("name", "too_many_words") == f.Message("name", "invalid") {
		t.Errorf("the name's too_many_words words are its invalid words")
	}
}
