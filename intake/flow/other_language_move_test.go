package flow

import (
	"slices"
	"testing"

	"github.com/onward-network/onward/core"
	"github.com/onward-network/onward/core/lang"
)

// A client who named after "Other" a language Onward has no words in,
// and then writes self-harm words in a language it has, is moved to that
// language (crisisLanguage) and reads it from then on: like texting the
// language's name, the move forgets the other language (moveLanguage),
// so the referral asks for no Kurdish interpreter for a client texted in
// Polish. The flow's own interpreter question, asked in Polish, is the
// answer that counts. English words never move a client, so they keep
// "Other" as it was.
func TestCrisisMoveForgetsOtherLanguage(t *testing.T) {
	f := loadSelfReferralFlow(t)
	rest := func(interpreter string) []string {
		return []string{"1", "KY1 1AB", "nie", "nie", "Andrei Fictiv", "1", interpreter, "1", "tak"}
	}
	for _, tc := range []struct {
		name    string
		before  []string // from the languages offered to the crisis words
		crisis  string
		after   []string // then to the referral
		lang    string
		tag     string // the interpreter's language recorded at the end
		wanted  bool   // an interpreter
		moveTag string // the interpreter's language before the crisis words
	}{
		{"Kurdish, then Polish at the first question, no interpreter", []string{"7", "Kurdish"}, "chcę umrzeć",
			rest("nie"), "pl", "", false, "ku"},
		{"Kurdish, then Polish at the first question, an interpreter", []string{"7", "Kurdish"}, "chcę umrzeć",
			rest("tak"), "pl", "", true, "ku"},
		{"romana at the menu, then Polish at the postcode", []string{"romana", "1"}, "nie chce zyc",
			rest("nie")[1:], "pl", "", false, "ro"},
		{"Tigrinya, then English words stay English", []string{"7", "Tigrinya"}, "I want to die",
			[]string{"1", "KY1 1AB", "no", "no", "Andrei Fictiv", "1", "1", "yes"}, "en", "ti", true, "ti"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c, r := f.Start(convTestStart, "hello")
			for _, body := range tc.before {
				c, r = f.In(c.Lang).Advance(c, body)
			}
			if c.Lang != lang.English || c.Answers.Extra[InterpreterLanguageField] != tc.moveTag {
				t.Fatalf("before the crisis words: in %q, interpreter language %q; want English, %q",
					c.Lang, c.Answers.Extra[InterpreterLanguageField], tc.moveTag)
			}
			c, r = f.In(c.Lang).Advance(c, tc.crisis)
			if !r.SelfHarm || c.Lang != tc.lang || c.Answers.Language != tc.lang {
				t.Fatalf("after %q: self-harm %v, in %q (answers %q); want the crisis lines in %q",
					tc.crisis, r.SelfHarm, c.Lang, c.Answers.Language, tc.lang)
			}
			if got := c.Answers.Extra[InterpreterLanguageField]; got != tc.tag {
				t.Errorf("after %q: interpreter language %q, want %q", tc.crisis, got, tc.tag)
			}
			for _, body := range tc.after {
				c, r = f.In(c.Lang).Advance(c, body)
			}
			if !r.Done {
				t.Fatalf("no referral: at %q in %q, templates %v", c.Step, c.Lang, r.Templates)
			}
			in := f.SelfReferral(c.Answers, Origin{Channel: core.ChannelSMS, Phone: "07700 900604"})
			if in.Client.Language != tc.lang || in.Client.InterpreterLanguage != tc.tag || in.Client.Interpreter != tc.wanted || !in.Crisis {
				t.Errorf("referral: language %q, interpreter %v for %q, crisis %v; want %q, %v, %q, a crisis",
					in.Client.Language, in.Client.Interpreter, in.Client.InterpreterLanguage, in.Crisis, tc.lang, tc.wanted, tc.tag)
			}
		})
	}
}

// Self-harm words given as the answer to "which language?" after "7
// Other" are no language for an interpreter: written in a language
// Onward has (Polish), they move the conversation to it as at the
// languages offered, with the crisis lines in it and nothing recorded for
// an interpreter; written in English, the crisis lines and the invitation
// to answer when ready, the words kept for the adviser but never as the
// language (they were once recorded as "Language, for the interpreter: I
// want to die"), and the language named next is the one recorded.
func TestCrisisWordsAtWhichLanguage(t *testing.T) {
	f := loadSelfReferralFlow(t)
	start, _ := f.Start(convTestStart, "hello")
	asked, _ := f.Advance(start, "7")
	if asked.Step != StepOtherLanguage {
		t.Fatalf("after 7: at %q, want the other-language question", asked.Step)
	}
	c, r := f.Advance(asked, "chcę umrzeć")
	if !r.SelfHarm || c.Lang != "pl" || c.Answers.Language != "pl" || c.Step != "needs" {
		t.Fatalf("Polish self-harm words: self-harm %v, in %q (answers %q) at %q; want the crisis lines in Polish, then needs",
			r.SelfHarm, c.Lang, c.Answers.Language, c.Step)
	}
	checkCrisisReply(t, f, "Polish words at which language", c, r, "pl")
	if c.Answers.Interpreter || c.Answers.SaidOtherLanguage() {
		t.Errorf("Polish self-harm words taken for a language: interpreter %v, answers %+v", c.Answers.Interpreter, c.Answers)
	}

	e, r := f.Advance(asked, "I want to die")
	if !r.SelfHarm || !slices.Equal(r.Templates, []string{f.Messages.SelfHarm, f.Messages.CarryOn, f.Messages.LanguageOtherAsk}) || e.Step != StepOtherLanguage ||
		e.Misses != 0 || e.Answers.SaidOtherLanguage() || !slices.Contains(e.Answers.FreeText, "I want to die") {
		t.Errorf("English self-harm words: self-harm %v, templates %v, at %q, misses %d, notes %q; want the crisis lines, "+
			"then the question again, no miss, the words kept but not as a language",
			r.SelfHarm, r.Templates, e.Step, e.Misses, e.Answers.FreeText)
	}
	e, _ = f.Advance(e, "Tigrinya")
	if e.Step != "needs" || !e.Answers.Interpreter || e.Answers.Extra[InterpreterLanguageField] != "ti" || !e.Answers.SelfHarm {
		t.Errorf("then Tigrinya: at %q, interpreter %v for %q, self-harm %v; want needs, a Tigrinya interpreter, the self-harm kept",
			e.Step, e.Answers.Interpreter, e.Answers.Extra[InterpreterLanguageField], e.Answers.SelfHarm)
	}
}

// On the web form, self-harm words typed on an English page after
// "Other" in a language the form is written in turn the form to it, as
// by text, and forget the other language (Flow.Answer, ChooseLanguage).
func TestWebCrisisMoveForgetsOtherLanguage(t *testing.T) {
	f := loadSelfReferralFlow(t)
	for _, tc := range []struct {
		typed, lang, tag string
	}{
		{"nie chcę żyć", "pl", ""},
		{"I want to die", lang.English, "ckb"},
	} {
		a := f.AnswerOtherLanguage(Answers{}, "Kurdish", "ckb")
		if a.Extra[InterpreterLanguageField] != "ckb" {
			t.Fatalf("Kurdish: %+v", a)
		}
		f.In(lang.English).Answer(&a, "name", map[string][]string{"name": {tc.typed}})
		if !a.SelfHarm || a.Language != tc.lang || a.Extra[InterpreterLanguageField] != tc.tag || a.Interpreter != (tc.tag != "") {
			t.Errorf("%q typed after Kurdish: self-harm %v, language %q, interpreter %v for %q; want %q, %q",
				tc.typed, a.SelfHarm, a.Language, a.Interpreter, a.Extra[InterpreterLanguageField], tc.lang, tc.tag)
		}
	}
}

// Choosing English, the language "Other" goes on in, is a choice too:
// the client reads it, and the other language goes (ChooseLanguage);
// SaidOtherLanguage tells a channel whether there is one to forget.
func TestChooseEnglishAfterOther(t *testing.T) {
	f := loadSelfReferralFlow(t)
	if (Answers{Language: lang.English}).SaidOtherLanguage() {
		t.Error("answers with no Other say one")
	}
	for _, words := range []string{"Tigrinya", "language of my village"} {
		a := f.AnswerOtherLanguage(Answers{}, words, "")
		if !a.SaidOtherLanguage() || a.Language != lang.English {
			t.Fatalf("%s: %+v; want English and the other language said", words, a)
		}
		f.ChooseLanguage(&a, lang.English)
		if a.SaidOtherLanguage() || a.Interpreter || a.Language != lang.English {
			t.Errorf("%s, then English: %+v; want English and no interpreter", words, a)
		}
	}
}
