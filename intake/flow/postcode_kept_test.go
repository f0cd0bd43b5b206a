package flow

import (
	"io/fs"
	"slices"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/onward-network/onward/core/lang"
	"github.com/onward-network/onward/templates"
)

// A postcode sent before it was asked for answers the postcode question,
// and the next reply says which postcode was taken, in the client's
// language, before the next question, so a client who sees a wrong one
// knows. A different postcode sent later is not an answer to the
// question asked then: it is asked again, and the words are kept for the
// adviser, as any reply the flow cannot use.
func TestPostcodeGivenEarlyIsConfirmed(t *testing.T) {
	f := loadSelfReferralFlow(t)
	for _, tc := range []struct {
		lang, body, says string
	}{
		{"en", "1 KY1 1AB", "Thanks, we have your postcode as KY1 1AB."},
		{"pl", "dlug ky11ab", "Dziękujemy, zapisaliśmy Twój kod pocztowy: KY1 1AB."},
		{"uk", "1 KY1 1AB", "Дякуємо, ми записали Ваш поштовий індекс: KY1 1AB."},
	} {
		t.Run(tc.lang, func(t *testing.T) {
			g := f.In(tc.lang)
			c, r := g.Advance(Conversation{Lang: tc.lang, Step: "needs", Answers: Answers{Language: tc.lang}}, tc.body)
			if c.Step != "crisis_food" || c.Answers.Postcode != "KY1 1AB" {
				t.Fatalf("at %q with postcode %q; want the food question, KY1 1AB kept", c.Step, c.Answers.Postcode)
			}
			if !slices.Equal(r.Templates, []string{f.Messages.PostcodeKept, "conv_crisis_food"}) {
				t.Errorf("templates %v; want the postcode taken, then the food question", r.Templates)
			}
			texts := renderReply(t, g, r)
			if len(texts) == 0 || texts[0] != tc.says {
				t.Errorf("reply %q; want first %q", texts, tc.says)
			}
			later, rr := g.Advance(c, "KY2 5XY")
			if later.Answers.Postcode != "KY1 1AB" || later.Step != "crisis_food" || !slices.Contains(later.Answers.FreeText, "KY2 5XY") ||
				slices.Contains(rr.Templates, f.Messages.PostcodeKept) {
				t.Errorf("another postcode later: postcode %q at %q, notes %q, templates %v; want the first kept, the question asked again, the words for the adviser",
					later.Answers.Postcode, later.Step, later.Answers.FreeText, rr.Templates)
			}
		})
	}
	// The postcode question answered in its turn says nothing more.
	c, r := f.Advance(Conversation{Step: "postcode"}, "KY1 1AB")
	if c.Step != "crisis_food" || slices.Contains(r.Templates, f.Messages.PostcodeKept) {
		t.Errorf("the postcode answered when asked: at %q, templates %v", c.Step, r.Templates)
	}
}

// A flow whose texts ask for the postcode needs the words that say which
// one was taken when it came early.
func TestLoadFlowNeedsPostcodeKept(t *testing.T) {
	base, err := fs.ReadFile(templates.FS, "flows/self_referral.yaml")
	if err != nil {
		t.Fatal(err)
	}
	broken := strings.Replace(string(base), "  postcode_kept: conv_postcode_kept\n", "", 1)
	if broken == string(base) {
		t.Fatal("the test no longer finds postcode_kept")
	}
	overlay := fstest.MapFS{"flows/self_referral.yaml": {Data: []byte(broken)}}
	files, _ := fs.Glob(templates.FS, "i18n/*.toml")
	for _, name := range files {
		b, _ := fs.ReadFile(templates.FS, name)
		overlay[name] = &fstest.MapFile{Data: b}
	}
	_, err = LoadFlow(overlay, "self_referral")
	if err == nil || !strings.Contains(err.Error(), `messages: postcode_kept template is missing: step "postcode"`) {
		t.Errorf("LoadFlow = %v, want postcode_kept required", err)
	}
}

// A postcode in the very first text (after STOP and START, "KY1 1AB")
// is kept as one sent early is: the greeting still comes first, and once
// the client has said what they need, the reply says which postcode was
// taken, in their language, in place of the postcode question.
func TestPostcodeInFirstTextIsKept(t *testing.T) {
	f := loadSelfReferralFlow(t)
	for _, tc := range []struct {
		name    string
		lang    string   // the language the flow starts in: a returning client's
		opening string   // the first text
		replies []string // to the needs question
		says    string   // the reply to the last of them starts so
	}{
		{"English, at the languages offered", lang.English, "KY1 1AB", []string{"1", "1"}, "Thanks, we have your postcode as KY1 1AB."},
		{"English, in a sentence", lang.English, "hi I am at ky11ab", []string{"1", "debt"}, "Thanks, we have your postcode as KY1 1AB."},
		{"Polish, at the languages offered", lang.English, "KY1 1AB", []string{"2", "dług"}, "Dziękujemy, zapisaliśmy Twój kod pocztowy: KY1 1AB."},
		{"Polish, by words at the languages offered", lang.English, "KY1 1AB", []string{"czynsz"}, "Dziękujemy, zapisaliśmy Twój kod pocztowy: KY1 1AB."},
		{"Polish, a returning client", "pl", "KY1 1AB", []string{"dług"}, "Dziękujemy, zapisaliśmy Twój kod pocztowy: KY1 1AB."},
		{"Ukrainian, a returning client", "uk", "ky1 1ab", []string{"1"}, "Дякуємо, ми записали Ваш поштовий індекс: KY1 1AB."},
		{"Arabic digits, a returning client", "ar", "KY١ ١AB", []string{"1"}, "شكرًا، سجّلنا رمزك البريدي: KY1 1AB."},
		{"Polish self-harm words", lang.English, "chcę umrzeć, KY1 1AB", []string{"1"}, "Dziękujemy, zapisaliśmy Twój kod pocztowy: KY1 1AB."},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c, r := f.In(tc.lang).Start(convTestStart, tc.opening)
			if i := slices.Index(r.Templates, f.Messages.Greeting); i < 0 || slices.Contains(r.Templates[:i], f.Messages.PostcodeKept) {
				t.Errorf("first reply %v; want the greeting before anything about the postcode", r.Templates)
			}
			if c.Answers.Postcode != "KY1 1AB" || c.Answers.District != "KY1" {
				t.Fatalf("first text %q: postcode %q district %q; want KY1 1AB kept", tc.opening, c.Answers.Postcode, c.Answers.District)
			}
			for _, body := range tc.replies {
				c, r = f.In(c.Lang).Advance(c, body)
			}
			if c.Step != "crisis_food" || c.Answers.Outcomes["postcode"] != "postcode" ||
				!slices.Equal(r.Templates, []string{f.Messages.PostcodeKept, "conv_crisis_food"}) {
				t.Fatalf("at %q, outcomes %v, templates %v; want the postcode taken, then the food question",
					c.Step, c.Answers.Outcomes, r.Templates)
			}
			if texts := renderReply(t, f, r); texts[0] != tc.says {
				t.Errorf("reply %q; want first %q", texts, tc.says)
			}
		})
	}
	// No postcode, a district alone, two postcodes or a keyword: nothing kept.
	for _, opening := range []string{"hello", "KY1", "KY1 2AB or KY2 5XX", "START", "POLSKI"} {
		if c, _ := f.Start(convTestStart, opening); c.Answers.Postcode != "" || c.Answers.District != "" {
			t.Errorf("first text %q kept postcode %q district %q", opening, c.Answers.Postcode, c.Answers.District)
		}
	}
}
