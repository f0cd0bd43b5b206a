package flow

import (
	"io/fs"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/onward-network/onward/core"
	"github.com/onward-network/onward/core/lang"
	"github.com/onward-network/onward/templates"
)

// parsedNeeds is what the needs question of language code reads in, as
// "debt,housing" ("" for a miss).
func parsedNeeds(f *Flow, code, in string) string {
	values, ok := f.In(code).steps["needs"].parser.parse(in)
	if !ok {
		return ""
	}
	return strings.Join(values, ",")
}

// Every choice's label, as the menu shows it, is read as that choice, in
// every language and at every numbered question: a client who texts back
// the words beside 4 ("السكن") was told "Sorry, I didn't understand".
func TestChoiceLabelsAreRead(t *testing.T) {
	f := loadSelfReferralFlow(t)
	for _, l := range f.Catalogue().Languages() {
		g := f.In(l.Code)
		for _, id := range g.order {
			st := g.steps[id]
			if st.parser == nil || !st.asks(core.ChannelSMS) {
				continue
			}
			for i, ch := range st.choices {
				values, ok := st.parser.parse(ch.Label)
				if !ok || len(values) != 1 || values[0] != st.values[i] {
					t.Errorf("%s %s: the label %q reads as %v, %v; want %s", l.Code, id, ch.Label, values, ok, st.values[i])
				}
			}
		}
	}
}

// Arabic writes the article joined to its word, and every label carries
// it: "الديون" and "ديون" are both debt, and so are the forms with "و",
// "ب" and "ل" joined before it.
func TestArabicArticleForms(t *testing.T) {
	f := loadSelfReferralFlow(t)
	for in, want := range map[string]string{
		"السكن":  "housing",
		"الديون": "debt",
		"الصحة":  "health",
		"الأسرة": "family",
		"الطعام": "food",
		"العمل":  "employability",
		"أحتاج مساعدة في السكن": "housing",
		"مساعدة بالسكن":         "housing",
		"مشكلة بالديون والسكن":  "debt,housing",
		"ديون وإيجار":           "debt,housing",
		"سكن":                   "housing",
		"عندي ديون":             "debt",
		"الصحة النفسية":         "health",
		"بنك الطعام":            "food",
		"أحتاج المساعدة للطعام": "food",
		"الديون 4":              "debt,housing",
		"4 السكن":               "housing",
		"مرحبا":                 "",
		"الم في الظهر كثير جدا": "", // "ألم" (pain) typed without its hamza is no "ال" word
	} {
		if got := parsedNeeds(f, "ar", in); got != want {
			t.Errorf("ar needs %q = %q; want %q", in, got, want)
		}
	}
	for in, want := range map[string]string{"الصباح": "morning", "المساء": "evening"} {
		g := f.In("ar")
		got, _ := g.Advance(Conversation{Step: "contact_time", Lang: "ar", Answers: Answers{Language: "ar"}}, in)
		if got.Answers.ContactTime != want {
			t.Errorf("ar contact_time %q = %q; want %q", in, got.Answers.ContactTime, want)
		}
	}
}

// Adding the labels and the article forms takes no listed synonym from
// its choice: each still reads as its own choice alone.
func TestSynonymsKeepTheirChoice(t *testing.T) {
	f := loadSelfReferralFlow(t)
	cat := f.Catalogue()
	for _, l := range cat.Languages() {
		g := f.In(l.Code)
		st := g.steps["needs"]
		for _, v := range st.values {
			for _, s := range choiceWords(l.Code, "", lang.List(cat.Own(l.Code, "flow.needs.choices."+v+".synonyms"))) {
				if strings.HasSuffix(s, "*") {
					continue
				}
				if got := parsedNeeds(f, l.Code, s); got != v {
					t.Errorf("%s %q = %q; want %s", l.Code, s, got, v)
				}
			}
		}
	}
}

// A first text of a label alone tells its language, as a synonym does.
func TestLabelTellsLanguage(t *testing.T) {
	f := loadSelfReferralFlow(t)
	for in, want := range map[string]string{"السكن": "ar", "الديون": "ar"} {
		if got, ok := f.answerLanguage(in); !ok || got != want {
			t.Errorf("answerLanguage(%q) = %q, %v; want %s", in, got, ok, want)
		}
	}
}

// The needs are read in the word forms a sentence puts them in (review
// 5: "mam problem z mieszkaniem", "pomoc z długami", "проблеми з
// житлом" were not understood), through the forms and stems
// ("czynsz*") the message files list, and no stem takes a word it
// merely starts ("naprawdę", really, is no "naprawa", repair).
func TestNeedsInTheirWordForms(t *testing.T) {
	f := loadSelfReferralFlow(t)
	for _, c := range []struct{ lang, in, want string }{
		{"pl", "mam problem z mieszkaniem", "housing"},
		{"pl", "pomoc z długami", "debt"},
		{"pl", "mam problem z czynszem i długi", "housing,debt"},
		{"pl", "zadłużenie na karcie, komornikiem grozi", "debt"},
		{"pl", "naprawdę potrzebuję pomocy z czynszem", "housing"},
		{"pl", "nie mam pieniędzy na jedzenie", "income-maximisation,food"},
		{"pl", "problemy z zasiłkiem", "benefits"},
		{"pl", "sprawy rodzinne i rozwód", "family"},
		{"uk", "проблеми з житлом", "housing"},
		{"uk", "потрібна допомога з боргами", "debt"},
		{"uk", "борги і оренда", "debt,housing"},
		{"uk", "немає роботи", "employability"},
		{"uk", "соціальна допомога", "benefits"},
		{"gd", "mo thaigh", "housing"},
		{"gd", "cuideachadh le fhiachan", "debt"},
		{"ur", "قرضوں کی مدد", "debt"},
		{"ur", "بچوں کا مسئلہ", "family"},
	} {
		if got := parsedNeeds(f, c.lang, c.in); got != c.want {
			t.Errorf("%s needs %q = %q; want %q", c.lang, c.in, got, c.want)
		}
	}
}

// A synonym may end in a stem ("czynsz*") of four letters or more; a
// shorter one fails the load, naming the choice.
func TestSynonymStemsAtLoad(t *testing.T) {
	m := fstest.MapFS{}
	for _, p := range []string{"flows/self_referral.yaml", "i18n/en.toml"} {
		b, err := fs.ReadFile(templates.FS, p)
		if err != nil {
			t.Fatal(err)
		}
		m[p] = &fstest.MapFile{Data: b}
	}
	en := string(m["i18n/en.toml"].Data)
	for syn, wantErr := range map[string]bool{"arrear*": false, "arr*": true} {
		s := strings.Replace(en, `synonyms = "debt, arrears,`, `synonyms = "debt, `+syn+`, arrears,`, 1)
		m["i18n/en.toml"] = &fstest.MapFile{Data: []byte(s)}
		_, err := LoadFlow(m, "self_referral")
		if (err != nil) != wantErr || (err != nil && !strings.Contains(err.Error(), "stem")) {
			t.Errorf("synonym %q: %v", syn, err)
		}
	}
}
