package flow

import (
	"slices"
	"testing"

	"github.com/onward-network/onward/core"
	"github.com/onward-network/onward/core/lang"
)

// TestChosenEnglishIsAChoice: a client whose texts chose English, in a
// conversation that timed out or was dropped, starts again in English
// without the languages offered, as a client who chose Polish starts in
// Polish (a black-box review: one who chose "1 English" and went quiet
// was offered the menu again). English not chosen offers the languages.
func TestChosenEnglishIsAChoice(t *testing.T) {
	f := loadSelfReferralFlow(t)
	for _, code := range []string{lang.English, "pl"} {
		c, r := f.In(code).Chosen().Start(convTestStart, "hi")
		if c.Step != f.start || c.Lang != code || c.Answers.Language != code || slices.Contains(r.Templates, f.Messages.Languages) || r.Lang != code {
			t.Errorf("chosen %s: at %s in %q (answers %q), %v in %q; want %s's first question, no menu", code, c.Step, c.Lang, c.Answers.Language, r.Templates, r.Lang, code)
		}
	}
	if c, r := f.In(lang.English).Start(convTestStart, "hi"); c.Step != StepLanguage || !slices.Contains(r.Templates, f.Messages.Languages) {
		t.Errorf("English not chosen: at %s, %v; want the languages offered", c.Step, r.Templates)
	}
	if g := f.Chosen(); g.Chosen() != g || f.chosen {
		t.Error("Chosen changed the flow it was called on, or chose twice")
	}
}

// TestReturningClientAsksForEnglish: a returning client whose record is in
// Polish is started in Polish; one who asks for English in words at a
// question ("English please", "1 English", "in English") gets English for
// every later question and the consent wording, is never asked about an
// interpreter, and is recorded as choosing English, agreeing to the
// English words (a black-box review: such a client stayed in Polish, their
// "English" read as a need for Learning, their "yes" then taken as
// wanting an interpreter). "English" inside a sentence about a need asks
// for nothing.
func TestReturningClientAsksForEnglish(t *testing.T) {
	f := loadSelfReferralFlow(t)
	for _, ask := range []string{"English please", "1 English", "in English", "can you text me in english", "po angielsku", "ENGLISH"} {
		c, _ := f.In("pl").Start(convTestStart, "hi")
		var r Reply
		c, r = f.In(c.Lang).Advance(c, ask)
		if c.Lang != lang.English || c.Step != "needs" || len(c.Answers.Needs) != 0 ||
			!slices.Equal(r.Templates, []string{f.Messages.LanguageSet, "conv_needs"}) {
			t.Errorf("%q at the Polish needs question: in %q at %s, needs %v, %v; want English, the needs question again",
				ask, c.Lang, c.Step, c.Answers.Needs, r.Templates)
			continue
		}
		for _, body := range []string{"debt", "KY1 1AB", "no", "no", "Ewa", "1", "4", "yes"} {
			if c.Step == "interpreter" {
				t.Fatalf("%q: the interpreter question asked of a client who chose English", ask)
			}
			c, r = f.In(c.Lang).Advance(c, body)
			if r.Lang != lang.English {
				t.Errorf("%q then %q: replied in %q, want English", ask, body, r.Lang)
			}
		}
		if !r.Done || c.Answers.Language != lang.English || c.Answers.ConsentLanguage != lang.English || c.Answers.Interpreter {
			t.Fatalf("%q: done %v, language %q, consent in %q, interpreter %v; want a referral in English",
				ask, r.Done, c.Answers.Language, c.Answers.ConsentLanguage, c.Answers.Interpreter)
		}
		in := f.In(c.Lang).SelfReferral(c.Answers, Origin{Channel: core.ChannelSMS, IdempotencyKey: "sms:t", Evidence: "SM1", Phone: "+447700900768"})
		if in.Client.Language != lang.English || in.Consent.Language != lang.English || in.Client.Interpreter {
			t.Errorf("%q: core is told language %q, consent in %q, interpreter %v; want English, no interpreter",
				ask, in.Client.Language, in.Consent.Language, in.Client.Interpreter)
		}
	}
	c := Conversation{Flow: f.ID, Lang: "pl", Step: "needs", Answers: Answers{Language: "pl"}}
	if got, _ := f.In("pl").Advance(c, "I need English classes"); got.Lang != "pl" || !slices.Equal(got.Answers.Needs, []core.Need{core.NeedEducation}) {
		t.Errorf("a need for English classes: in %q, needs %v; want Polish, Learning", got.Lang, got.Answers.Needs)
	}
}
