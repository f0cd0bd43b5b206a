package web

import (
	"fmt"
	"html"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/onward-network/onward/core/coretest"
)

// Words about self-harm or about danger from someone, typed in a box of
// the form, are answered as a text with them is: the crisis panel opens
// with the self-harm words ("You don't have to cope alone.") and gives
// the domestic abuse helpline, as a link, after 999. The helpline stays
// on every later page, the confirmation too; words about neither add
// nothing.
func TestWebAnswersSelfHarmAndDangerAsTextsDo(t *testing.T) {
	t.Parallel()
	e := newWebEnv(t)
	const lead, helpline = "You don&#39;t have to cope alone.", `<a href="tel:08000271234" dir="ltr">0800 027 1234</a>`
	for _, c := range []struct {
		name, path, field, typed string
		selfHarm, danger         bool
	}{
		{"self-harm as a name", pathName, "name", "i want to die", true, false},
		{"danger as a name", pathName, "name", "my partner hits me", false, true},
		{"both as a name", pathName, "name", "he hits me and i want to die", true, true},
		{"danger as a town", pathTown, "town", "im scared of him", false, true},
		{"a greeting as a name", pathName, "name", "hi", false, false},
	} {
		t.Run(c.name, func(t *testing.T) {
			b := e.browser()
			b.get(pathStart)
			p := b.answer(c.path, url.Values{c.field: {c.typed}})
			if p.Status != http.StatusBadRequest {
				t.Fatalf("%q as the %s: status %d, want 400", c.typed, c.field, p.Status)
			}
			panel := between(p.Body, `<section class="crisis"`, "</section>")
			if got := strings.Contains(panel, lead); got != c.selfHarm {
				t.Errorf("the crisis panel has the self-harm words: %t, want %t:\n%s", got, c.selfHarm, panel)
			}
			if got := strings.Contains(panel, helpline); got != c.danger {
				t.Errorf("the crisis panel has the domestic abuse helpline: %t, want %t:\n%s", got, c.danger, panel)
			}
			if i := strings.Index(panel, helpline); i >= 0 && i < strings.Index(panel, "tel:999") {
				t.Errorf("the helpline comes before 999:\n%s", panel)
			}
			if strings.Contains(p.Body, "60 characters") {
				t.Errorf("%q is told of a limit it is within", c.typed)
			}
			if !c.danger {
				return
			}
			next := b.answer(pathName, url.Values{"name": {"Sam"}})
			if next.Path != pathContact || !strings.Contains(next.Body, helpline) {
				t.Errorf("the next page (%s) does not give the helpline again", next.Path)
			}
		})
	}

	// Self-harm words in another language move the page to it: the
	// question and its error come back in that language too, not in the
	// page's old one (a client's review: a Polish heading and error in an
	// Arabic page).
	pl := e.browser()
	pl.get(pathStart + "?lang=pl")
	moved := pl.answer(pathName, url.Values{"name": {"لا أريد أن أعيش"}})
	if moved.Status != http.StatusBadRequest || !strings.Contains(moved.Body, `<html lang="ar" dir="rtl"`) ||
		strings.Contains(moved.Body, "Jak masz na imię?") {
		t.Errorf("self-harm words in Arabic on a Polish page: %d, want the Arabic page with the question in Arabic", moved.Status)
	}

	// The confirmation keeps it too.
	b := e.browser()
	b.get(pathStart)
	b.answer(pathName, url.Values{"name": {"my partner hits me"}})
	b.fill(goodAnswers(), pathStart)
	if done := b.send(); done.Path != pathDone || !strings.Contains(done.Body, helpline) {
		t.Errorf("the confirmation (%s) does not give the helpline", done.Path)
	}
}

// The crisis panel's self-harm words and helpline line in every shipped
// language, from the text channel's own messages: each language's own
// words (the lead is not the English), the helpline as a link, and
// neither repeating what the panel lists itself (999, 116 123, 111).
// testdata/web/crisis_words.golden shows them.
func TestWebCrisisWordsInEveryLanguage(t *testing.T) {
	t.Parallel()
	e := newWebEnv(t)
	n, err := e.env.Engine.Network(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	english, _ := e.web.crisisWords(n, "en", true, false)
	var golden strings.Builder
	for _, l := range e.web.cat.Languages() {
		lead, line := e.web.crisisWords(n, l.Code, true, true)
		if lead == "" || l.Code != "en" && lead == english {
			t.Errorf("%s: the self-harm words are %q", l.Code, lead)
		}
		if !strings.Contains(string(line), `<a href="tel:08000271234" dir="ltr">0800 027 1234</a>`) {
			t.Errorf("%s: the helpline line has no link to the helpline: %s", l.Code, line)
		}
		for _, said := range []string{"999", "116 123", "111"} {
			if strings.Contains(lead, said) || strings.Contains(html.UnescapeString(string(line)), said) {
				t.Errorf("%s: the panel's words repeat %s: %q, %s", l.Code, said, lead, line)
			}
		}
		fmt.Fprintf(&golden, "%s lead: %s\n%s line: %s\n", l.Code, lead, l.Code, line)
	}
	coretest.Golden(t, "testdata/web/crisis_words.golden", golden.String())
}
