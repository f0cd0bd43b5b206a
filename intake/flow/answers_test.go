package flow

import (
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/onward-network/onward/core"
)

func TestParseNeeds(t *testing.T) {
	p := loadSelfReferralFlow(t).steps["needs"].parser
	const (
		debt     = core.NeedDebt
		benefits = core.NeedBenefits
		income   = core.NeedIncomeMax
		housing  = core.NeedHousing
		learning = core.NeedEducation
		food     = core.NeedFood
		fuel     = core.NeedFuel
		family   = core.NeedFamily
		other    = core.NeedOther
	)
	cases := []struct {
		in   string
		want []core.Need // nil: a miss
	}{
		// numbers, every separator people use
		{"1", []core.Need{debt}},
		{"1 3", []core.Need{debt, income}},
		{"1,3", []core.Need{debt, income}},
		{"1, 3", []core.Need{debt, income}},
		{"1 and 3", []core.Need{debt, income}},
		{"1&3", []core.Need{debt, income}},
		{"1and3", []core.Need{debt, income}},
		{"1/3.", []core.Need{debt, income}},
		{"1+3", []core.Need{debt, income}},
		{"3 1", []core.Need{income, debt}},
		{"10 11", []core.Need{family, other}},
		{"one and three", []core.Need{debt, income}},
		{"debt, I have two kids", []core.Need{debt, family}},
		{"three", []core.Need{income}},
		// duplicates count once
		{"1 1 3 1", []core.Need{debt, income}},
		{"debt 1 debts", []core.Need{debt}},
		{"gas and electric", []core.Need{fuel}},
		// words and synonyms
		{"debt", []core.Need{debt}},
		{"DEBT", []core.Need{debt}},
		{"debts", []core.Need{debt}},
		{"rent", []core.Need{housing}},
		{"rent arrears", []core.Need{housing, debt}},
		{"benefits", []core.Need{benefits}},
		{"Universal Credit", []core.Need{benefits}},
		{"food bank", []core.Need{food}},
		{"foodbank", []core.Need{food}},
		{"Food bank!!", []core.Need{food}},
		{"debt and rent", []core.Need{debt, housing}},
		{"1 and rent", []core.Need{debt, housing}},
		{"council tax", []core.Need{debt}},
		{"college course", []core.Need{learning}},
		{"not sure", []core.Need{other}},
		{"don't know", []core.Need{other}},
		// mixed with junk
		{"1 and 3 please", []core.Need{debt, income}},
		{"uh 2??", []core.Need{benefits}},
		{"I need help with debt please", []core.Need{debt}},
		{"I owe 3000 on my credit card", []core.Need{debt}},
		{"Hi! 8 :)", []core.Need{food}},
		{"debt and 99", []core.Need{debt}}, // one choice's words and a number that can't be one
		// misses
		{"", nil},
		{"   ", nil},
		{"hello", nil},
		{"???", nil},
		{"0", nil},
		{"12", nil},
		{"13", nil}, // maybe "1 3", maybe not: ask again
		{"1 15", nil},
		{"1000", nil}, // an amount is not a choice
		// the digits of every keyboard clients text from
		{"١ ٣", []core.Need{debt, income}}, // Arabic-Indic
		{"۴", []core.Need{housing}},        // Eastern Arabic-Indic (Urdu)
		{"۱،۸", []core.Need{debt, food}},   // with an Arabic comma
		{"１ ３", []core.Need{debt, income}}, // full-width
		{"١٥", nil},                        // out of range in Arabic-Indic digits too
	}
	for _, c := range cases {
		values, ok := p.parse(c.in)
		var got []core.Need
		for _, v := range values {
			got = append(got, core.Need(v))
		}
		if ok != (c.want != nil) || !slices.Equal(got, c.want) {
			t.Errorf("parse(%q) = %v, %v; want %v", c.in, got, ok, c.want)
		}
	}
}

func TestParseChoiceOne(t *testing.T) {
	f := loadSelfReferralFlow(t)
	cases := []struct {
		step, in, want string // want "": a miss
	}{
		{"contact_method", "1", "text"},
		{"contact_method", "Text me", "text"},
		{"contact_method", "txt", "text"},
		{"contact_method", "2", "call"},
		{"contact_method", "phone", "call"},
		{"contact_method", "ring me please", "call"},
		{"contact_method", "3", ""},
		{"contact_method", "text or call", ""},
		{"contact_method", "whatever", ""},
		{"contact_time", "1", "morning"},
		{"contact_time", "Mornings", "morning"},
		{"contact_time", "after lunch", "afternoon"},
		{"contact_time", "evening", "evening"},
		{"contact_time", "4", "any"},
		{"contact_time", "any time", "any"},
		{"contact_time", "I don't mind", "any"},
		{"contact_time", "morning or evening", ""},
		{"contact_time", "5", ""},
		{"contact_method", "٢", "call"},
		{"contact_time", "۳", "evening"},
		{"contact_time", "٥", ""},
	}
	for _, c := range cases {
		got, _ := f.Advance(Conversation{Step: c.step}, c.in)
		value := got.Answers.ContactMethod + got.Answers.ContactTime
		if value != c.want || (c.want == "") != (got.Step == c.step) {
			t.Errorf("%s %q: value %q step %s; want %q", c.step, c.in, value, got.Step, c.want)
		}
	}
}

func TestParsePostcodeAnswer(t *testing.T) {
	cases := []struct {
		in, postcode, district string
		ok, unknown            bool
	}{
		{"KY1 1AB", "KY1 1AB", "KY1", true, false},
		{"ky11ab", "KY1 1AB", "KY1", true, false},
		{"  ky1   1ab ", "KY1 1AB", "KY1", true, false},
		{"KY1-1AB", "KY1 1AB", "KY1", true, false},
		{"EH12 9XY", "EH12 9XY", "EH12", true, false},
		{"it's KY1 1AB thanks", "KY1 1AB", "KY1", true, false},
		{"Flat 2, KY1 1AB", "KY1 1AB", "KY1", true, false},
		{"KY1", "", "KY1", true, false},
		{"ky1.", "", "KY1", true, false},
		{"don't know", "", "", false, true},
		{"dont know", "", "", false, true},
		{"Don’t know", "", "", false, true},
		{"Not sure", "", "", false, true},
		{"no idea", "", "", false, true},
		{"No", "", "", false, true},
		{"dunno!", "", "", false, true},
		{"I don't have one, no fixed address", "", "", false, true},
		{"12345", "", "", false, false},
		{"Kirkcaldy", "", "", false, false},
		{"KY1 1ABC", "", "", false, false},
		{"", "", "", false, false},
		{"I live off the A92", "", "", false, false},
		// A district with words around it (a black-box review: "Kirkcaldy
		// KY1" was refused, though "KY1" alone was taken); not a road.
		{"Kirkcaldy KY1", "", "KY1", true, false},
		{"ky1 kirkcaldy", "", "KY1", true, false},
		{"it starts with KY2", "", "KY2", true, false},
		{"I live near the M90", "", "", false, false},
		{"flat 2 KY1", "", "", false, false},
		// Shaped like a postcode, but no postcode area has those letters.
		{"XX99 9ZZ", "", "", false, false},
		{"QQ1 1AA", "", "", false, false},
		{"it's qq11aa thanks", "", "", false, false},
		{"XX99", "", "", false, false},
		// A real postcode far from the network is still a postcode.
		{"EH1 1AA", "EH1 1AA", "EH1", true, false},
		{"SW1A 2AA", "SW1A 2AA", "SW1A", true, false},
	}
	for _, c := range cases {
		pc, d, ok := parsePostcodeAnswer(c.in)
		unknown := !ok && saysUnknown(c.in)
		if pc != c.postcode || d != c.district || ok != c.ok || unknown != c.unknown {
			t.Errorf("%q: postcode %q district %q ok %v unknown %v; want %q %q %v %v",
				c.in, pc, d, ok, unknown, c.postcode, c.district, c.ok, c.unknown)
		}
	}
}

func TestParseYesNo(t *testing.T) {
	cases := []struct {
		in   string
		want yesNoAnswer
	}{
		{"yes", answerYes},
		{"YES", answerYes},
		{"Yes.", answerYes},
		{"y", answerYes},
		{"Y", answerYes},
		{"yeah", answerYes},
		{"Yeah!", answerYes},
		{"yep", answerYes},
		{"aye", answerYes},
		{"yes please", answerYes},
		{"Yes, please", answerYes},
		{"yesss", answerYes},
		{"ok", answerYes},
		{"I agree", answerYes},
		{"no", answerNo},
		{"NO", answerNo},
		{"n", answerNo},
		{"no thanks", answerNo},
		{"No thank you.", answerNo},
		{"nope", answerNo},
		{"nah", answerNo},
		{"naw", answerNo},
		{"nooo", answerNo},
		{"no, I don't", answerNo},
		{"not really", answerNo},
		{"I don't agree", answerNo},
		{"not sure", answerUnsure},
		{"no idea", answerUnsure},
		{"maybe", answerUnsure},
		{"I don't know", answerUnsure},
		{"I dont mind", answerUnsure},
		{"yes maybe", answerUnsure},
		{"yes and no", 0},
		{"hello", 0},
		{"", 0},
		{"yesterday", 0},
		{"nobody", 0},
		{"know", 0},
	}
	for _, c := range cases {
		if got := parseYesNo(c.in); got != c.want {
			t.Errorf("parseYesNo(%q) = %d, want %d", c.in, got, c.want)
		}
	}
}

func TestParseText(t *testing.T) {
	cases := []struct {
		in, want string // want "": a miss
	}{
		{"Ailsa", "Ailsa"},
		{"  Jo   Fictional ", "Jo Fictional"},
		{"My name is Ailsa", "Ailsa"},
		{"my name's Jo.", "Jo"},
		{"I'm Robin!", "Robin"},
		{"it's Kirkcaldy", "Kirkcaldy"},
		{"I live in Leven", "Leven"},
		{"Inverkeithing", "Inverkeithing"},
		{"Mary-Jane O'Fictional", "Mary-Jane O'Fictional"},
		{"Seòras", "Seòras"},
		{"", ""},
		{"123", ""},
		{"???", ""},
		{strings.Repeat("a", 61), ""},
		{"one two three four five six", ""},
	}
	for _, c := range cases {
		got, ok := parseFreeTextAnswer(c.in, 1, 60, 5)
		if got != c.want || ok != (c.want != "") {
			t.Errorf("parseFreeTextAnswer(%q) = %q, %v; want %q", c.in, got, ok, c.want)
		}
	}
}

func TestAnswersCrisis(t *testing.T) {
	for _, a := range []Answers{{NoFood: true}, {LosingHome: true}, {CrisisWords: []string{"evicted"}}, {SelfHarm: true}} {
		if !a.Crisis() {
			t.Errorf("%+v is not a crisis", a)
		}
	}
	if a := (Answers{Needs: []core.Need{core.NeedDebt}, Name: "Kit"}); a.Crisis() || a.CrisisReasons() != nil {
		t.Error("ordinary answers are a crisis")
	}
	got := Answers{NoFood: true, SelfHarm: true, CrisisWords: []string{"evicted", "end my life"}}.CrisisReasons()
	want := []string{"going without food or heating today", "wrote about suicide or self-harm", `wrote "evicted"`, `wrote "end my life"`}
	if !slices.Equal(got, want) {
		t.Errorf("CrisisReasons = %q, want %q", got, want)
	}
	many := Answers{NoFood: true, LosingHome: true, SelfHarm: true, CrisisWords: make([]string, maxCrisisWords)}
	if n := len(many.CrisisReasons()); n != maxCrisisWords {
		t.Errorf("%d crisis reasons; core takes at most %d", n, maxCrisisWords)
	}
}

func FuzzParseNeeds(f *testing.F) {
	p := loadSelfReferralFlow(f).steps["needs"].parser
	for _, s := range []string{"1 3", "1,3", "1 and 3", "1&3", "debt", "food bank", "12", "1 15", "",
		"one two", "debts rent", "\x00", "99999999999999999999", "s", "ss"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, body string) {
		values, ok := p.parse(body)
		if ok != (len(values) > 0) {
			t.Fatalf("parse(%q) = %v, %v", body, values, ok)
		}
		seen := map[string]bool{}
		for _, v := range values {
			if !core.Need(v).Valid() || seen[v] {
				t.Fatalf("parse(%q) = %v: unknown or repeated need", body, values)
			}
			seen[v] = true
		}
	})
}

// TestAnswersWithoutAccents: a Polish client who types without Polish
// letters is understood as one who types with them, in the needs
// (dlug, zasilek, zywnosc), yes/no and "don't know" answers alike.
func TestAnswersWithoutAccents(t *testing.T) {
	pl := loadSelfReferralFlow(t).In("pl")
	for _, c := range []struct {
		in   string
		want []string
	}{
		{"dlug", []string{"debt"}}, {"DŁUG", []string{"debt"}}, {"zasilek", []string{"benefits"}},
		{"zywnosc", []string{"food"}}, {"dlug i czynsz, bank zywnosci", []string{"debt", "housing", "food"}},
		{"swiadczenia i zywnosc", []string{"benefits", "food"}},
	} {
		got, ok := pl.steps["needs"].parser.parse(c.in)
		if !ok || !slices.Equal(got, c.want) {
			t.Errorf("Polish needs %q = %v, want %v", c.in, got, c.want)
		}
	}
	for in, want := range map[string]yesNoAnswer{"nie dziekuje": answerNo, "zgadzam sie": answerYes, "oczywiscie": answerYes, "moze": answerUnsure} {
		if got := parseYesNoIn(pl.yesNo, in); got != want {
			t.Errorf("Polish yes/no %q = %d, want %d", in, got, want)
		}
	}
	if !saysUnknownIn(pl.unknownWords, "nie pamietam") {
		t.Error(`"nie pamietam" is not "don't know"`)
	}
}

// TestDigitsOfEveryKeyboard: a number typed in Arabic-Indic, Urdu's or
// full-width digits is read as the same number wherever a number is an
// answer: the languages offered by number, and the digit answers to
// questions asked by text (Digit).
func TestDigitsOfEveryKeyboard(t *testing.T) {
	f := loadSelfReferralFlow(t)
	for in, want := range map[string]string{"٤": "ar", "۵": "ur", "２": "pl", " ٣. ": "uk", "٨": "", "٤٤": ""} {
		c, _ := f.Start(time.Time{}, "hi")
		c, _ = f.Advance(c, in)
		if want == "" {
			want = "en" // not a language's number: English, and the answer to the first question
		}
		if c.Lang != want {
			t.Errorf("language menu %q chose %q, want %q", in, c.Lang, want)
		}
	}
	for _, c := range []struct {
		in   string
		want int // -1: not a digit
	}{
		{"1", 1}, {" 2.", 2}, {"5!", 5}, {"٢", 2}, {"٥", 5}, {"۴", 4}, {"５", 5}, {" ١ ", 1},
		{"12", -1}, {"١٢", -1}, {"1 2", -1}, {"", -1}, {"yes", -1}, {"2a", -1},
	} {
		n, ok := Digit(c.in)
		if ok != (c.want >= 0) || (ok && n != c.want) {
			t.Errorf("Digit(%q) = %d, %v; want %d", c.in, n, ok, c.want)
		}
	}
}
