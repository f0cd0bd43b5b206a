package flow

import (
	"slices"
	"strings"
	"testing"
)

// A client who said no at consent and then yes (review 4: "no problem",
// then "yes i agree") is never told "we already have your answers": the
// SMS edge drops a declined conversation's answers, so nothing can go
// back to the question, and the reply says nothing was sent and how to
// start again. "no problem" itself is a yes at consent.
func TestAfterDecliningNothingWasSent(t *testing.T) {
	for name, f := range map[string]*Flow{"shipped": loadSelfReferralFlow(t)} {
		for _, c := range []struct{ lang, no, yes string }{
			{"en", "no", "sorry I meant yes"},
			{"en", "no thanks", "yes i agree"},
			{"uk", "ні", "так"},
			{"pl", "nie", "tak"},
			{"ar", "لا", "نعم"},
		} {
			g := f.In(c.lang)
			conv, r := g.Advance(Conversation{Step: "consent", Lang: c.lang, Answers: Answers{Needs: nil}}, c.no)
			if !r.Declined || conv.Step != StepDeclined {
				t.Fatalf("%s %s %q: not declined: %v", name, c.lang, c.no, r.Templates)
			}
			_, r = g.Advance(Conversation{Flow: conv.Flow, Step: conv.Step, Lang: conv.Lang}, c.yes)
			if len(r.Templates) != 1 || r.Templates[0] != g.Messages.DeclinedAgain || r.Done {
				t.Errorf("%s %s %q after declining: %v, done %v; want %s", name, c.lang, c.yes, r.Templates, r.Done, g.Messages.DeclinedAgain)
			}
			_, rep := g.Repeat(Conversation{Step: StepDeclined, Lang: c.lang})
			if slices.Contains(rep.Templates, g.Messages.Finished) {
				t.Errorf("%s %s: HELP after declining repeats %v", name, c.lang, rep.Templates)
			}
			text, err := g.Render(r.Templates[0], convRenderData(r))
			if restart := g.KeywordKeys()["RestartKeyword"].(string); err != nil || !strings.Contains(text, restart) {
				t.Errorf("%s %s: %q, %v; want how to start again", name, c.lang, text, err)
			}
		}
		if f.Messages.DeclinedAgain == f.Messages.Finished {
			t.Errorf("%s: a text after declining gets the finished message", name)
		}
	}
	f := loadSelfReferralFlow(t)
	for _, in := range []string{"no problem", "No bother", "nae bother", "no worries"} {
		if _, r := f.Advance(Conversation{Step: "consent"}, in); !r.Done {
			t.Errorf("%q to consent: %v; want a referral", in, r.Templates)
		}
		if c, r := f.Advance(Conversation{Step: "crisis_food"}, in); c.Step != "crisis_food" || c.Answers.NoFood {
			t.Errorf("%q to a crisis question: step %s %v; want it asked again", in, c.Step, r.Templates)
		}
	}
}

// A text that asks in words to stop the texts (review 7: "Please stop
// texting me" got "Sorry, I didn't understand") is told to send the
// keyword, in its language, with no miss counted and no answer taken;
// Onward opts no one out on words it may misread. A sentence with
// "stop" in it that is not about the texts is read as before.
func TestAskingToStopInWords(t *testing.T) {
	shipped := loadSelfReferralFlow(t)
	for _, c := range []struct{ lang, step, in string }{
		{"en", "needs", "Please stop texting me"},
		{"en", "name", "stop sending me these texts"},
		{"en", "consent", "don't text me again"},
		{"en", StepDone, "please stop texting me"},
		{"en", StepDeclined, "no more texts please"},
		{"pl", "name", "nie piszcie do mnie więcej"},
		{"uk", "needs", "не пишіть мені більше"},
		{"ar", "consent", "لا ترسلوا لي رسائل"},
		{"ur", "needs", "میسج بند کریں"},
		{"en", StepLanguage, "stop texting me"},
	} {
		for name, f := range map[string]*Flow{"shipped": shipped} {
			g := f.In(c.lang)
			conv, r := g.Advance(Conversation{Step: c.step, Lang: c.lang, Misses: 1}, c.in)
			if !slices.Contains(r.Templates, g.Messages.StopHow) || r.Declined || r.Done {
				t.Errorf("%s %s %s %q: %v; want %s", name, c.lang, c.step, c.in, r.Templates, g.Messages.StopHow)
			}
			if c.step != StepLanguage && (conv.Step != c.step || conv.Misses != 1 || conv.Answers.Name != "" || len(conv.Answers.FreeText) > 0) {
				t.Errorf("%s %s %s %q: step %s misses %d answers %+v", name, c.lang, c.step, c.in, conv.Step, conv.Misses, conv.Answers)
			}
			text, err := g.Render(g.Messages.StopHow, convRenderData(r))
			if err != nil || !strings.Contains(text, "STOP") {
				t.Errorf("%s %s: %q, %v", name, c.lang, text, err)
			}
		}
	}
	if shipped.In("pl").Messages.StopHow != "conv_stop_how" || shipped.Messages.DeclinedAgain != "conv_declined_again" {
		t.Errorf("stop_how is %q, declined_again %q", shipped.Messages.StopHow, shipped.Messages.DeclinedAgain)
	}
	for in, want := range map[string]string{"I can't stop worrying about rent": "postcode", "stop": "needs"} {
		if c, r := shipped.Advance(Conversation{Step: "needs"}, in); c.Step != want || slices.Contains(r.Templates, shipped.Messages.StopHow) {
			t.Errorf("%q: step %s %v", in, c.Step, r.Templates)
		}
	}
}
