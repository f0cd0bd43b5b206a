package flow

import (
	"slices"
	"strings"
	"testing"

	"github.com/onward-network/onward/core"
	"github.com/onward-network/onward/core/lang"
)

// A reply to the languages offered that picks none is never told
// "Sorry" about a question the client was not shown: read as the answer
// to the first question, in the one language whose words it holds
// ("dług" is Polish, "борг" Ukrainian), else in English, and when it
// does not answer it, that question comes as first asked, with no miss
// counted. Self-harm words decide the language first; English words,
// and words several languages share, keep English.
func TestReplyAtLanguagesOffered(t *testing.T) {
	f := loadSelfReferralFlow(t)
	for _, tc := range []struct {
		body      string
		lang      string
		step      string
		needs     []core.Need
		templates []string
	}{
		// One language's need words: that language, and the answer taken.
		{"dług", "pl", "postcode", []core.Need{core.NeedDebt}, []string{"conv_postcode"}},
		{"dlug", "pl", "postcode", []core.Need{core.NeedDebt}, []string{"conv_postcode"}},
		{"czynsz i dług", "pl", "postcode", []core.Need{core.NeedHousing, core.NeedDebt}, []string{"conv_postcode"}},
		{"sorry, mam dług", "pl", "postcode", []core.Need{core.NeedDebt}, []string{"conv_postcode"}}, // "sorry" is Polish's too
		{"борг", "uk", "postcode", []core.Need{core.NeedDebt}, []string{"conv_postcode"}},
		{"fiachan", "gd", "postcode", []core.Need{core.NeedDebt}, []string{"conv_postcode"}},
		{"ديون", "ar", "postcode", []core.Need{core.NeedDebt}, []string{"conv_postcode"}},
		{"قرضہ", "ur", "postcode", []core.Need{core.NeedDebt}, []string{"conv_postcode"}},
		// A language's words that answer nothing yet: its first question, as first asked.
		{"pomoc z długami", "pl", "postcode", []core.Need{core.NeedDebt}, []string{"conv_postcode"}}, // review 5: "długami" is debt
		{"dzień dobry", "pl", "needs", nil, []string{"conv_needs"}},
		// One short word that answers nothing there ("tak", a yes) is no
		// clear sign of a language: English (TestShortWordIsNoSwitch).
		{"tak", "en", "needs", nil, []string{"conv_needs"}},
		{"привіт", "uk", "needs", nil, []string{"conv_needs"}},
		{"madainn mhath", "gd", "needs", nil, []string{"conv_needs"}},
		// English's words, or no language's: English.
		{"debt", "en", "postcode", []core.Need{core.NeedDebt}, []string{"conv_postcode"}},
		{"rent and debt", "en", "postcode", []core.Need{core.NeedHousing, core.NeedDebt}, []string{"conv_postcode"}},
		{"hi", "en", "needs", nil, []string{"conv_needs"}},
		{"🙂", "en", "needs", nil, []string{"conv_needs"}},
		{"what is this", "en", "needs", nil, []string{"conv_who_we_are", "conv_needs"}}, // who we are, then the question
		{"12", "en", "needs", nil, []string{"conv_needs"}},
		// A number the languages offered have not, though the needs
		// question (not yet shown) has it: meant for the list shown, so
		// the question is asked, not answered with Food.
		{"8", "en", "needs", nil, []string{"conv_needs"}},
		{"CALL", "en", "name", []core.Need{core.NeedOther}, []string{"conv_callback_ack", "conv_name"}},
		// English words beside another language's, or words languages share: English.
		{"tha rent", "en", "postcode", []core.Need{core.NeedHousing}, []string{"conv_postcode"}},
		{"hi, dług", "en", "needs", nil, []string{"conv_needs"}},
		{"ok", "en", "needs", nil, []string{"conv_needs"}},                                       // English's, Polish's and Ukrainian's
		{"cv", "en", "postcode", []core.Need{core.NeedEmployability}, []string{"conv_postcode"}}, // English's, Polish's and Gaelic's
		{"قرض", "en", "needs", nil, []string{"conv_needs"}},                                      // Arabic's and Urdu's
		// Self-harm words first: their language, the crisis lines, then the question.
		{"chcę umrzeć", "pl", "needs", nil, []string{"conv_crisis_lines", "conv_needs"}},
		{"I want to die, dług", "en", "needs", nil, []string{"conv_crisis_lines", "conv_needs"}},
		{"chcę umrzeć, czynsz", "pl", "postcode", []core.Need{core.NeedHousing}, []string{"conv_crisis_lines", "conv_postcode"}},
	} {
		t.Run(tc.body, func(t *testing.T) {
			start, _ := f.Start(convTestStart, "hello")
			c, r := f.Advance(start, tc.body)
			if c.Lang != tc.lang || c.Answers.Language != tc.lang || r.Lang != tc.lang || c.Step != tc.step ||
				!slices.Equal(c.Answers.Needs, tc.needs) || !slices.Equal(r.Templates, tc.templates) || c.Misses != 0 {
				t.Errorf("in %q (answers %q, reply %q) at %q, needs %v, misses %d, templates %v; want %q at %q, needs %v, no miss, templates %v",
					c.Lang, c.Answers.Language, r.Lang, c.Step, c.Answers.Needs, c.Misses, r.Templates,
					tc.lang, tc.step, tc.needs, tc.templates)
			}
			for _, text := range renderReply(t, f, r) {
				for _, sorry := range []string{"Sorry", "Przepraszamy", "Вибачте"} {
					if strings.Contains(text, sorry) {
						t.Errorf("the client is told %q about a question not asked:\n%s", sorry, text)
					}
				}
			}
		})
	}
}

// A client moved to their language by their words at the languages
// offered finishes in it, as one who chose its number: the referral is
// in that language, with no interpreter asked for unless they say so.
func TestReplyAtLanguagesOfferedGoesOnInItsLanguage(t *testing.T) {
	f := loadSelfReferralFlow(t)
	for _, tc := range []struct {
		name    string
		replies []string
		lang    string
	}{
		{"Polish need words", []string{"dług", "KY1 1AB", "nie", "nie", "Ania", "1", "nie", "1", "tak"}, "pl"},
		{"a Polish greeting, then a number", []string{"dzień dobry", "1", "KY1 1AB", "nie", "nie", "Ania", "1", "nie", "1", "tak"}, "pl"},
		{"Ukrainian need words", []string{"борг", "KY1 1AB", "ні", "ні", "Оксана", "1", "ні", "1", "так"}, "uk"},
		{"a greeting in English", []string{"hi", "1", "KY1 1AB", "no", "no", "Sam", "1", "1", "yes"}, lang.English},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c, r := f.Start(convTestStart, "hello")
			for _, body := range tc.replies {
				c, r = f.In(c.Lang).Advance(c, body)
			}
			if !r.Done {
				t.Fatalf("no referral: at %q in %q, templates %v", c.Step, c.Lang, r.Templates)
			}
			in := f.SelfReferral(c.Answers, Origin{Channel: core.ChannelSMS, Phone: "07700 900605"})
			if in.Client.Language != tc.lang || in.Client.Interpreter {
				t.Errorf("client language %q, interpreter %v; want %q, none", in.Client.Language, in.Client.Interpreter, tc.lang)
			}
		})
	}
}

// answerLanguage tells a language by its own words alone: short words
// two languages list tell neither, and English words never tell another.
func TestAnswerLanguage(t *testing.T) {
	f := loadSelfReferralFlow(t)
	for body, want := range map[string]string{
		"dług": "pl", "Czynsz!": "pl", "KOMORNIK": "pl", "nie wiem": "pl", "przepraszam": "pl",
		"борг": "uk", "ні": "uk", "fiachan": "gd", "tapadh leibh": "gd",
		"شكرا": "ar", "شکریہ": "ur", "nahi": "ur",
		"debt": "en", "rent": "en", "hello": "en", "yes": "en", "HELP": "en",
		// Shared, mixed or nobody's: none.
		"ok": "", "sorry": "", "cv": "", "halo": "", "stop": "", "سلام": "", "salam": "", "hi dług": "", "dług борг": "",
		"marhaba": "ar", "assalam o alaikum": "ur",
		"1": "", "🙂": "", "pomoc z długami 1500": "pl", "": "", "KY1 1AB": "",
	} {
		got, ok := f.answerLanguage(body)
		if got != want || ok != (want != "") {
			t.Errorf("answerLanguage(%q) = %q, %v; want %q", body, got, ok, want)
		}
	}
}

// A first text whose answer words are one other language's alone starts
// the conversation in that language, with no English menu: the greeting
// there, and the words read as the answer to the first question, as in
// reply to the languages offered, the needs taken said in place of their
// question. So does one that names needs in English (TestFirstTextNeeds).
// English words that name no need, words languages share, or words of
// two languages get the menu, in English.
func TestFirstTextInOneLanguage(t *testing.T) {
	f := loadSelfReferralFlow(t)
	for _, tc := range []struct {
		body     string
		lang     string
		step     string
		needs    []core.Need
		postcode string
		next     []string // the templates after the greeting
	}{
		{"dług", "pl", "postcode", []core.Need{core.NeedDebt}, "", []string{"conv_needs_kept", "conv_postcode"}},
		{"Czynsz i dług", "pl", "postcode", []core.Need{core.NeedHousing, core.NeedDebt}, "", []string{"conv_needs_kept", "conv_postcode"}},
		{"борг", "uk", "postcode", []core.Need{core.NeedDebt}, "", []string{"conv_needs_kept", "conv_postcode"}},
		{"dzień dobry", "pl", "needs", nil, "", []string{"conv_needs"}},
		{"dług KY1 1AB", "pl", "crisis_food", []core.Need{core.NeedDebt}, "KY1 1AB", []string{"conv_needs_kept", "conv_postcode_kept", "conv_crisis_food"}},
		{"debt", "en", "postcode", []core.Need{core.NeedDebt}, "", []string{"conv_needs_kept", "conv_postcode"}},
		{"hi", "en", StepLanguage, nil, "", []string{"conv_languages"}},
		{"tak", "en", StepLanguage, nil, "", []string{"conv_languages"}},
		{"hi, dług", "en", StepLanguage, nil, "", []string{"conv_languages"}},
		{"ok", "en", StepLanguage, nil, "", []string{"conv_languages"}},
		{"", "en", StepLanguage, nil, "", []string{"conv_languages"}},
	} {
		t.Run(tc.body, func(t *testing.T) {
			c, r := f.Start(convTestStart, tc.body)
			want := append([]string{f.Messages.Greeting}, tc.next...)
			if c.Answers.Language != tc.lang && !(tc.lang == "en" && c.Answers.Language == "") {
				t.Errorf("language %q; want %q", c.Answers.Language, tc.lang)
			}
			if c.Step != tc.step || !slices.Equal(c.Answers.Needs, tc.needs) || !slices.Equal(r.Templates, want) || c.Misses != 0 {
				t.Errorf("at %q, needs %v, misses %d, templates %v; want %q, needs %v, templates %v",
					c.Step, c.Answers.Needs, c.Misses, r.Templates, tc.step, tc.needs, want)
			}
			if tc.postcode != "" && c.Answers.Postcode != tc.postcode {
				t.Errorf("postcode %q; want %q kept", c.Answers.Postcode, tc.postcode)
			}
			if tc.lang != "en" {
				for _, text := range renderReply(t, f, r) {
					for _, english := range []string{"Sorry", "Reply with", "Hello"} {
						if strings.Contains(text, english) {
							t.Errorf("the %s client is told %q:\n%s", tc.lang, english, text)
						}
					}
				}
			}
		})
	}
}

// TestShortWordIsNoSwitch: one short word that is a yes, a no or a
// greeting in another language ("tha" is Gaelic's yes, "han" Urdu's, "tak"
// Polish's) does not move a client to that language, as a first text, at
// the languages offered or later: it is as likely an English speaker's
// typo. A clear signal does: a language's name in any script, or its need
// words, or its words at some length.
func TestShortWordIsNoSwitch(t *testing.T) {
	f := loadSelfReferralFlow(t)
	short := []string{"tha", "han", "haan", "ji", "tak", "nie", "ні", "так", "نعم", "nahi"}
	for _, body := range short {
		if c, r := f.Start(convTestStart, body); c.Lang != "" || c.Step != StepLanguage || r.Lang != lang.English {
			t.Errorf("first text %q: in %q at %q, reply in %q; want the languages offered in English", body, c.Lang, c.Step, r.Lang)
		}
		start, _ := f.Start(convTestStart, "hello")
		if c, r := f.Advance(start, body); c.Lang != lang.English || c.Step != "needs" || r.Lang != lang.English {
			t.Errorf("%q at the languages offered: in %q at %q, reply in %q; want the needs question in English", body, c.Lang, c.Step, r.Lang)
		}
		chose, _ := f.Advance(start, "1")
		if c, r := f.Advance(chose, body); c.Lang != lang.English || c.Step != "needs" || r.Lang != lang.English {
			t.Errorf("%q at the needs question in English: in %q at %q, reply in %q; want English", body, c.Lang, c.Step, r.Lang)
		}
	}
	for body, want := range map[string]string{
		"POLSKI": "pl", "Polish": "pl", "GÀIDHLIG": "gd", "Gaelic": "gd", "اردو": "ur", "URDU": "ur", "عربي": "ar", "українська": "uk",
		"dług": "pl", "борг": "uk", "dzień dobry": "pl", "привіт": "uk", "chan eil": "gd",
	} {
		start, _ := f.Start(convTestStart, "hello")
		if c, _ := f.Advance(start, body); c.Lang != want {
			t.Errorf("%q at the languages offered: in %q; want %q", body, c.Lang, want)
		}
	}
	for _, body := range []string{"POLSKI", "اردو", "Gàidhlig"} {
		chose, _ := f.Advance(Conversation{Flow: f.ID, Step: StepLanguage}, "1")
		if c, _ := f.Advance(chose, body); c.Lang == lang.English || c.Step != "needs" {
			t.Errorf("%q at the needs question in English: in %q at %q; want switched, the question again", body, c.Lang, c.Step)
		}
	}
}
