package flow

import (
	"slices"
	"strings"
	"testing"

	"github.com/onward-network/onward/core"
	"github.com/onward-network/onward/core/lang"
)

// TestLanguageNameAfterOther: the answer to "which language?" after
// "Other" records the language's name alone, never the words around it
// ("other - I speak Tigrinya" is Tigrinya), and a reply that names no
// language ("Other, I need help with rent") is not recorded as one: the
// question comes again, saying to send the name alone, and after two
// such replies the client goes on in English with an interpreter asked
// for, their words kept for the adviser but not as their language.
func TestLanguageNameAfterOther(t *testing.T) {
	f := loadSelfReferralFlow(t)
	start, _ := f.Start(convTestStart, "hello")
	asked, _ := f.Advance(start, "7")
	if asked.Step != StepOtherLanguage {
		t.Fatalf("after 7: at %q", asked.Step)
	}
	for _, tc := range []struct {
		body, tag, note string // note: the name kept for the adviser when no tag
	}{
		{"other - I speak Tigrinya", "ti", ""},
		{"Other: Tigrinya.", "ti", ""},
		{"I speak Tigrinya please", "ti", ""},
		{"my language is Romanian", "ro", ""},
		{"Tigrinya language", "ti", ""},
		{"hi, i only speak tigrinya, thanks", "ti", ""},
		{"أتكلم ትግርኛ", "ti", ""},
		{"Inny: romana", "ro", ""},
		{"I speak Badini", "", "Badini"},
		{"other - language of my village", "", "language of my village"},
	} {
		c, r := f.Advance(asked, tc.body)
		if c.Step != "needs" || !c.Answers.Interpreter || c.Answers.Extra[InterpreterLanguageField] != tc.tag || c.Lang != lang.English ||
			!slices.Equal(r.Templates, []string{f.Messages.InterpreterArranged, "conv_needs"}) {
			t.Errorf("%q: at %q, interpreter %v for %q, templates %v; want needs, an interpreter for %q",
				tc.body, c.Step, c.Answers.Interpreter, c.Answers.Extra[InterpreterLanguageField], r.Templates, tc.tag)
			continue
		}
		var notes []string
		for _, s := range c.Answers.FreeText {
			if n, ok := strings.CutPrefix(s, otherLanguageNote); ok {
				notes = append(notes, n)
			}
		}
		if want := []string{tc.note}; tc.note == "" && len(notes) != 0 || tc.note != "" && !slices.Equal(notes, want) {
			t.Errorf("%q: language kept for the adviser %q; want %q", tc.body, notes, tc.note)
		}
	}
	// No language's name: asked again, nothing recorded, no interpreter yet.
	for _, body := range []string{"Other, I need help with rent", "other", "I need an interpreter because my English is not good",
		"rent", "yes", "7", "I don't know"} {
		c, r := f.Advance(asked, body)
		if c.Step != StepOtherLanguage || c.Misses != 1 || c.Answers.Interpreter || c.Answers.SaidOtherLanguage() ||
			!slices.Equal(r.Templates, []string{f.Messages.LanguageOtherRetry}) || c.Lang != asked.Lang {
			t.Errorf("%q: at %q, misses %d, interpreter %v, answers %+v, templates %v; want the question again, nothing recorded",
				body, c.Step, c.Misses, c.Answers.Interpreter, c.Answers, r.Templates)
			continue
		}
		if texts := renderReply(t, f, r); !strings.Contains(texts[0], "just the name of your language") {
			t.Errorf("%q: the reply %q does not say what to send", body, texts[0])
		}
	}
	// Two such replies are asked again; the third goes on.
	c := asked
	for _, body := range []string{"Other, I need help with rent", "I need help with my rent please"} {
		c, _ = f.Advance(c, body)
	}
	if c.Step != StepOtherLanguage || c.Misses != otherLanguageRetries {
		t.Fatalf("after two replies with no language: at %q, misses %d", c.Step, c.Misses)
	}
	c, r := f.Advance(c, "help me with money please")
	if c.Step != "needs" || !c.Answers.Interpreter || c.Answers.SaidOtherLanguage() || c.Answers.Extra[InterpreterLanguageField] != "" ||
		!slices.Contains(c.Answers.FreeText, "Other, I need help with rent") || r.Templates[0] != f.Messages.InterpreterArranged {
		t.Errorf("the third: at %q, interpreter %v, answers %+v, templates %v; want needs, an interpreter for no language named, the words kept",
			c.Step, c.Answers.Interpreter, c.Answers, r.Templates)
	}
	// Then the referral records no language for the interpreter.
	in := f.SelfReferral(c.Answers, Origin{Channel: core.ChannelSMS, Phone: "07700 900602"})
	if in.Client.InterpreterLanguage != "" || !in.Client.Interpreter || strings.Contains(in.Client.Notes, otherLanguageNote) {
		t.Errorf("client details: interpreter %v for %q, notes %q", in.Client.Interpreter, in.Client.InterpreterLanguage, in.Client.Notes)
	}
}

// At the languages offered "Other" may come with its language, by its
// label as by its number, and the words around a language's name pick a
// language Onward writes in too; "Other" with a sentence asks which
// language, taking nothing from it as a need or a language. The web's
// page reads its words the same way, but cannot ask again: no name, no
// language recorded.
func TestLanguageNameAtTheMenu(t *testing.T) {
	f := loadSelfReferralFlow(t)
	start, _ := f.Start(convTestStart, "hello")
	for _, tc := range []struct {
		body, lang, step, tag string
	}{
		{"other - I speak Tigrinya", lang.English, "needs", "ti"},
		{"Other", "", StepOtherLanguage, ""},
		{"Other, I need help with rent", "", StepOtherLanguage, ""},
		{"I speak Polish", "pl", "needs", ""},
		{"in English please", lang.English, "needs", ""},
	} {
		c, _ := f.Advance(start, tc.body)
		if c.Lang != tc.lang || c.Step != tc.step || c.Answers.Extra[InterpreterLanguageField] != tc.tag || len(c.Answers.Needs) != 0 {
			t.Errorf("%q at the menu: in %q at %q, interpreter language %q, needs %v; want %q at %q, %q, no needs",
				tc.body, c.Lang, c.Step, c.Answers.Extra[InterpreterLanguageField], c.Answers.Needs, tc.lang, tc.step, tc.tag)
		}
	}
	if c, _ := f.Advance(start, "Other, I need help with rent"); !slices.Contains(c.Answers.FreeText, "Other, I need help with rent") {
		t.Errorf("the words beside Other were lost: %q", c.Answers.FreeText)
	}
	if a := f.AnswerOtherLanguage(Answers{}, "I speak Tigrinya", ""); a.Extra[InterpreterLanguageField] != "ti" || !a.Interpreter {
		t.Errorf("the web page's I speak Tigrinya: %+v", a)
	}
	a := f.AnswerOtherLanguage(Answers{}, "Other, I need help with rent", "")
	if !a.Interpreter || a.SaidOtherLanguage() || a.Extra[InterpreterLanguageField] != "" || !slices.Contains(a.FreeText, "Other, I need help with rent") {
		t.Errorf("the web page's sentence: %+v; want an interpreter, no language, the words kept", a)
	}
}

// TestOtherLabelInEveryLanguage: a reply that begins with the label of
// "Other" in any shipped language, after a greeting, reads as "Other",
// and one that only holds the label's words later does not. The labels
// are tokenised once with the flow (otherLabels), not on every answer.
func TestOtherLabelInEveryLanguage(t *testing.T) {
	f := loadSelfReferralFlow(t)
	if f.Messages.LanguageOther == "" {
		t.Fatal("the self-referral flow offers no Other")
	}
	if len(f.otherLabels) == 0 {
		t.Fatal("no label of Other made with the flow")
	}
	for _, l := range f.cat.Languages() {
		label := f.cat.Text(l.Code, f.Messages.LanguageOther)
		for _, body := range []string{label + " - Tigrinya", "hello, " + label + ": Tigrinya"} {
			if !f.readLanguageName(body).other {
				t.Errorf("%s: %q not read as Other", l.Code, body)
			}
		}
		if body := "Tigrinya " + label; f.readLanguageName(body).other {
			t.Errorf("%s: %q read as Other, its label not first", l.Code, body)
		}
	}
}
