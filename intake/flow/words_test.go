package flow

import (
	"io/fs"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/onward-network/onward/core/lang"
	"github.com/onward-network/onward/templates"
)

// Keywords work in every shipped language, in every conversation whatever
// its language, as the whole message only; the English carrier words
// always work; Arabic written with or without vowel marks or hamza, and
// Urdu typed on an Arabic keyboard, are the same word.
func TestKeywordsInEveryLanguage(t *testing.T) {
	f, err := LoadFlow(templates.FS, "self_referral")
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		in   string
		want Keyword
	}{
		{"STOP", KeywordStop}, {"help", KeywordHelp}, {"START", KeywordStart}, {"restart", KeywordRestart},
		{"Pomoc?", KeywordHelp}, {"koniec", KeywordStop}, {"WYCOFAJ", KeywordWithdraw}, {"od nowa", KeywordRestart},
		{"Потрібна допомога з боргами", KeywordNone}, {"Допомога", KeywordHelp}, {"стоп!", KeywordStop},
		{"ВІДКЛИКАЮ ЗГОДУ", KeywordWithdraw},
		{"توقف", KeywordStop}, {"تَوَقَّف", KeywordStop}, {"ايقاف", KeywordStop}, {"مساعدة", KeywordHelp},
		{"أحتاج مساعدة في الديون", KeywordNone},
		{"بند کریں", KeywordStop}, {"مدد", KeywordHelp}, {"دوباره شروع", KeywordRestart}, // Arabic heh for Urdu's
		{"STAD", KeywordStop}, {"Cuideachadh", KeywordHelp}, {"toisich a-rithist", KeywordRestart},
		{"I can't stop worrying", KeywordNone}, {"pomocy", KeywordHelp}, {"tak", KeywordNone}, {"نہیں", KeywordNone},
	}
	for _, lang := range []string{"en", "pl", "ar"} {
		g := f.In(lang)
		for _, c := range cases {
			if got := g.Keyword(c.in); got != c.want {
				t.Errorf("in a %s conversation, Keyword(%q) = %s, want %s", lang, c.in, got, c.want)
			}
		}
	}
	// Every word each message file lists is its keyword.
	cat := f.Catalogue()
	for _, l := range cat.Languages() {
		for _, ki := range keywordIDs {
			for _, w := range lang.List(cat.Own(l.Code, ki.id)) {
				if got := f.Keyword(w); got != ki.k {
					t.Errorf("%s: Keyword(%q) = %s, want %s", l.English, w, got, ki.k)
				}
			}
		}
		if l.Code != lang.English {
			for _, id := range []string{"sms_words.stop", "sms_words.start", "sms_words.help", "sms_words.crisis", "sms_words.self_harm"} {
				if cat.Own(l.Code, id) == "" {
					t.Errorf("%s has no %s", l.English, id)
				}
			}
		}
	}
}

// A message file whose keyword is also one of its yes or no words, or a
// language's name, or another keyword, is refused at load.
func TestLoadFlowRefusesAmbiguousKeywords(t *testing.T) {
	for _, c := range []struct{ from, to, want string }{
		{`stop = "STOP, KONIEC`, `stop = "STOP, NIE, KONIEC`, `Polish: sms_words.stop "NIE" is already a yes or no answer in Polish`},
		{`help = "POMOC`, `help = "POMOC, POLSKI`, `Polish: sms_words.help "POLSKI" is already the name of a language (Polish)`},
		{`help = "POMOC`, `help = "POMOC, KONIEC`, `Polish: sms_words.help "KONIEC" is already the STOP keyword`},
		// Every language's keywords are read in every conversation, so a
		// keyword is checked against every language's answers.
		{`help = "POMOC`, `help = "POMOC, ТАК`, `Polish: sms_words.help "ТАК" is already a yes or no answer in Ukrainian`},
	} {
		overlay := fstest.MapFS{}
		files, _ := fs.Glob(templates.FS, "*/*")
		for _, name := range files {
			b, _ := fs.ReadFile(templates.FS, name)
			overlay[name] = &fstest.MapFile{Data: b}
		}
		pl := string(overlay["i18n/pl.toml"].Data)
		if !strings.Contains(pl, c.from) {
			t.Fatalf("pl.toml no longer has %q", c.from)
		}
		overlay["i18n/pl.toml"] = &fstest.MapFile{Data: []byte(strings.Replace(pl, c.from, c.to, 1))}
		_, err := LoadFlow(overlay, "self_referral")
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: LoadFlow = %v, want %q", c.to, err, c.want)
		}
	}
}

// KeywordClash is the one check of a keyword, at load and for a
// network's withdraw keyword: another keyword, a language's name, or an
// answer in any language is a clash; the keyword itself, in any of its
// languages, and a word that means nothing, are not.
func TestKeywordClash(t *testing.T) {
	f, err := LoadFlow(templates.FS, "self_referral")
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		word string
		k    Keyword
		want string
	}{
		{"YES", KeywordWithdraw, "a yes or no answer in English"},
		{"nope", KeywordWithdraw, "a yes or no answer in English"},
		{"maybe", KeywordWithdraw, `a "not sure" answer in English`},
		{"TAK", KeywordWithdraw, "a yes or no answer in Polish"},
		{"stop", KeywordWithdraw, "the STOP keyword"},
		{"Help", KeywordWithdraw, "the HELP keyword"},
		{"KONIEC", KeywordHelp, "the STOP keyword"},
		{"POLSKI", KeywordWithdraw, "the name of a language (Polish)"},
		{"WYCOFAJ", KeywordWithdraw, ""},
		{"STOP", KeywordStop, ""},
		{"QUIT", KeywordStop, ""},
		{"LEAVE", KeywordWithdraw, ""},
		{"długi", KeywordWithdraw, "an answer to the needs question in Polish"},
		{"wieczorem", KeywordHelp, "an answer to the contact_time question in Polish"},
		{"pomiń", KeywordRestart, "a skip of a question in Polish"},
		{"ZADZWOŃ", KeywordHelp, "the call-back word in Polish"},
		{"ميسج بند", KeywordStop, ""},
	} {
		if got := f.KeywordClash(c.word, c.k); got != c.want {
			t.Errorf("KeywordClash(%q, %s) = %q, want %q", c.word, c.k, got, c.want)
		}
	}
	// A call-back word: any keyword or answer clashes, but the call
	// choice's own word, which asks for the call either way.
	for word, want := range map[string]string{
		"ZADZWOŃ": "", "zadzwon": "", "FÒN": "", "POMOC": "the HELP keyword",
		"TAK": "a yes or no answer in Polish", "evening": "an answer to the contact_time question in English",
	} {
		if got := f.CallbackClash(word); got != want {
			t.Errorf("CallbackClash(%q) = %q, want %q", word, got, want)
		}
	}
}

// A language's name switches to it however it is written: with or without
// Arabic vowel marks, with ه for ة or Persian/Urdu ye for Arabic's, with
// the word for "language", without accents; in any conversation, and as
// the answer to the languages offered by number. Inside a sentence it is
// not a switch.
func TestDetectLanguageSpellings(t *testing.T) {
	f := loadSelfReferralFlow(t)
	for in, want := range map[string]string{
		"اُردو": "ur", "اُردُو": "ur", "اردو": "ur", "اردو زبان": "ur", "URDU": "ur",
		"العَرَبِيَّة": "ar", "عَرَبِي": "ar", "العربيه": "ar", "عربی": "ar", "عربى": "ar", "العربية": "ar", "اللغة العربية": "ar",
		"Українська мова": "uk", "українська": "uk", "Українською мовою!": "uk",
		"polski.": "pl", "Język polski": "pl", "jezyk polski": "pl", "Gaidhlig": "gd", "GÀIDHLIG": "gd", "english": "en",
		"I speak polski a bit": "", "мова": "", "عربي كويس": "", "": "", "1": "",
	} {
		for _, code := range []string{"en", "pl", "ar"} {
			got, ok := f.In(code).DetectLanguage(in)
			if got != want || ok != (want != "") {
				t.Errorf("in a %s conversation DetectLanguage(%q) = %q, %v; want %q", code, in, got, ok, want)
			}
		}
		if want == "" {
			continue
		}
		c, _ := f.Start(convTestStart, "hi")
		if c, _ = f.Advance(c, in); c.Lang != want {
			t.Errorf("%q to the languages offered chose %q, want %q", in, c.Lang, want)
		}
		c = Conversation{Step: "postcode", Lang: "en"}
		if c, _ = f.Advance(c, in); c.Lang != want || c.Step != "postcode" {
			t.Errorf("%q at the postcode question: language %q at %s, want %q there", in, c.Lang, c.Step, want)
		}
	}
}

// A keyword shows its language when it is one language's alone; a word
// several share shows none.
func TestKeywordLanguage(t *testing.T) {
	f := loadSelfReferralFlow(t)
	for in, want := range map[string]string{
		"СТОП": "uk", "توقف": "ar", "تَوَقَّف": "ar", "بند کریں": "ur", "STAD": "gd", "POMOC": "pl", "pomoc!": "pl",
		"مساعدة": "ar", "CUIDEACHADH": "gd", "Toisich": "gd", "WYCOFAJ": "pl", "HELP": "en", "UNSUBSCRIBE": "en",
		"STOP": "", "START": "", "polski": "", "nie": "", "": "",
	} {
		got, ok := f.KeywordLanguage(in)
		if ok != (want != "") || ok && got != want {
			t.Errorf("KeywordLanguage(%q) = %q, %v; want %q", in, got, ok, want)
		}
	}
}
