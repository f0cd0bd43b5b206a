package flow

import (
	"testing"
)

// yesNoCase is one reply read as the answer to a yes/no question and to
// the consent question, in a conversation in lang.
type yesNoCase struct {
	lang, in       string
	answer, assent yesNoAnswer // as a yes/no question's answer; as consent's (0: asked again)
}

// yesNoCases: a negated yes-word is never a yes, in any language; a
// refusal said with one ("absolutely not", "не так", "غير موافقة") is a
// no; consent is a yes only when nothing in the reply negates it. The
// replies an outside audit sent (audit A, finding 1) are here, with the
// true yeses and noes beside them.
var yesNoCases = []yesNoCase{
	// English: the audit's refusals.
	{"en", "absolutely not", answerNo, answerNo},
	{"en", "Absolutely NOT!", answerNo, answerNo},
	{"en", "definitely not", answerNo, answerNo},
	{"en", "of course not", answerNo, answerNo},
	{"en", "I won't agree to that", answerNo, answerNo},
	{"en", "not ok", answerNo, answerNo},
	{"en", "Not OK.", answerNo, answerNo},
	{"en", "I don't really agree", 0, 0}, // "I don't" is a no of its own, "agree" a yes: mixed
	{"en", "sure not", answerNo, answerNo},
	{"en", "I dont think so", answerNo, answerNo},
	{"en", "I dinnae agree", answerNo, answerNo},
	{"en", "ok not now", 0, 0},
	{"en", "definitely not, no way", answerNo, answerNo},
	{"en", "yes, not a problem", 0, 0},
	// English: mixed, asked again.
	{"en", "yes. well, not ok", 0, 0},
	{"en", "yes and no", 0, 0},
	{"en", "no, ok", 0, 0},
	{"en", "absolutely, no problem", 0, 0},
	// English: a yes with a negation elsewhere is a yes, but not consent.
	{"en", "yes, but don't share my address", answerYes, 0},
	{"en", "sure, why not", answerYes, 0},
	{"en", "yes I haven't eaten", answerYes, 0},
	// English: true answers.
	{"en", "yes please", answerYes, answerYes},
	{"en", "Yes!", answerYes, answerYes},
	{"en", "absolutely", answerYes, answerYes},
	{"en", "of course", answerYes, answerYes},
	{"en", "I agree", answerYes, answerYes},
	{"en", "aye", answerYes, answerYes},
	{"en", "yesss", answerYes, answerYes},
	{"en", "no", answerNo, answerNo},
	{"en", "no thanks", answerNo, answerNo},
	{"en", "nope", answerNo, answerNo},
	{"en", "not sure", answerUnsure, 0},
	{"en", "not yet", answerUnsure, 0},
	{"en", "I don't know", answerUnsure, 0},
	{"en", "nobody", 0, 0},

	// Polish.
	{"pl", "tak", answerYes, answerYes},
	{"pl", "tak, zgadzam się", answerYes, answerYes},
	{"pl", "oczywiście", answerYes, answerYes},
	{"pl", "nie", answerNo, answerNo},
	{"pl", "nie zgadzam się", answerNo, answerNo},
	{"pl", "oczywiście, że nie", answerNo, answerNo},
	{"pl", "oczywiscie ze nie", answerNo, answerNo},
	{"pl", "wcale nie ok", answerNo, answerNo},
	{"pl", "nigdy ok", answerNo, answerNo},
	{"pl", "nie ok", 0, 0}, // "nie" is a no by itself: mixed
	{"pl", "nie wiem", answerUnsure, 0},

	// Ukrainian: the audit's refusals, and the true answers.
	{"uk", "не так", answerNo, answerNo},
	{"uk", "Не так!", answerNo, answerNo},
	{"uk", "не добре", answerNo, answerNo},
	{"uk", "не дуже добре", answerNo, answerNo},
	{"uk", "звісно ні", answerNo, answerNo},
	{"uk", "ніколи не згоден", answerNo, answerNo},
	{"uk", "так, не проти", 0, 0},
	{"uk", "так", answerYes, answerYes},
	{"uk", "Так, згодна", answerYes, answerYes},
	{"uk", "добре", answerYes, answerYes},
	{"uk", "ні", answerNo, answerNo},
	{"uk", "не знаю", answerUnsure, 0},

	// Arabic: the audit's refusals (the feminine, and the dialect's
	// "not"), others, and the true answers.
	{"ar", "غير موافقة", answerNo, answerNo},
	{"ar", "مش موافق", answerNo, answerNo},
	{"ar", "مش موافقة", answerNo, answerNo},
	{"ar", "ما موافق", answerNo, answerNo},
	{"ar", "لست موافقة", answerNo, answerNo},
	{"ar", "لن أوافق", answerNo, answerNo},
	{"ar", "بالتأكيد لا", answerNo, answerNo},
	{"ar", "غير موافق", answerNo, answerNo},
	{"ar", "نعم", answerYes, answerYes},
	{"ar", "موافقة", answerYes, answerYes},
	{"ar", "نعم موافق", answerYes, answerYes},
	{"ar", "لا", answerNo, answerNo},
	{"ar", "لا أعرف", answerUnsure, 0},

	// Urdu: negation comes after the word.
	{"ur", "منظور نہیں", answerNo, answerNo},
	{"ur", "بالکل نہیں", answerNo, answerNo},
	{"ur", "متفق نہیں", answerNo, answerNo},
	{"ur", "نہ منظور", answerNo, answerNo},
	{"ur", "ہاں", answerYes, answerYes},
	{"ur", "جی ہاں", answerYes, answerYes},
	{"ur", "ٹھیک ہے", answerYes, answerYes},
	{"ur", "نہیں", answerNo, answerNo},
	{"ur", "پتا نہیں", answerUnsure, 0},

	// Gaelic.
	{"gd", "cha ceart", answerNo, answerNo},
	{"gd", "chan eil", answerNo, answerNo},
	{"gd", "tha", answerYes, answerYes},
	{"gd", "tha mi ag aontachadh", answerYes, answerYes},
	{"gd", "chan eil mi cinnteach", answerUnsure, 0},
}

func TestYesNoNegationInEveryLanguage(t *testing.T) {
	f := loadSelfReferralFlow(t)
	for _, c := range yesNoCases {
		g := f.In(c.lang)
		r := readYesNo(g.yesNo, c.in)
		if got := r.answer(); got != c.answer {
			t.Errorf("%s %q as an answer = %d, want %d", c.lang, c.in, got, c.answer)
		}
		if got := r.consent(); got != c.assent {
			t.Errorf("%s %q as consent = %d, want %d", c.lang, c.in, got, c.assent)
		}
		if yes, ok := g.YesNo(c.in); ok != (c.answer == answerYes || c.answer == answerNo) || yes != (c.answer == answerYes) {
			t.Errorf("%s YesNo(%q) = %v, %v", c.lang, c.in, yes, ok)
		}
	}
}

// TestConsentNeverFromARefusal: through the conversation, a refusal said
// with a yes-word declines, a mixed reply is asked again, and only a
// clear yes makes a referral.
func TestConsentNeverFromARefusal(t *testing.T) {
	f := loadSelfReferralFlow(t)
	for _, c := range yesNoCases {
		g := f.In(c.lang)
		conv := Conversation{Step: "consent", Lang: c.lang}
		next, r := g.Advance(conv, c.in)
		switch c.assent {
		case answerYes:
			if !r.Done || next.Answers.Consent == nil || !*next.Answers.Consent {
				t.Errorf("%s %q to consent: done %v, consent %v; want a referral", c.lang, c.in, r.Done, next.Answers.Consent)
			}
		case answerNo:
			if r.Done || !r.Declined || next.Answers.Consent == nil || *next.Answers.Consent {
				t.Errorf("%s %q to consent: done %v, declined %v; want declined", c.lang, c.in, r.Done, r.Declined)
			}
		default:
			if r.Done || r.Declined || next.Step != "consent" || next.Answers.Consent != nil {
				t.Errorf("%s %q to consent: done %v, declined %v, step %s; want the question again", c.lang, c.in, r.Done, r.Declined, next.Step)
			}
		}
	}
}

// TestCrisisQuestionsReadNegations: "definitely not" to a crisis question
// is a no, "not sure" is still a yes (an adviser checks), a mixed reply is
// asked again, and words about self-harm are never an answer, with or
// without a yes or no among them.
func TestCrisisQuestionsReadNegations(t *testing.T) {
	f := loadSelfReferralFlow(t)
	for _, c := range []struct {
		lang, step, in string
		taken, yes     bool
	}{
		{"en", "crisis_food", "definitely not", true, false},
		{"en", "crisis_food", "of course not", true, false},
		{"en", "crisis_home", "not sure", true, true},
		{"en", "crisis_home", "yes", true, true},
		{"en", "crisis_home", "yes. well, not ok", false, false},
		{"en", "crisis_food", "no, I want to end my life", false, false},
		{"en", "crisis_food", "yes I want to kill myself", false, false},
		{"uk", "crisis_food", "не так", true, false},
		{"uk", "crisis_home", "не знаю", true, true},
		{"pl", "crisis_food", "nie chcę żyć", false, false},
		{"ar", "crisis_home", "مش موافق", true, false},
	} {
		g := f.In(c.lang)
		st := g.steps[c.step]
		if st == nil {
			t.Fatalf("no step %s", c.step)
		}
		next, _ := g.Advance(Conversation{Step: c.step, Lang: c.lang}, c.in)
		taken := next.Step != c.step
		if taken != c.taken {
			t.Errorf("%s %q to %s: taken %v, want %v", c.lang, c.in, c.step, taken, c.taken)
			continue
		}
		got := next.Answers.NoFood || next.Answers.LosingHome
		if taken && got != c.yes {
			t.Errorf("%s %q to %s: yes %v, want %v", c.lang, c.in, c.step, got, c.yes)
		}
	}
}

// TestContactedReadsWordsAndNegations: the answer to "has the agency
// contacted you? Reply 1 for yes, 2 for no" in digits, words and
// negations, in the client's language or English (audit A, findings 1
// and 5).
func TestContactedReadsWordsAndNegations(t *testing.T) {
	f := loadSelfReferralFlow(t)
	const unread = -1
	for _, c := range []struct {
		lang, in string
		want     int // 1 contacted, 0 not, unread
	}{
		{"en", "1", 1}, {"en", "2", 0}, {"en", "2.", 0}, {"en", "٢", 0},
		{"en", "yes", 1}, {"en", "Yes they did", 1}, {"en", "no", 0},
		{"en", "of course not", 0}, {"en", "Not yet", 0}, {"en", "not yet, still waiting", 0},
		{"en", "nobody has called me", 0}, {"en", "They haven't", 0}, {"en", "2 not yet", 0},
		{"en", "1 yes", 1}, {"en", "1 no", unread}, {"en", "1 or 2", unread}, {"en", "12", unread},
		{"en", "what?", unread}, {"en", "not sure", unread}, {"en", "", unread},
		{"pl", "jeszcze nie", 0}, {"pl", "nikt się nie odezwał", 0}, {"pl", "tak", 1},
		{"uk", "ще ні", 0}, {"uk", "ніхто не дзвонив", 0}, {"uk", "не так", 0}, {"uk", "так", 1},
		{"ar", "لم يتصل بي أحد", 0}, {"ar", "نعم", 1},
		{"ur", "ابھی نہیں", 0}, {"ur", "جی ہاں", 1},
		{"gd", "chan eil fhathast", 0}, {"gd", "tha", 1},
	} {
		yes, ok := f.In(c.lang).Contacted(c.in)
		got := unread
		if ok {
			got = map[bool]int{true: 1, false: 0}[yes]
		}
		if got != c.want {
			t.Errorf("%s Contacted(%q) = %d, want %d", c.lang, c.in, got, c.want)
		}
	}
}

// TestScoreReadsMarks: the 1–5 feedback score, alone, among words or as a
// mark out of five; anything else is asked again (audit A, finding 5).
func TestScoreReadsMarks(t *testing.T) {
	for _, c := range []struct {
		in   string
		want int // 0: not read
	}{
		{"5", 5}, {"4!", 4}, {"٤", 4}, {"۵", 5}, {"5/5", 5}, {"4 / 5", 4}, {"4/5", 4},
		{"5 out of 5", 5}, {"4 out of 5", 4}, {"3 of 5", 3}, {"4 z 5", 4}, {"4 з 5", 4}, {"4 من 5", 4},
		{"5 میں سے 4", 4}, {"I'd give it a 4, thanks", 4}, {"4 thanks", 4},
		{"very helpful, thank you", 0}, {"3 or 4", 0}, {"4 5", 0}, {"10/10", 0}, {"6", 0}, {"0", 0},
		{"", 0}, {"5/10", 0},
	} {
		n, ok := Score(c.in)
		if ok != (c.want != 0) || n != c.want && ok {
			t.Errorf("Score(%q) = %d, %v; want %d", c.in, n, ok, c.want)
		}
	}
}
