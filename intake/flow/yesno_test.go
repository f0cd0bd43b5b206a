package flow

import (
	"testing"
)

// yesNoGroup is replies in lang read alike: as a yes/no question's answer,
// and as the consent question's (0: asked again).
type yesNoGroup struct {
	lang           string
	answer, assent yesNoAnswer
	replies        []string
}

// yesNoGroups: a negated yes-word is never a yes, in any language; a
// refusal said with one ("absolutely not", "не так", "غير موافقة") is a
// no; consent is a yes only when nothing in the reply negates it. The
// replies an outside audit sent (audit A, finding 1) are here, with the
// true yeses and noes beside them.
var yesNoGroups = []yesNoGroup{
	// English: the audit's refusals, and plain noes.
	{"en", answerNo, answerNo, []string{"absolutely not", "Absolutely NOT!", "definitely not", "of course not",
		"I won't agree to that", "not ok", "Not OK.", "sure not", "I dont think so", "I dinnae agree",
		"definitely not, no way", "no", "no thanks", "nope"}},
	// English: mixed, asked again ("I don't" is a no of its own, "agree" a
	// yes); and "nobody", neither.
	{"en", 0, 0, []string{"I don't really agree", "ok not now", "yes. well, not ok",
		"yes and no", "no, ok", "nobody", "no, no problem"}},
	// Agreeing with a no-word ("no problem", "nae bother"): consent, but
	// to a question of fact ("are you going without food?") no clear
	// answer, so asked again; never a refusal (review 4).
	{"en", 0, answerYes, []string{"no problem", "No bother!", "nae bother", "no worries", "no probs",
		"not a problem", "no problem at all"}},
	{"en", answerYes, answerYes, []string{"yes, not a problem", "absolutely, no problem", "aye no bother"}},
	{"pl", 0, answerYes, []string{"nie ma problemu", "nie ma sprawy"}},
	{"uk", 0, answerYes, []string{"без проблем", "нема проблем"}},
	{"ar", 0, answerYes, []string{"لا مشكلة", "ما في مشكلة"}},
	{"ur", 0, answerYes, []string{"کوئی مسئلہ نہیں"}},
	{"gd", 0, answerYes, []string{"gun dragh"}},
	// A lone letter is a yes or no only as the whole reply: a postcode
	// spelt out is neither (a client's review: "K Y 1 2 A B" was a yes).
	{"en", answerYes, answerYes, []string{"y", "Y!"}},
	{"en", answerNo, answerNo, []string{"n"}},
	{"en", 0, 0, []string{"K Y 1 2 A B", "flat 2 n"}},
	// English: a yes with a negation elsewhere is a yes, but not consent.
	{"en", answerYes, 0, []string{"yes, but don't share my address", "sure, why not", "yes I haven't eaten"}},
	{"en", answerYes, answerYes, []string{"yes please", "Yes!", "absolutely", "of course", "I agree", "aye", "yesss"}},
	{"en", answerUnsure, 0, []string{"not sure", "not yet", "I don't know"}},

	// Polish ("nie ok" is mixed: "nie" is a no by itself).
	{"pl", answerYes, answerYes, []string{"tak", "tak, zgadzam się", "oczywiście"}},
	{"pl", answerNo, answerNo, []string{"nie", "nie zgadzam się", "oczywiście, że nie", "oczywiscie ze nie", "wcale nie ok", "nigdy ok"}},
	{"pl", 0, 0, []string{"nie ok"}},
	{"pl", answerUnsure, 0, []string{"nie wiem"}},

	// Ukrainian: the audit's refusals, and the true answers.
	{"uk", answerNo, answerNo, []string{"не так", "Не так!", "не добре", "не дуже добре", "звісно ні", "ніколи не згоден", "ні"}},
	{"uk", 0, 0, []string{"так, не проти"}},
	{"uk", answerYes, answerYes, []string{"так", "Так, згодна", "добре"}},
	{"uk", answerUnsure, 0, []string{"не знаю"}},

	// Arabic: the audit's refusals (the feminine, and the dialect's
	// "not"), others, and the true answers.
	{"ar", answerNo, answerNo, []string{"غير موافقة", "مش موافق", "مش موافقة", "ما موافق", "لست موافقة", "لن أوافق",
		"بالتأكيد لا", "غير موافق", "لا"}},
	{"ar", answerYes, answerYes, []string{"نعم", "موافقة", "نعم موافق"}},
	{"ar", answerUnsure, 0, []string{"لا أعرف"}},

	// Urdu: negation comes after the word.
	{"ur", answerNo, answerNo, []string{"منظور نہیں", "بالکل نہیں", "متفق نہیں", "نہ منظور", "نہیں"}},
	{"ur", answerYes, answerYes, []string{"ہاں", "جی ہاں", "ٹھیک ہے"}},
	{"ur", answerUnsure, 0, []string{"پتا نہیں"}},

	// Gaelic.
	{"gd", answerNo, answerNo, []string{"cha ceart", "chan eil"}},
	{"gd", answerYes, answerYes, []string{"tha", "tha mi ag aontachadh"}},
	{"gd", answerUnsure, 0, []string{"chan eil mi cinnteach"}},
}

func TestYesNoNegationInEveryLanguage(t *testing.T) {
	f := loadSelfReferralFlow(t)
	for _, c := range yesNoGroups {
		g := f.In(c.lang)
		for _, in := range c.replies {
			r := readYesNo(g.yesNo, in)
			if got := r.answer(); got != c.answer {
				t.Errorf("%s %q as an answer = %d, want %d", c.lang, in, got, c.answer)
			}
			if got := r.consent(); got != c.assent {
				t.Errorf("%s %q as consent = %d, want %d", c.lang, in, got, c.assent)
			}
			if yes, ok := g.YesNo(in); ok != (c.answer == answerYes || c.answer == answerNo) || yes != (c.answer == answerYes) {
				t.Errorf("%s YesNo(%q) = %v, %v", c.lang, in, yes, ok)
			}
		}
	}
}

// TestConsentNeverFromARefusal: through the conversation, a refusal said
// with a yes-word declines, a mixed reply is asked again, and only a
// clear yes makes a referral.
func TestConsentNeverFromARefusal(t *testing.T) {
	f := loadSelfReferralFlow(t)
	for _, c := range yesNoGroups {
		g := f.In(c.lang)
		for _, in := range c.replies {
			next, r := g.Advance(Conversation{Step: "consent", Lang: c.lang}, in)
			switch c.assent {
			case answerYes:
				if !r.Done || next.Answers.Consent == nil || !*next.Answers.Consent {
					t.Errorf("%s %q to consent: done %v, consent %v; want a referral", c.lang, in, r.Done, next.Answers.Consent)
				}
			case answerNo:
				if r.Done || !r.Declined || next.Answers.Consent == nil || *next.Answers.Consent {
					t.Errorf("%s %q to consent: done %v, declined %v; want declined", c.lang, in, r.Done, r.Declined)
				}
			default:
				if r.Done || r.Declined || next.Step != "consent" || next.Answers.Consent != nil {
					t.Errorf("%s %q to consent: done %v, declined %v, step %s; want the question again", c.lang, in, r.Done, r.Declined, next.Step)
				}
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
