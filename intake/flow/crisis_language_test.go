package flow

import (
	"net/url"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/onward-network/onward/core"
	"github.com/onward-network/onward/core/lang"
)

// englishLeak finds words of the English copy a translation never uses
// (the carriers' STOP and HELP, the CALL keyword, "Samaritans" and
// "NHS 24" are English in every language on purpose, so are not here).
var englishLeak = regexp.MustCompile(`(?i)\b(you|your|the|and|talk|cope|alone|danger|reply|hello|language|number|please|questions|free|what|near)\b`)

// unisolated is s without the left-to-right isolates that keep phone
// numbers in order in right-to-left text (lang.IsolateNumbers), for the
// checks of what a text says; the golden files hold the texts as sent.
func unisolated(s string) string { return strings.NewReplacer("\u2066", "", "\u2069", "").Replace(s) }

// selfHarmSamples are the self-harm messages of each language that has
// self-harm words of its own: its corpus (testdata/crisis/<code>.txt)
// and, for Polish and Ukrainian, the messages of the report that found
// the crisis lines sent in English.
func selfHarmSamples(t *testing.T, f *Flow) map[string][]string {
	t.Helper()
	out := map[string][]string{
		"pl": {"chcę umrzeć", "chce umrzec"},
		"uk": {"не хочу жити"},
	}
	for _, l := range f.Catalogue().Languages() {
		if l.Code == lang.English {
			continue
		}
		if len(lang.List(f.Catalogue().Own(l.Code, "sms_words.self_harm"))) == 0 {
			t.Errorf("%s has no self-harm words", l.English)
			continue
		}
		for _, c := range readCorpus(t, "testdata/crisis/"+l.Code+".txt") {
			if c.kind == "selfharm" {
				out[l.Code] = append(out[l.Code], c.text)
			}
		}
		if len(out[l.Code]) < 5 {
			t.Errorf("%s: only %d self-harm samples", l.English, len(out[l.Code]))
		}
	}
	return out
}

// renderReply renders a reply as the caller does: every template in the
// reply's language, with the network's keys.
func renderReply(t *testing.T, f *Flow, r Reply) []string {
	t.Helper()
	var out []string
	for _, name := range r.Templates {
		text, err := f.In(r.Lang).Render(name, convRenderData(r))
		if err != nil {
			t.Fatalf("render %s in %s: %v", name, r.Lang, err)
		}
		out = append(out, text)
	}
	return out
}

// checkCrisisReply checks a reply to self-harm words is in language code
// from its first text, the crisis lines, to its last, with no English
// words, and each text is within its SMS budget.
func checkCrisisReply(t *testing.T, f *Flow, where string, c Conversation, r Reply, code string) {
	t.Helper()
	if r.Lang != code || c.Lang != code {
		t.Errorf("%s: reply in %q, conversation in %q; want %q", where, r.Lang, c.Lang, code)
	}
	if !r.SelfHarm || len(r.Templates) == 0 || r.Templates[0] != f.Messages.SelfHarm {
		t.Errorf("%s: self-harm %v templates %v; want the crisis lines first", where, r.SelfHarm, r.Templates)
		return
	}
	texts := renderReply(t, f, r)
	want, err := f.In(code).Render(f.Messages.SelfHarm, convRenderData(r))
	if err != nil {
		t.Fatal(err)
	}
	english, err := f.In(lang.English).Render(f.Messages.SelfHarm, convRenderData(r))
	if err != nil {
		t.Fatal(err)
	}
	if texts[0] != want || texts[0] == english {
		t.Errorf("%s: the crisis lines are\n%s\nwant %s's\n%s", where, texts[0], code, want)
	}
	for i, text := range texts {
		bare := unisolated(text)
		// The network's own words are as its network file gives them.
		for _, k := range []string{"Network", "Helpline", "DirectoryURL", "DataSharingURL", "CrisisLines"} {
			bare = strings.ReplaceAll(bare, convTestNetwork[k].(string), "")
		}
		if m := englishLeak.FindString(bare); m != "" {
			t.Errorf("%s: %s says %q in English:\n%s", where, r.Templates[i], m, text)
		}
		budget := segmentBudget(r.Templates[i]) * 2
		if n, enc := core.SMSSegments(text); n > budget {
			t.Errorf("%s: %s is %d %s segments, budget %d", where, r.Templates[i], n, enc, budget)
		}
	}
}

// TestSelfHarmFirstTextInItsLanguage: a new phone whose first text is
// about suicide or self-harm in a language other than English gets the
// crisis lines in that language, not English, and the conversation goes on
// in it — the greeting and the first question, no English language menu —
// as a first text that is a keyword of that language does.
func TestSelfHarmFirstTextInItsLanguage(t *testing.T) {
	f := loadSelfReferralFlow(t)
	for code, samples := range selfHarmSamples(t, f) {
		for _, body := range samples {
			where := code + " first text " + body
			c, r := f.Start(convTestStart, body)
			checkCrisisReply(t, f, where, c, r, code)
			if c.Answers.Language != code || !c.Answers.SelfHarm || !r.Crisis || c.Step != f.start || len(r.Data["Languages"].([]NumberedChoice)) != 0 {
				t.Errorf("%s: language %q self-harm %v step %s menu %v; want %s, the first question and no menu",
					where, c.Answers.Language, c.Answers.SelfHarm, c.Step, r.Data["Languages"], code)
			}
			if !slices.Contains(r.Templates, f.Messages.Greeting) {
				t.Errorf("%s: templates %v; want the greeting", where, r.Templates)
			}
			if !slices.Equal(c.Answers.FreeText, []string{body}) {
				t.Errorf("%s: free text %q; the adviser must read the client's words", where, c.Answers.FreeText)
			}
		}
	}
}

// TestSelfHarmMidConversationInItsLanguage: self-harm words in another
// language, sent to a conversation in English at any question (or in
// answer to the language menu, or after the end), get the crisis lines in
// the language they were written in, and the conversation moves to it,
// asking its question there; what the client said before is kept, and
// the words are not taken as an answer.
func TestSelfHarmMidConversationInItsLanguage(t *testing.T) {
	f := loadSelfReferralFlow(t)
	var steps []string
	for _, id := range f.order {
		if f.steps[id].asks(core.ChannelSMS) {
			steps = append(steps, id)
		}
	}
	for code, samples := range selfHarmSamples(t, f) {
		for _, body := range samples {
			for _, step := range steps {
				where := code + " at " + step + ": " + body
				in := Conversation{Flow: f.ID, Lang: lang.English, Step: step, Started: convTestStart,
					Answers: Answers{Language: lang.English, Needs: []core.Need{core.NeedDebt}, District: "KY1"}}
				c, r := f.In(in.Lang).Advance(in, body)
				checkCrisisReply(t, f, where, c, r, code)
				if c.Answers.Language != code || !c.Answers.SelfHarm || !r.Crisis || c.Step != step ||
					!slices.Equal(c.Answers.Needs, []core.Need{core.NeedDebt}) || c.Answers.District != "KY1" ||
					c.Answers.Name != "" || c.Answers.Town != "" {
					t.Errorf("%s: step %s answers %+v; want the same question, in %s, the answers kept", where, c.Step, c.Answers, code)
				}
				if !slices.Contains(r.Templates, f.Messages.LanguageSet) {
					t.Errorf("%s: templates %v; a client who chose English is told the language changed", where, r.Templates)
				}
			}
			// The reply to the language menu: no language was chosen yet.
			c, _ := f.Start(convTestStart, "hello")
			c, r := f.In(c.Lang).Advance(c, body)
			checkCrisisReply(t, f, code+" at the menu: "+body, c, r, code)
			if c.Answers.Language != code || c.Step != f.start {
				t.Errorf("%s at the menu: language %q step %s", code, c.Answers.Language, c.Step)
			}
			// After the end the answers are gone, but the crisis lines
			// still come, in the client's words' language: alone after a
			// referral, with "nothing was sent" after a refusal.
			for _, end := range []string{StepDone, StepDeclined} {
				c, r := f.In(lang.English).Advance(Conversation{Flow: f.ID, Lang: lang.English, Step: end}, body)
				checkCrisisReply(t, f, code+" after "+end+": "+body, c, r, code)
				want := []string{f.Messages.SelfHarm}
				if end == StepDeclined {
					want = append(want, f.Messages.DeclinedAgain)
				}
				if !slices.Equal(r.Templates, want) || c.Answers.SelfHarm {
					t.Errorf("%s after %s: templates %v answers %+v", code, end, r.Templates, c.Answers)
				}
			}
		}
	}
}

// TestSelfHarmLanguageRule: which language the crisis lines are in when
// the words and the conversation differ. Words of the conversation's own
// language keep it; another language's words move it there; English words
// (which every conversation reads, since clients mix English in) never
// move a conversation out of the language the client chose; and English
// self-harm messages leave an English conversation in English.
func TestSelfHarmLanguageRule(t *testing.T) {
	f := loadSelfReferralFlow(t)
	for _, c := range []struct{ conv, body, want string }{
		{"pl", "nie chcę żyć", "pl"},
		{"pl", "не хочу жити", "uk"},
		{"uk", "chcę umrzeć", "pl"},
		{"ar", "میں جینا نہیں چاہتا", "ur"},
		{"ur", "أريد أن أموت", "ar"},
		{"gd", "chcę umrzeć", "pl"},
		{"pl", "I want to kill myself", "pl"},
		{"uk", "suicidal", "uk"},
		{"en", "I want to end it all", "en"},
		// Words of the conversation's own language keep it.
		{"pl", "chcę umrzeć, не хочу жити", "pl"},
		{"en", "I want to die, chcę umrzeć", "en"},
		{"pl", "I want to die, не хочу жити", "uk"},
	} {
		in := Conversation{Flow: f.ID, Lang: c.conv, Step: "name", Answers: Answers{Language: c.conv}}
		got, r := f.In(c.conv).Advance(in, c.body)
		if r.Lang != c.want || got.Lang != c.want || got.Answers.Language != c.want || !r.SelfHarm {
			t.Errorf("%q in a %s conversation: reply in %q, conversation %q; want %q", c.body, c.conv, r.Lang, got.Lang, c.want)
		}
		if moved := slices.Contains(r.Templates, f.Messages.LanguageSet); moved != (c.want != c.conv) {
			t.Errorf("%q in a %s conversation: templates %v", c.body, c.conv, r.Templates)
		}
	}
	for _, line := range readCorpus(t, "testdata/crisis/crisis.txt") {
		if line.kind != "selfharm" {
			continue
		}
		if _, r := f.Start(convTestStart, line.text); r.Lang != lang.English || !r.SelfHarm {
			t.Errorf("English %q: reply in %q (self-harm %v)", line.text, r.Lang, r.SelfHarm)
		}
	}
}

// TestSelfHarmOnTheWebInItsLanguage: the web form reads its boxes with
// the same rule: self-harm words in another language than the page's
// record that language as the client's, so the next page, and its crisis
// panel, are in it; English words leave the page's language alone.
func TestSelfHarmOnTheWebInItsLanguage(t *testing.T) {
	f := loadSelfReferralFlow(t)
	for _, c := range []struct{ page, body, want string }{
		{"en", "chcę umrzeć", "pl"},
		{"en", "не хочу жити", "uk"},
		{"pl", "I want to die", "pl"},
		{"en", "I want to die", "en"},
	} {
		a := Answers{Language: c.page}
		f.In(c.page).Answer(&a, "name", url.Values{"name": {c.body}})
		if !a.SelfHarm || a.Language != c.want {
			t.Errorf("%q on a %s page: self-harm %v language %q; want %q", c.body, c.page, a.SelfHarm, a.Language, c.want)
		}
	}
}

// TestSelfHarmIsNoYesNoOrDontKnow: a message about self-harm is not read
// as a yes, a no or a "don't know", in any language: "nie chcę żyć" ("I
// don't want to live"), "لا أريد أن أعيش" and "I have no reason to live"
// carry a language's NO, and were taken as one — at consent, declining the
// referral and throwing the answers away; "немає сенсу жити" ("there is no
// point living") carries Ukrainian's "don't have", and was taken as not
// knowing the postcode. The crisis lines come, then an invitation to
// answer when ready and the question itself (a distressed client may not
// scroll back to it): not the question's "Sorry, that doesn't look
// like…" reprompt, and no miss counted towards the call-back offer.
func TestSelfHarmIsNoYesNoOrDontKnow(t *testing.T) {
	f := loadSelfReferralFlow(t)
	for _, c := range []struct{ code, body string }{
		{"en", "I have no reason to live"},
		{"en", "no, I want to kill myself"},
		{"pl", "nie chcę żyć"},
		{"pl", "tak, chcę umrzeć"},
		{"uk", "ні, не хочу жити"},
		{"ar", "لا أريد أن أعيش"},
		{"ur", "نہیں، میں جینا نہیں چاہتا"},
		{"gd", "chan eil, chan eil mi airson a bhith beò"},
		{"uk", "немає сенсу жити"},
		{"uk", "не знаю, хочу померти"},
		{"pl", "nie wiem, chcę umrzeć"},
		{"en", "I don't know, I want to die"},
	} {
		for _, step := range []string{"consent", "crisis_food", "crisis_home", "interpreter", "postcode", "town"} {
			g := f.In(c.code)
			in := Conversation{Flow: f.ID, Lang: c.code, Step: step, Misses: 2, Answers: Answers{Language: c.code}}
			got, r := g.Advance(in, c.body)
			question := g.steps[step].prompt
			if g.steps[step].kind == AnswerConsent {
				question = g.steps[step].reprompt // the wording already shown
			}
			if got.Step != step || r.Declined || r.Done || got.Answers.Consent != nil || len(got.Answers.Outcomes) != 0 ||
				!r.SelfHarm || !slices.Equal(r.Templates, []string{f.Messages.SelfHarm, f.Messages.CarryOn, question}) ||
				got.Misses != 2 || r.CallbackOffered {
				t.Errorf("%s %q at %s: step %s declined %v outcomes %v templates %v misses %d call-back offered %v; want the crisis lines, the invitation to carry on and the question, no miss counted",
					c.code, c.body, step, got.Step, r.Declined, got.Answers.Outcomes, r.Templates, got.Misses, r.CallbackOffered)
			}
		}
	}
}
