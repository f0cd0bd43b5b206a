package flow

import (
	"strings"
	"testing"

	"github.com/onward-network/onward/core"
	"github.com/onward-network/onward/core/lang"
)

// A client who said after "Other" that they speak a language Onward has
// no words in, and then chose one it has, no longer needs the other: the
// referral asks for no interpreter in it. The flow's own interpreter
// question, asked in the language chosen, is a separate answer and
// stands.
func TestChooseLanguageAfterOther(t *testing.T) {
	f := loadSelfReferralFlow(t)
	for _, tc := range []struct {
		name    string
		replies []string // from the languages offered to the referral
		lang    string
		wanted  bool // an interpreter, from the flow's own question
	}{
		{"Romanian, then POLSKI, no interpreter", []string{"7", "Romanian", "POLSKI", "1", "KY1 1AB", "nie", "nie", "Andrei", "1", "nie", "1", "tak"}, "pl", false},
		{"Romanian, then POLSKI, an interpreter", []string{"7", "Romanian", "POLSKI", "1", "KY1 1AB", "nie", "nie", "Andrei", "1", "tak", "1", "tak"}, "pl", true},
		{"romana at the menu, then POLSKI later", []string{"romana", "1", "KY1 1AB", "POLSKI", "nie", "nie", "Andrei", "1", "tak", "1", "tak"}, "pl", true},
		{"words we cannot read, then ENGLISH", []string{"7", "language of my village", "ENGLISH", "1", "KY1 1AB", "no", "no", "Andrei", "1", "1", "yes"}, "en", false},
		{"Tigrinya, then Polish in English", []string{"7", "ትግርኛ", "Polish", "1", "KY1 1AB", "nie", "nie", "Andrei", "1", "nie", "1", "tak"}, "pl", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c, r := f.Start(convTestStart, "hello")
			for _, body := range tc.replies {
				c, r = f.In(c.Lang).Advance(c, body)
			}
			if !r.Done {
				t.Fatalf("no referral: at %q in %q, templates %v", c.Step, c.Lang, r.Templates)
			}
			in := f.SelfReferral(c.Answers, Origin{Channel: core.ChannelSMS, Phone: "07700 900602"})
			if in.Client.Language != tc.lang || in.Client.InterpreterLanguage != "" || in.Client.Interpreter != tc.wanted {
				t.Errorf("client details: language %q, interpreter %v for %q; want %q, %v, none named",
					in.Client.Language, in.Client.Interpreter, in.Client.InterpreterLanguage, tc.lang, tc.wanted)
			}
			if strings.Contains(in.Client.Notes, otherLanguageNote) {
				t.Errorf("notes %q still carry the language for the interpreter", in.Client.Notes)
			}
		})
	}
}

// ChooseLanguage keeps the answer to the flow's own interpreter question,
// whatever "Other" recorded since.
func TestChooseLanguageKeepsTheInterpreterAnswer(t *testing.T) {
	f := loadSelfReferralFlow(t)
	other := func(outcome string) Answers {
		a := Answers{Language: lang.English, Interpreter: true, Extra: map[string]string{InterpreterLanguageField: "ro", "own": "kept"},
			FreeText: []string{"my words", otherLanguageNote + "my village's"}}
		if outcome != "" {
			a.Outcomes = map[string]string{"interpreter": outcome}
		}
		return a
	}
	for _, tc := range []struct {
		outcome string
		wanted  bool
	}{{"", false}, {"no", false}, {"yes", true}} {
		a := other(tc.outcome)
		f.ChooseLanguage(&a, "uk")
		if a.Language != "uk" || a.Interpreter != tc.wanted || a.Extra[InterpreterLanguageField] != "" || a.Extra["own"] != "kept" ||
			strings.Join(a.FreeText, "|") != "my words" {
			t.Errorf("interpreter question answered %q: after choosing Ukrainian %+v; want uk, interpreter %v, only the other language forgotten",
				tc.outcome, a, tc.wanted)
		}
	}
}

// The web's page for a language the form is not in answers "which
// language?" as a text does; a second answer replaces the first, and a
// language picked from the list is the one recorded.
func TestAnswerOtherLanguage(t *testing.T) {
	f := loadSelfReferralFlow(t)
	a := f.AnswerOtherLanguage(Answers{Language: "pl"}, "Romanian", "ro")
	if a.Language != lang.English || !a.Interpreter || a.Extra[InterpreterLanguageField] != "ro" {
		t.Fatalf("Romanian: %+v", a)
	}
	b := f.AnswerOtherLanguage(a, "language of my village", "")
	if !b.Interpreter || b.Extra[InterpreterLanguageField] != "" || !strings.Contains(strings.Join(b.FreeText, "|"), otherLanguageNote+"language of my village") {
		t.Errorf("then words we cannot read: %+v; want an interpreter, no language, the words kept", b)
	}
	if a.Extra[InterpreterLanguageField] != "ro" {
		t.Errorf("the answers given were changed: %+v", a)
	}
	k := f.AnswerOtherLanguage(b, "Kurdish", "ckb")
	if k.Extra[InterpreterLanguageField] != "ckb" || len(k.FreeText) != 0 {
		t.Errorf("Kurdish picked as ckb: %+v; want ckb recorded and the earlier words gone", k)
	}
	p := f.AnswerOtherLanguage(k, "Polish", "pl")
	if p.Language != "pl" || p.Interpreter || p.Extra[InterpreterLanguageField] != "" {
		t.Errorf("then Polish: %+v; want the form in Polish and no interpreter", p)
	}
}
