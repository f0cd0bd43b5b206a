package flow

import (
	"io/fs"
	"slices"
	"strings"
	"testing"
	"testing/fstest"

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
