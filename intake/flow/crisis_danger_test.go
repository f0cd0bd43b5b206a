package flow

import (
	"maps"
	"slices"
	"strings"
	"testing"

	"github.com/onward-network/onward/core"
	"github.com/onward-network/onward/core/lang"
)

// The domestic abuse helpline the danger reply gives, and the Polish
// words of its 999 sentence (conv_crisis_lines' own).
const (
	dangerHelpline = "0800 027 1234"
	polish999      = "Jeśli grozi Ci niebezpieczeństwo, dzwoń pod 999."
)

// TestDetectCrisisWidened: the phrases a black-box review found missed —
// suicide in everyday words, and danger in the past tense, as threats or
// as fear — are caught as self-harm or danger, and texts plainly about
// something else that share their words raise nothing.
func TestDetectCrisisWidened(t *testing.T) {
	for _, c := range []struct {
		in             string
		selfHarm, harm bool // self-harm, danger
	}{
		{"honestly i dont want to be alive anymore", true, false},
		{"life isnt worth living", true, false},
		{"im going to take all my pills", true, false},
		{"thinking of ending things", true, false},
		{"i want to end things", true, false},
		{"nobody would miss me if i was gone", true, false},
		{"I'm going to jump in front of a train", true, false},
		{"I have a rope ready", true, false},
		{"i cant do this anymore", true, false},
		{"my partner hits me and i am scared to go home", false, true},
		{"my boyfriend hit me last night", false, true},
		{"he hurt me", false, true},
		{"he raped me", false, true},
		{"my ex is threatening me", false, true},
		// a name after who they are to the client
		{"my ex Tam is threatening me", false, true},
		{"my husband Jim will hurt me if he finds out", false, true},
		{"my partner Dave keeps threatening me", false, true},
		{"my boyfriend jamie hit me", false, true},
		{"my son Tam reads my texts for me", false, false},
		{"he hit me", false, true},
		{"I'm afraid of my husband", false, true},
		{"he hits me and I want to die", true, true},
		// kicked out is losing a home, not violence
		{"my dad kicked me out", false, false},
		// plainly about something else
		{"I can't do this form on my phone", false, false},
		{"the rope swing", false, false},
		{"take my pills with food?", false, false},
		{"end of things", false, false},
		{"hit me up", false, false},
		{"the rent hit me hard", false, false},
		{"I want to end things with my phone company", false, false},
		{"my back hurt me", false, false},
		{"the council is threatening me with court", false, false},
		{"I'm sick of living in this damp flat", false, false},
	} {
		got := DetectCrisis(c.in)
		if got.SelfHarm != c.selfHarm || got.Danger != c.harm {
			t.Errorf("DetectCrisis(%q) = self-harm %v danger %v (words %q), want %v %v", c.in, got.SelfHarm, got.Danger, got.Words, c.selfHarm, c.harm)
		}
		if !c.selfHarm && !c.harm && c.in != "my dad kicked me out" && got.Found() {
			t.Errorf("DetectCrisis(%q) found %q in a text about something else", c.in, got.Words)
		}
	}
}

// renderTemplates renders reply r's templates as the caller does, with
// the network keys extra over the test network's.
func renderTemplates(t *testing.T, f *Flow, r Reply, extra map[string]any) []string {
	t.Helper()
	data := convRenderData(r)
	maps.Copy(data, extra)
	var out []string
	for _, name := range r.Templates {
		text, err := f.In(r.Lang).Render(name, data)
		if err != nil {
			t.Fatalf("render %s in %s: %v", name, r.Lang, err)
		}
		out = append(out, text)
	}
	return out
}

// checkDangerReply checks reply r to danger words carries, right after
// the crisis lines if any and before anything else, 999 and the domestic
// abuse helpline, in language code, and that the conversation c kept the
// words for the coordinator.
func checkDangerReply(t *testing.T, f *Flow, where string, c Conversation, r Reply, code string, words ...string) {
	t.Helper()
	at := slices.Index(r.Templates, f.Messages.Danger)
	if want := 0; r.SelfHarm {
		want = 1
		if at != want {
			t.Errorf("%s: templates %v; want the danger reply right after the crisis lines", where, r.Templates)
			return
		}
	} else if at != want {
		t.Errorf("%s: templates %v; want the danger reply first", where, r.Templates)
		return
	}
	if r.Lang != code {
		t.Errorf("%s: reply in %q, want %q", where, r.Lang, code)
	}
	texts := renderTemplates(t, f, r, nil)
	all := strings.Join(texts, "\n")
	if strings.Count(all, "999") != 1 || strings.Count(all, dangerHelpline) != 1 {
		t.Errorf("%s: want 999 and %s once each in\n%s", where, dangerHelpline, all)
	}
	if code == "pl" && !strings.Contains(all, polish999) {
		t.Errorf("%s: no Polish 999 sentence in\n%s", where, all)
	}
	if code != lang.English && strings.Contains(texts[at], "danger") {
		t.Errorf("%s: the danger reply is in English:\n%s", where, texts[at])
	}
	for _, w := range words {
		if !slices.Contains(c.Answers.CrisisWords, w) {
			t.Errorf("%s: crisis words %q lack %q: the coordinator must read them", where, c.Answers.CrisisWords, w)
		}
	}
	if !c.Answers.Crisis() || !r.Crisis {
		t.Errorf("%s: not marked crisis", where)
	}
}

// TestDangerFirstText: a first text about danger at home gets 999 and
// the helpline at once, before the greeting, in English, or in Polish
// for a returning Polish client; the words are kept for the referral.
func TestDangerFirstText(t *testing.T) {
	f := loadSelfReferralFlow(t)
	c, r := f.Start(convTestStart, "my partner hits me and i am scared to go home")
	checkDangerReply(t, f, "English first text", c, r, lang.English, "hits me", "scared to go home")
	if !slices.Contains(r.Templates, f.Messages.Greeting) || c.Step != StepLanguage {
		t.Errorf("English first text: templates %v step %s; want the greeting and the languages", r.Templates, c.Step)
	}
	c, r = f.In("pl").Start(convTestStart, "my boyfriend hit me last night")
	checkDangerReply(t, f, "Polish client's first text", c, r, "pl", "boyfriend hit me")
}

// TestDangerMidConversation: danger words at any question get 999 and
// the helpline first, in the conversation's language; the review's
// client ("my partner hits me and i am scared to go home" to "are you at
// risk of losing your home?") among them. A conversation is given them
// once: the same words again add nothing, new danger words give them
// again.
func TestDangerMidConversation(t *testing.T) {
	f := loadSelfReferralFlow(t)
	for _, code := range []string{lang.English, "pl"} {
		for _, id := range f.order {
			if !f.steps[id].asks(core.ChannelSMS) {
				continue
			}
			where := code + " at " + id
			in := Conversation{Flow: f.ID, Lang: code, Step: id, Started: convTestStart,
				Answers: Answers{Language: code, Needs: []core.Need{core.NeedDebt}}}
			c, r := f.In(code).Advance(in, "my partner hits me and i am scared to go home")
			checkDangerReply(t, f, where, c, r, code, "hits me", "scared to go home")
			if c.Step == StepDone || c.Step == StepDeclined {
				continue
			}
			c, r = f.In(code).Advance(c, "he hits me")
			if slices.Contains(r.Templates, f.Messages.Danger) {
				t.Errorf("%s, the same words again: templates %v; the helpline was given already", where, r.Templates)
			}
			c, r = f.In(code).Advance(c, "he raped me")
			checkDangerReply(t, f, where+", new words", c, r, code, "hits me", "raped")
		}
	}
}

// TestDangerWithSelfHarm: a text about both gets the crisis lines and
// then the helpline, and 999 once, whether the crisis lines give it from
// their fixed sentence or from the network's own lines.
func TestDangerWithSelfHarm(t *testing.T) {
	f := loadSelfReferralFlow(t)
	for _, code := range []string{lang.English, "pl"} {
		for _, network := range []map[string]any{
			LocalKeys("Breathing Space: 0800 83 85 87.", AreaExample{}),
			LocalKeys(crisisDemoLines, AreaExample{}),
		} {
			c, r := f.In(code).Advance(Conversation{Flow: f.ID, Lang: code, Step: "name", Answers: Answers{Language: code}},
				"he hits me and I want to die")
			if !r.SelfHarm || len(r.Templates) < 2 || r.Templates[0] != f.Messages.SelfHarm || r.Templates[1] != f.Messages.Danger {
				t.Fatalf("%s: templates %v; want the crisis lines, then the helpline", code, r.Templates)
			}
			all := strings.Join(renderTemplates(t, f, r, network), "\n")
			if strings.Count(all, "999") != 1 || strings.Count(all, dangerHelpline) != 1 || !c.Answers.SelfHarm {
				t.Errorf("%s, crisis lines %q: want 999 and the helpline once each in\n%s", code, network["CrisisLines"], all)
			}
		}
	}
}

// TestDangerMessageInEveryLanguage: the danger reply is in every shipped
// language, gives 999 and the helpline, alone and after the crisis lines
// (then without 999), and never says it in English but in English.
func TestDangerMessageInEveryLanguage(t *testing.T) {
	f := loadSelfReferralFlow(t)
	if f.Messages.Danger != "conv_danger" {
		t.Fatalf("Messages.Danger = %q, want conv_danger", f.Messages.Danger)
	}
	english, err := f.Render(f.Messages.Danger, map[string]any{})
	if err != nil {
		t.Fatal(err)
	}
	for _, l := range f.Catalogue().Languages() {
		g := f.In(l.Code)
		alone, err := g.Render(f.Messages.Danger, map[string]any{})
		if err != nil {
			t.Fatal(err)
		}
		after, err := g.Render(f.Messages.Danger, map[string]any{"WithCrisisLines": true})
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(alone, "999") || !strings.Contains(alone, dangerHelpline) ||
			strings.Contains(after, "999") || !strings.Contains(after, dangerHelpline) {
			t.Errorf("%s: alone %q, after the crisis lines %q; want 999 alone only, the helpline in both", l.English, alone, after)
		}
		if l.Code != lang.English && (alone == english || englishLeak.MatchString(alone)) {
			t.Errorf("%s: the danger reply is in English: %q", l.English, alone)
		}
		if n, enc := core.SMSSegments(alone); n > 2*segmentBudget(f.Messages.Danger) || (l.Code == lang.English && n > 1) {
			t.Errorf("%s: the danger reply is %d %s segments", l.English, n, enc)
		}
	}
}

// Each language's own danger words (sms_words.danger) are danger, not
// hardship: the reply gives 999 and the helpline in that language.
func TestDangerWordsOfEachLanguage(t *testing.T) {
	f := loadSelfReferralFlow(t)
	for code, body := range map[string]string{
		"pl": "mąż mnie pobił", "uk": "він б'є мене", "ar": "زوجي يضربني", "ur": "شوہر مجھے مارتا ہے", "gd": "tha e a' bualadh orm",
	} {
		sig := f.DetectCrisis(body)
		if !sig.Danger {
			t.Errorf("%s %q: %+v; want danger", code, body, sig)
			continue
		}
		c, r := f.In(lang.English).Advance(Conversation{Flow: f.ID, Lang: lang.English, Step: "needs"}, body)
		if c.Lang != code || !slices.Contains(r.Templates, f.Messages.Danger) {
			t.Errorf("%s %q: language %q templates %v; want the danger reply in %s", code, body, c.Lang, r.Templates, code)
		}
		// In reply to the language menu too (a client's review: the
		// helpline came in English and the questions went on in English,
		// while self-harm words there moved the client to their language).
		c, _ = f.Start(convTestStart, "hello")
		c, r = f.In(c.Lang).Advance(c, body)
		if c.Lang != code || r.Lang != code || c.Answers.Language != code || !slices.Contains(r.Templates, f.Messages.Danger) {
			t.Errorf("%s %q at the menu: conversation in %q, reply in %q, language %q, templates %v; want the danger reply and the questions in %s",
				code, body, c.Lang, r.Lang, c.Answers.Language, r.Templates, code)
		}
	}
}

// The everyday ways of saying it the review found missed: the verb
// before or after "me", past tense too, in Polish, Ukrainian and Arabic;
// and "hit me back" (call me back) is no danger.
func TestDangerWordOrderAndTense(t *testing.T) {
	f := loadSelfReferralFlow(t)
	for _, body := range []string{"mąż mnie bije", "partner mnie bije", "on mnie bił", "чоловік мене б'є", "чоловік мене побив",
		"чоловік мене бив", "мене б'ють", "ضربني زوجي", "زوجي ضربني", "زوجي يهددني"} {
		if !f.DetectCrisis(body).Danger {
			t.Errorf("%q: no danger found", body)
		}
	}
	if sig := f.DetectCrisis("hit me back when you can"); sig.Found() {
		t.Errorf("%q: %+v; want nothing", "hit me back when you can", sig)
	}
}

// "Please stop texting me" as the very first text (a client who gets
// reminders) is told how to stop the texts, not greeted with the menu;
// and a first text with danger and self-harm words says 999 once.
func TestFirstTextAsksToStopOrGivesBothCrises(t *testing.T) {
	f := loadSelfReferralFlow(t)
	c, r := f.Start(convTestStart, "please stop texting me")
	if !slices.Equal(r.Templates, []string{f.Messages.StopHow}) || c.Step != StepLanguage {
		t.Errorf("first text asking to stop: %v at %s; want only %s", r.Templates, c.Step, f.Messages.StopHow)
	}
	_, r = f.Start(convTestStart, "he hits me and i want to die")
	text := strings.Join(renderReply(t, f, r), "\n")
	if strings.Count(text, "999") != 1 || !strings.Contains(text, "0800 027 1234") {
		t.Errorf("danger and self-harm in a first text say 999 %d times (want once, and the helpline):\n%s", strings.Count(text, "999"), text)
	}
}

// TestDangerAsksTheQuestionAgain: danger words at a question, in English
// or Polish, get 999 and the helpline and then the question they were
// on, in the same reply, so the client knows what to answer; not only
// "reply to our last question" (Messages.CarryOn), which after the
// helpline points at nothing on the screen. Asked again after the
// helpline it does not thank them for an answer ("Thanks. What is your
// postcode?"); consent is its reprompt, the wording already shown. The
// same words again give the question again, without the helpline; and
// "which language?" after "Other" is asked again too.
func TestDangerAsksTheQuestionAgain(t *testing.T) {
	f := loadSelfReferralFlow(t)
	words := map[string]string{lang.English: "my partner hits me", "pl": "mój partner bije mnie"}
	thanks := []string{"Thanks", "That's fine", "Dziękujemy", "Nie szkodzi"}
	for _, code := range []string{lang.English, "pl"} {
		g := f.In(code)
		for _, id := range g.order {
			st := g.steps[id]
			if !st.asks(core.ChannelSMS) {
				continue
			}
			where := code + " at " + id
			question := st.prompt
			if st.kind == AnswerConsent {
				question = st.reprompt
			}
			in := Conversation{Flow: f.ID, Lang: code, Step: id, Started: convTestStart,
				Answers: Answers{Language: code, Needs: []core.Need{core.NeedDebt}, ConsentVersion: testConsentVersion}}
			c, r := g.Advance(in, words[code])
			if !slices.Equal(r.Templates, []string{g.Messages.Danger, question}) || c.Step != id || c.Misses != 0 || r.Lang != code {
				t.Errorf("%s: templates %v in %q, at %q, misses %d; want the helpline then %s, in %q, no miss",
					where, r.Templates, r.Lang, c.Step, c.Misses, question, code)
				continue
			}
			texts := renderTemplates(t, f, r, nil)
			for _, th := range thanks {
				if strings.HasPrefix(texts[1], th) {
					t.Errorf("%s: the question asked again after the helpline thanks them:\n%s", where, texts[1])
				}
			}
			if st.choices != nil && !strings.Contains(texts[1], "1 "+st.choices[0].Label) {
				t.Errorf("%s: the question asked again lacks its choices:\n%s", where, texts[1])
			}
			c, r = g.Advance(c, words[code])
			if !slices.Equal(r.Templates, []string{question}) || c.Step != id {
				t.Errorf("%s, the same words again: templates %v at %q; want %s alone", where, r.Templates, c.Step, question)
			}
		}
	}
	// Renders as asked the first time, with its thanks, after an answer.
	c, r := f.Advance(Conversation{Flow: f.ID, Lang: lang.English, Step: "needs"}, "debt")
	if texts := renderReply(t, f, r); c.Step != "postcode" || !strings.HasPrefix(texts[0], "Thanks. What is your postcode?") {
		t.Errorf("after an answer: %q", texts)
	}
	start, _ := f.Start(convTestStart, "hello")
	asked, _ := f.Advance(start, "7")
	c, r = f.Advance(asked, words[lang.English])
	if !slices.Equal(r.Templates, []string{f.Messages.Danger, f.Messages.LanguageOtherAsk}) || c.Step != StepOtherLanguage ||
		c.Answers.Interpreter || c.Answers.SaidOtherLanguage() {
		t.Errorf("at which language: templates %v at %q, interpreter %v, answers %+v; want the helpline, the question again, nothing taken for a language",
			r.Templates, c.Step, c.Answers.Interpreter, c.Answers)
	}
}

// TestDangerAfterTheEndIsSaid: after the end, the reply says it had
// danger words (Reply.Danger), as it says SelfHarm, so the SMS edge tells
// staff without reading the words a second time; ordinary words say
// neither.
func TestDangerAfterTheEndIsSaid(t *testing.T) {
	f := loadSelfReferralFlow(t)
	for _, step := range []string{StepDone, StepDeclined} {
		_, r := f.Advance(Conversation{Flow: f.ID, Step: step}, "my partner hits me")
		if !r.Danger || r.SelfHarm || !slices.Contains(r.Templates, f.Messages.Danger) {
			t.Errorf("danger words after %s: danger %v, self-harm %v, %v", step, r.Danger, r.SelfHarm, r.Templates)
		}
		_, r = f.Advance(Conversation{Flow: f.ID, Step: step}, "thanks, when will they call?")
		if r.Danger || r.SelfHarm {
			t.Errorf("ordinary words after %s: danger %v, self-harm %v", step, r.Danger, r.SelfHarm)
		}
	}
}

// TestDangerInAConversationIsSaid: danger words in a first text, and at
// a question later, say so (Reply.Danger), as self-harm words say
// SelfHarm, so the SMS edge can tell the staff working with a returning
// client whose conversation with a referral timed out. Danger words the
// conversation had already say so too, though the helpline is not given
// again; ordinary words say neither.
func TestDangerInAConversationIsSaid(t *testing.T) {
	f := loadSelfReferralFlow(t)
	c, r := f.Start(convTestStart, "my partner hits me")
	if !r.Danger || r.SelfHarm || !slices.Contains(r.Templates, f.Messages.Danger) {
		t.Fatalf("danger words as a first text: danger %v, self-harm %v, %v", r.Danger, r.SelfHarm, r.Templates)
	}
	c, r = f.Advance(c, "1")
	if r.Danger || r.SelfHarm {
		t.Errorf("a language's number: danger %v, self-harm %v", r.Danger, r.SelfHarm)
	}
	c, r = f.Advance(c, "he hits me")
	if !r.Danger || r.SelfHarm {
		t.Errorf("danger words at %s: danger %v, self-harm %v, %v", c.Step, r.Danger, r.SelfHarm, r.Templates)
	}
	_, r = f.Advance(c, "my partner hits me")
	if !r.Danger || slices.Contains(r.Templates, f.Messages.Danger) {
		t.Errorf("danger words the conversation had at %s: danger %v, %v; want danger said, the helpline not given again",
			c.Step, r.Danger, r.Templates)
	}
}

// TestFutureThreatsAtConsent: a threat of what someone will do, or someone
// who reads the client's phone, is danger (a black-box review: "yes but
// he will hurt me if he finds out" was taken as consent, with no helpline
// and no crisis flag). At consent it is no answer, even with a yes in it:
// 999 and the helpline, then the consent question again, nothing agreed;
// as a first text it gets the helpline at once. A promise of help is none.
func TestFutureThreatsAtConsent(t *testing.T) {
	f := loadSelfReferralFlow(t)
	for _, c := range []struct{ code, in string }{
		{lang.English, "yes but he will hurt me if he finds out"},
		{lang.English, "yes please dont text, he reads my phone"},
		{lang.English, "ok, my husband will hurt me"},
		{"pl", "tak, ale zrobi mi krzywdę, jak się dowie"},
		{"pl", "tak, ale on sprawdza mój telefon"},
	} {
		g := f.In(c.code)
		in := Conversation{Flow: f.ID, Lang: c.code, Step: "consent", Started: convTestStart,
			Answers: Answers{Language: c.code, Needs: []core.Need{core.NeedHousing}, ConsentVersion: testConsentVersion}}
		got, r := g.Advance(in, c.in)
		want := []string{g.Messages.Danger, g.steps["consent"].reprompt}
		if got.Answers.Consent != nil || r.Done || got.Step != "consent" || !r.Danger || !r.Crisis ||
			!slices.Equal(r.Templates, want) {
			t.Errorf("%s %q at consent: consent %v done %v step %s danger %v crisis %v %v; want %v, consent asked again",
				c.code, c.in, got.Answers.Consent, r.Done, got.Step, r.Danger, r.Crisis, r.Templates, want)
		}
	}
	for _, in := range []string{"he will hurt me", "my husband will hurt me", "he will hurt me if he finds out",
		"please dont text, he reads my phone", "he checks my phone"} {
		_, r := f.Start(convTestStart, in)
		if !r.Danger || !slices.Contains(r.Templates, f.Messages.Danger) {
			t.Errorf("first text %q: danger %v, %v; want the helpline", in, r.Danger, r.Templates)
		}
	}
	for _, in := range []string{"he will help me", "he will not hurt me", "my son reads my texts for me", "my husband checks my phone bill"} {
		if s := f.DetectCrisis(in); s.Danger {
			t.Errorf("%q read as danger: %q", in, s.Words)
		}
	}
}
