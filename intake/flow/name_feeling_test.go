package flow

import (
	"slices"
	"testing"
)

// TestNameRefusesFeelings: a reply to "what is your name?" that says how
// the client feels, or that they would rather not say, is no name (a
// reviewer found "I'm scared" stored as the client's name): the question
// is asked again, kindly, by text and on the web. Real names are taken,
// Scottish, Polish, Arabic and Urdu ones, and names that are also words
// (Hope, Joy, Grace).
func TestNameRefusesFeelings(t *testing.T) {
	f := loadSelfReferralFlow(t)
	for _, c := range []struct {
		lang, in string
		taken    bool
	}{
		{"en", "I'm scared", false}, {"en", "im so scared", false}, {"en", "I am really worried", false},
		{"en", "help me", false}, {"en", "please help", false}, {"en", "not telling", false},
		{"en", "I'd rather not say", false}, {"en", "prefer not to say", false}, {"en", "Sorry, I'm scared", false},
		{"en", "anonymous", false}, {"pl", "I'm scared", false}, {"ur", "not telling", false},
		{"en", "why?", false}, {"en", "Why do you need it?", false}, {"en", "what for", false},
		{"en", "Hope", true}, {"en", "Joy", true}, {"en", "Grace", true}, {"en", "Faith", true},
		{"en", "Ailsa", true}, {"en", "Morag Baird", true}, {"en", "Ruaridh", true}, {"en", "my name is Hope", true},
		{"en", "Hope Scott", true}, {"en", "Lost Property", true},
		{"pl", "Małgorzata", true}, {"pl", "Wojciech Szczęsny", true},
		{"ar", "Ahmed Khan", true}, {"ar", "ليلى", true}, {"ur", "Ahmed Khan", true}, {"ur", "فاطمہ", true},
	} {
		conv, r := f.In(c.lang).Advance(Conversation{Flow: f.ID, Step: "name", Lang: c.lang}, c.in)
		taken := conv.Step != "name"
		if taken != c.taken {
			t.Errorf("%s %q as a name: taken %v, want %v (name %q)", c.lang, c.in, taken, c.taken, conv.Answers.Name)
		}
		if !taken && !slices.Contains(r.Templates, f.steps["name"].reprompt) {
			t.Errorf("%s %q as a name: reply %v, want the name asked again", c.lang, c.in, r.Templates)
		}
		var a Answers
		ps := f.In(c.lang).Answer(&a, "name", map[string][]string{"name": {c.in}})
		if c.taken != (len(ps) == 0) || !c.taken && (ps[0].Code != "unclear" || a.Name != "") {
			t.Errorf("%s %q as a name on the web: problems %+v, name %q; taken should be %v", c.lang, c.in, ps, a.Name, c.taken)
		}
	}
}

// TestNameRefusesFeelingsInEveryLanguage: a client who says how they
// feel, or that they would rather not say, in their own language is no
// more taken as a name than one who says it in English: each message
// file's [words] no_name and no_name_filler. Names that are also words
// (Wiktoria, Надія, أمل, امید) are still taken.
func TestNameRefusesFeelingsInEveryLanguage(t *testing.T) {
	f := loadSelfReferralFlow(t)
	for _, c := range []struct {
		lang    string
		refused []string
		taken   []string
	}{
		{"pl", []string{"boję się", "Bardzo się boję", "jestem przestraszona", "nie powiem", "wolę nie mówić", "Po co?", "dlaczego?", "anonimowo"},
			[]string{"Wiktoria", "Marek Nowak", "nazywam się Zofia"}},
		{"uk", []string{"я боюся", "мені дуже страшно", "не скажу", "не хочу казати", "навіщо?", "Мне страшно"},
			[]string{"Надія", "Любов Коваленко", "мене звати Олена"}},
		{"ar", []string{"خائف", "أنا خايفة كثير", "لن أقول", "ليش؟", "لماذا تحتاجه؟", "مجهول"},
			[]string{"أمل", "سعيد", "اسمي ليلى"}},
		{"ur", []string{"میں پریشان ہوں", "بہت ڈر لگ رہا ہے", "نہیں بتاؤں گا", "کیوں؟", "گمنام"},
			[]string{"امید", "خوشی", "میرا نام فاطمہ ہے"}},
		{"gd", []string{"Tha an t-eagal orm", "tha mi glè dhraghail", "chan innis mi", "Carson?", "gun ainm"},
			[]string{"Màiri", "Seonag NicLeòid", "is mise Iain"}},
	} {
		for _, in := range append(c.refused, c.taken...) {
			want := slices.Contains(c.taken, in)
			conv, r := f.In(c.lang).Advance(Conversation{Flow: f.ID, Step: "name", Lang: c.lang}, in)
			if taken := conv.Step != "name"; taken != want {
				t.Errorf("%s %q as a name by text: taken %v, want %v (name %q)", c.lang, in, taken, want, conv.Answers.Name)
			} else if !taken && !slices.Contains(r.Templates, f.steps["name"].reprompt) {
				t.Errorf("%s %q as a name by text: reply %v, want the name asked again", c.lang, in, r.Templates)
			}
			var a Answers
			ps := f.In(c.lang).Answer(&a, "name", map[string][]string{"name": {in}})
			if want != (len(ps) == 0) {
				t.Errorf("%s %q as a name on the web: problems %+v, name %q; taken should be %v", c.lang, in, ps, a.Name, want)
			}
		}
	}
}
