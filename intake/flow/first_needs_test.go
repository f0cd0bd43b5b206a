package flow

import (
	"slices"
	"strings"
	"testing"

	"github.com/onward-network/onward/core"
	"github.com/onward-network/onward/core/lang"
)

// TestFirstTextNeeds: a first text that names needs firmly, in English as
// in any language, has them taken: the client is not asked for what they
// just told us, and the reply says which were taken, in place of the
// needs question, so they can start again if one is wrong. Crisis words
// are answered first. A text that names none firmly (no need word, a
// number, "Something else", a word that names a need only in some
// sentences) gets the languages offered, as before.
func TestFirstTextNeeds(t *testing.T) {
	f := loadSelfReferralFlow(t)
	for _, tc := range []struct {
		opening   string
		lang      string
		needs     []core.Need
		templates []string // the whole first reply
		says      string   // the needs taken, as the reply lists them
	}{
		{"I need help with debt and my rent", lang.English, []core.Need{core.NeedDebt, core.NeedHousing},
			[]string{"conv_greeting", "conv_needs_kept", "conv_postcode"}, "Debt, Housing"},
		{"help with benefits please", lang.English, []core.Need{core.NeedBenefits},
			[]string{"conv_greeting", "conv_needs_kept", "conv_postcode"}, "Benefits"},
		{"Debts", lang.English, []core.Need{core.NeedDebt}, []string{"conv_greeting", "conv_needs_kept", "conv_postcode"}, "Debt"},
		{"rent arrears KY1 1AB", lang.English, []core.Need{core.NeedHousing, core.NeedDebt},
			[]string{"conv_greeting", "conv_needs_kept", "conv_postcode_kept", "conv_crisis_food"}, "Housing, Debt"},
		{"potrzebuję pomocy z czynszem", "pl", []core.Need{core.NeedHousing},
			[]string{"conv_greeting", "conv_needs_kept", "conv_postcode"}, "Mieszkanie"},
		{"борг", "uk", []core.Need{core.NeedDebt}, []string{"conv_greeting", "conv_needs_kept", "conv_postcode"}, "Борги"},
		// Crisis words first: the helpline or the crisis lines, then the greeting.
		{"my partner hits me and I owe rent", lang.English, []core.Need{core.NeedDebt, core.NeedHousing},
			[]string{"conv_danger", "conv_greeting", "conv_needs_kept", "conv_postcode"}, "Debt, Housing"},
		{"I want to die, the debts are too much", lang.English, []core.Need{core.NeedDebt},
			[]string{"conv_crisis_lines", "conv_greeting", "conv_needs_kept", "conv_postcode"}, "Debt"},
		// Nothing named firmly: the languages offered.
		{"hi", "", nil, []string{"conv_greeting", "conv_languages"}, ""},
		{"I need help", "", nil, []string{"conv_greeting", "conv_languages"}, ""},
		{"1 3", "", nil, []string{"conv_greeting", "conv_languages"}, ""},
		{"other", "", nil, []string{"conv_greeting", "conv_languages"}, ""},
		{"not sure, anything", "", nil, []string{"conv_greeting", "conv_languages"}, ""},
		{"I'm at home now", "", nil, []string{"conv_greeting", "conv_languages"}, ""},
		{"of course", "", nil, []string{"conv_greeting", "conv_languages"}, ""},
		{"my phone doesn't work", "", nil, []string{"conv_greeting", "conv_languages"}, ""},
		{"my partner hits me and i am scared to go home", "", nil, []string{"conv_danger", "conv_greeting", "conv_languages"}, ""},
	} {
		t.Run(tc.opening, func(t *testing.T) {
			c, r := f.Start(convTestStart, tc.opening)
			if c.Lang != tc.lang || c.Answers.Language != tc.lang || !slices.Equal(c.Answers.Needs, tc.needs) ||
				!slices.Equal(r.Templates, tc.templates) {
				t.Fatalf("in %q (answers %q), needs %v, templates %v; want %q, needs %v, templates %v",
					c.Lang, c.Answers.Language, c.Answers.Needs, r.Templates, tc.lang, tc.needs, tc.templates)
			}
			texts := renderReply(t, f, r)
			if tc.needs == nil {
				if c.Step != StepLanguage {
					t.Errorf("at %q; want the languages offered", c.Step)
				}
				return
			}
			kept := texts[slices.Index(r.Templates, f.Messages.NeedsKept)]
			if !strings.Contains(kept, tc.says) || !strings.Contains(kept, f.In(tc.lang).KeywordKeys()["RestartKeyword"].(string)) {
				t.Errorf("the reply says %q; want the needs taken, %q, and how to start again", kept, tc.says)
			}
			if tc.lang == lang.English && strings.Contains(texts[slices.Index(r.Templates, f.Messages.Greeting)], "language") {
				t.Errorf("greeting %q offers the languages, which this reply does not list", texts[0])
			}
			if c.Answers.Outcomes["needs"] != "" || c.Misses != 0 {
				t.Errorf("needs answered %v, misses %d", c.Answers.Outcomes, c.Misses)
			}
		})
	}
	// The words besides the needs are kept for the adviser; the need word
	// alone is no more than its answer.
	if c, _ := f.Start(convTestStart, "I need help with debt and my rent"); !slices.Contains(c.Answers.FreeText, "I need help with debt and my rent") {
		t.Errorf("free text %q: want the client's first words kept", c.Answers.FreeText)
	}
	if c, _ := f.Start(convTestStart, "debt"); len(c.Answers.FreeText) != 0 {
		t.Errorf("free text %q: want nothing beside the need", c.Answers.FreeText)
	}
	// A conversation so started goes on to a referral, in English, and
	// RESTART (the way the reply gives to put a need right) starts again.
	c, r := f.Start(convTestStart, "help with benefits please")
	for _, body := range []string{"KY1 1AB", "no", "no", "Sam", "1", "1", "yes"} {
		c, r = f.In(c.Lang).Advance(c, body)
	}
	if !r.Done || !slices.Equal(c.Answers.Needs, []core.Need{core.NeedBenefits}) || c.Answers.Language != lang.English {
		t.Errorf("no referral with the needs taken: at %q, needs %v, language %q", c.Step, c.Answers.Needs, c.Answers.Language)
	}
	if f.Keyword("RESTART") != KeywordRestart {
		t.Errorf("RESTART, which the reply offers, is no keyword")
	}
}

// firmChoices reads the needs a first text names: by their words, not
// numbers, without the catch-all, without a need named by a loose word
// alone (in English or the language's own), but with one named by a firm
// word beside it.
func TestFirmChoices(t *testing.T) {
	f := loadSelfReferralFlow(t)
	for _, tc := range []struct {
		lang, body string
		want       []string
	}{
		{"en", "debt", []string{"debt"}},
		{"en", "I owe 2 months of rent", []string{"debt", "housing"}},
		{"en", "work", nil},
		{"en", "lost my job, can't afford the house", []string{"employability"}},
		{"en", "eviction from my home", []string{"housing"}},
		{"en", "something else", nil},
		{"en", "11", nil},
		{"pl", "jestem w pracy", nil},
		{"pl", "dług", []string{"debt"}},
		{"gd", "tha mi aig an taigh", nil},
		// No food for the children, in the ways a review found read as
		// Family alone, and their kin.
		{"uk", "мені нема чим годувати дітей сьогодні", []string{"food", "family"}},
		{"ar", "ما عندي أكل للأطفال الليلة", []string{"food", "family"}},
		{"ar", "لا أستطيع إطعام أطفالي", []string{"food"}},
		{"pl", "nie mam czym nakarmić dzieci", []string{"food", "family"}},
		{"pl", "dzieci są głodne", []string{"family", "food"}},
		{"ur", "بچوں کو کھلانے کو کچھ نہیں", []string{"family", "food"}},
		{"ur", "bachon ke liye khana nahi hai", []string{"food"}},
		{"gd", "chan eil dad ri ithe aig a' chloinn", []string{"food", "family"}},
	} {
		g := f.In(tc.lang)
		got, _ := g.firmChoices(g.steps["needs"], tc.body)
		if !slices.Equal(got, tc.want) {
			t.Errorf("%s: firmChoices(%q) = %v; want %v", tc.lang, tc.body, got, tc.want)
		}
	}
}
