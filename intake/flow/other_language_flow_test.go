package flow

import (
	"strings"
	"testing"

	"github.com/onward-network/onward/core"
	"github.com/onward-network/onward/core/lang"
)

// A client whose language Onward has no words in (audit A1 #2) finds
// "Other" at the end of the languages offered, names their language there
// or after choosing it by number, and goes on in English with an
// interpreter asked for in their language, which reaches core apart from
// the language they are texted in.
func TestOtherLanguageByText(t *testing.T) {
	f := loadSelfReferralFlow(t)
	c, r := f.Start(convTestStart, "Buna ziua, am nevoie de ajutor, nu vorbesc engleza")
	menu := strings.Join(renderReply(t, f, r), "\n")
	if !strings.Contains(menu, "6 Gàidhlig\n7 Other") {
		t.Fatalf("languages offered:\n%s\nwant 7 Other last", menu)
	}
	for _, tc := range []struct {
		name    string
		replies []string
		tag     string // the interpreter's language recorded
		says    string // in the reply to the last text
		note    string // kept for the adviser
	}{
		{"named at the menu", []string{"romana"}, "ro", "interpreter who speaks Romanian", ""},
		{"named in English", []string{"Romanian"}, "ro", "interpreter who speaks Romanian", ""},
		{"by number, then in itself", []string{"7", "ትግርኛ"}, "ti", "interpreter who speaks Tigrinya", ""},
		{"by number, then words we cannot read", []string{"7", "language of my village"}, "", "arrange an interpreter.",
			"language of my village"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c, r := c, r
			for _, body := range tc.replies {
				c, r = f.Advance(c, body)
			}
			texts := strings.Join(renderReply(t, f, r), "\n")
			if c.Lang != lang.English || c.Answers.Language != lang.English || !c.Answers.Interpreter || c.Step != "needs" {
				t.Errorf("conversation in %q (answers %q), interpreter %v, at %q; want English, interpreter wanted, at needs",
					c.Lang, c.Answers.Language, c.Answers.Interpreter, c.Step)
			}
			if !strings.Contains(texts, tc.says) || !strings.Contains(texts, "text you in English") {
				t.Errorf("reply:\n%s\nwant %q and that we text in English", texts, tc.says)
			}
			in := f.SelfReferral(c.Answers, Origin{Channel: core.ChannelSMS, Phone: "07700 900602"})
			if in.Client.InterpreterLanguage != tc.tag || !in.Client.Interpreter || in.Client.Language != lang.English {
				t.Errorf("client details: language %q, interpreter %v for %q; want en, true, %q",
					in.Client.Language, in.Client.Interpreter, in.Client.InterpreterLanguage, tc.tag)
			}
			if tc.note != "" && !strings.Contains(in.Client.Notes, tc.note) {
				t.Errorf("notes %q, want the client's words %q", in.Client.Notes, tc.note)
			}
		})
	}
	// "Polish" in English picks the Polish texts, not an interpreter.
	pc, _ := f.Advance(c, "Polish")
	if pc.Lang != "pl" || pc.Answers.Interpreter || pc.Answers.Extra[InterpreterLanguageField] != "" {
		t.Errorf("Polish at the menu: conversation in %q, interpreter %v %q; want Polish texts", pc.Lang,
			pc.Answers.Interpreter, pc.Answers.Extra[InterpreterLanguageField])
	}
	// Asked which language, HELP or START ask it again.
	oc, _ := f.Advance(c, "7")
	if _, rr := f.Repeat(oc); len(rr.Templates) != 1 || rr.Templates[0] != f.Messages.LanguageOtherAsk {
		t.Errorf("repeat at the other-language question: %v", rr.Templates)
	}
	// POLSKI there picks Polish and asks the first question.
	if sc, _ := f.Advance(oc, "POLSKI"); sc.Lang != "pl" || sc.Step != "needs" {
		t.Errorf("POLSKI at the other-language question: in %q at %q", sc.Lang, sc.Step)
	}
}

// A keyword of one language alone sent while the languages are offered
// picks that language (audit A1 #9); one sent later changes nothing.
func TestKeywordChoosesLanguageAtMenu(t *testing.T) {
	f := loadSelfReferralFlow(t)
	c, _ := f.Start(convTestStart, "hello")
	got, moved := f.KeywordChoosesLanguage(c, "pl")
	if !moved || got.Lang != "pl" || got.Answers.Language != "pl" || got.Step != "needs" {
		t.Errorf("at the menu: moved %v, %q, %q, step %q; want Polish at needs", moved, got.Lang, got.Answers.Language, got.Step)
	}
	if c.Lang != "" || c.Step != StepLanguage {
		t.Errorf("the conversation given was changed: %+v", c)
	}
	later, _ := f.Advance(c, "1")
	if _, moved := f.KeywordChoosesLanguage(later, "pl"); moved {
		t.Errorf("past the menu the keyword moved the conversation")
	}
	if f.Keyword("pomocy") != KeywordHelp {
		t.Errorf("pomocy is not the HELP keyword")
	}
	if code, ok := f.KeywordLanguage("Pomocy!"); !ok || code != "pl" {
		t.Errorf("KeywordLanguage(Pomocy!) = %q, %v; want pl", code, ok)
	}
}
