package flow

import (
	"testing"

	"github.com/onward-network/onward/core/lang"
)

// Lead-ins and chatter around a name are the client's words, not their
// name, in every language Onward ships; chatter alone is no name, and the
// question is asked again.
func TestNameLeadInsInEveryLanguage(t *testing.T) {
	f := loadSelfReferralFlow(t)
	cases := []struct {
		lang, in, want string // want "": no name in it
	}{
		{"en", "my name is Ailsa", "Ailsa"},
		{"en", "Hi, I'm Robin", "Robin"},
		{"en", "hello, my name is Jo Fictional, sorry", "Jo Fictional"},
		{"en", "Jo (Joanna)", "Jo (Joanna)"},
		{"en", "hi sorry I'm back", ""},
		{"en", "Hello?", ""},
		{"en", "sorry", ""},
		{"pl", "mam na imie Marek", "Marek"},
		{"pl", "Mam na imię Marek", "Marek"},
		{"pl", "nazywam sie Marek Nowak", "Marek Nowak"},
		{"pl", "Nazywam się Anna.", "Anna"},
		{"pl", "Dzień dobry, nazywam się Zofia Fikcyjna", "Zofia Fikcyjna"},
		{"pl", "Marek, przepraszam", "Marek"},
		{"pl", "Tu Marek", "Marek"},
		{"pl", "halo, jestem z powrotem, sorry", ""},
		{"pl", "przepraszam", ""},
		{"pl", "wróciłem", ""},
		{"pl", "Halo!", ""},
		{"uk", "мене звати Олена", "Олена"},
		{"uk", "Привіт, мене звати Олена Вигадана", "Олена Вигадана"},
		{"uk", "Меня зовут Олег", "Олег"},
		{"uk", "моє ім'я Тарас", "Тарас"},
		{"uk", "вибачте, я повернувся", ""},
		{"ar", "اسمي أحمد", "أحمد"},
		{"ar", "مرحبا، اسمي ليلى", "ليلى"},
		{"ar", "أنا سمير", "سمير"},
		{"ar", "آسف", ""},
		{"ur", "میرا نام احمد ہے", "احمد"},
		{"ur", "السلام علیکم، میرا نام فاطمہ ہے", "فاطمہ"},
		{"ur", "mera naam Bilal hai", "Bilal"},
		{"ur", "معذرت", ""},
		{"gd", "Is mise Màiri", "Màiri"},
		{"gd", "'S mise Seòras", "Seòras"},
		{"gd", "Halò, is mise Iain", "Iain"},
		{"gd", "tha mi duilich", ""},
		// English lead-ins are read in every language's conversation.
		{"pl", "my name is Marek", "Marek"},
	}
	for _, c := range cases {
		got, code := f.In(c.lang).textAnswer(c.in, 1, 60, 5)
		if got != c.want || (code == "") != (c.want != "") {
			t.Errorf("%s %q = %q (refused %q); want %q", c.lang, c.in, got, code, c.want)
		}
	}
}

// A language's lead-ins are its own: a Polish client's "jestem" (I am) is
// stripped in Polish, and an English "Jestem", however unlikely, is not.
func TestNameLeadInsAreTheLanguages(t *testing.T) {
	f := loadSelfReferralFlow(t)
	if got, _ := f.In("pl").textAnswer("jestem Marek", 1, 60, 5); got != "Marek" {
		t.Errorf("Polish %q = %q, want Marek", "jestem Marek", got)
	}
	if got, _ := f.textAnswer("jestem Marek", 1, 60, 5); got != "jestem Marek" {
		t.Errorf("English %q = %q, want it kept", "jestem Marek", got)
	}
}

// Every language adds its lead-ins and chatter in its message file, as it
// adds its yes and no words, so a language added later is not read with
// English's alone.
func TestEveryLanguageHasNameWords(t *testing.T) {
	cat := loadSelfReferralFlow(t).Catalogue()
	for _, l := range cat.Languages() {
		if l.Code == lang.English {
			continue
		}
		for _, id := range []string{"words.name_lead_in", "words.chatter"} {
			if len(lang.List(cat.Own(l.Code, id))) == 0 {
				t.Errorf("%s.toml has no %s", l.Code, id)
			}
		}
	}
}
