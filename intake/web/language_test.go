package web

import (
	"net/http"
	"strings"
	"testing"

	"github.com/onward-network/onward/core/coretest"
	"github.com/onward-network/onward/core/lang"
	"github.com/onward-network/onward/templates"
)

// A browser set to Polish gets the form in Polish (its questions, choices
// and errors from the message files), with the notice that the
// translation is new; the answers given in Polish make the same referral
// as in English, with the client's language and interpreter answer kept
// and the consent recorded in Polish with its Polish hash.
func TestWebFormInPolish(t *testing.T) {
	t.Parallel()
	e := newWebEnv(t)
	b := e.browser()
	b.acceptLanguage = "pl-PL,pl;q=0.9,en;q=0.5"
	start := b.get(pathStart)
	for _, want := range []string{`<html lang="pl" dir="ltr">`, "Poproś o bezpłatną poradę", "To nowe tłumaczenie",
		`hreflang="en"`, `aria-current="true">Polski</a>`} {
		if !strings.Contains(start.Body, want) {
			t.Errorf("start page lacks %q", want)
		}
	}
	needs := b.get(pathNeeds)
	if !strings.Contains(needs.Body, "W czym potrzebujesz pomocy?") || !strings.Contains(needs.Body, "Długi") {
		t.Errorf("needs page is not in Polish:\n%s", needs.Body)
	}
	if refused := b.answer(pathNeeds, nil); !strings.Contains(refused.Body, "Zaznacz, w czym potrzebujesz pomocy") {
		t.Errorf("the error is not in Polish:\n%s", refused.Body)
	}
	a := goodAnswers()
	for _, st := range []string{pathNeeds, pathPostcode, pathFood, pathHome, pathName, pathContact, pathMethod} {
		if p := b.answer(st, a[st]); p.Status != http.StatusOK || strings.Contains(p.Body, "Wystąpił problem") {
			t.Fatalf("answer %s: status %d at %s", st, p.Status, p.Path)
		}
	}
	// Asked of a client whose language is not English.
	interp := b.get("/refer/interpreter")
	if !strings.Contains(interp.Body, "Czy chcesz tłumacza") {
		t.Fatalf("the interpreter question is not asked in Polish:\n%s", interp.Body)
	}
	b.answer("/refer/interpreter", map[string][]string{"interpreter": {"yes"}})
	b.answer(pathTime, a[pathTime])
	consent := b.get(pathConsent)
	if !strings.Contains(consent.Body, coretest.ConsentTextPolish) {
		t.Errorf("consent page does not show the Polish wording:\n%s", consent.Body)
	}
	check := b.answer(pathConsent, a[pathConsent])
	if check.Path != pathCheck || !strings.Contains(check.Body, "Sprawdź odpowiedzi") || !strings.Contains(check.Body, "Tłumacz") {
		t.Fatalf("check your answers at %s is not in Polish:\n%s", check.Path, check.Body)
	}
	done := b.send()
	if done.Path != pathDone || !strings.Contains(done.Body, "Prośba wysłana") {
		t.Fatalf("send ended at %s", done.Path)
	}
	var language, consentLang string
	var interpreter bool
	if err := e.env.Pool.QueryRow(t.Context(), `SELECT c.language, c.interpreter, k.language FROM clients c
		JOIN consents k ON k.client_id = c.id`).Scan(&language, &interpreter, &consentLang); err != nil {
		t.Fatal(err)
	}
	if language != "pl" || !interpreter || consentLang != "pl" {
		t.Errorf("client language %q interpreter %v, consent language %q; want pl, true, pl", language, interpreter, consentLang)
	}
}

// Switching language with the switcher keeps the answers given so far, and
// every client page offers every language.
func TestWebLanguageSwitchKeepsAnswers(t *testing.T) {
	t.Parallel()
	e := newWebEnv(t)
	b := e.browser()
	a := goodAnswers()
	b.get(pathStart)
	b.answer(pathNeeds, a[pathNeeds])
	b.answer(pathPostcode, a[pathPostcode])
	pl := b.get(pathPostcode + "?lang=pl")
	if !strings.Contains(pl.Body, `<html lang="pl"`) || !strings.Contains(pl.Body, `value="KY1 1AB"`) {
		t.Errorf("after switching to Polish the postcode page lost the answer or the language:\n%s", pl.Body)
	}
	// The choice is kept: the next page is Polish without asking again.
	if next := b.get(pathFood); !strings.Contains(next.Body, "Czy dziś brakuje Ci jedzenia") {
		t.Errorf("the language choice was not kept:\n%s", next.Body)
	}
	if s := e.sessionOf(b); s.Answers.Language != "pl" || len(s.Answers.Needs) != 1 {
		t.Errorf("session language %q, needs %v", s.Answers.Language, s.Answers.Needs)
	}
	cat, err := lang.Load(templates.FS, nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, l := range cat.Languages() {
		if !strings.Contains(pl.Body, `hreflang="`+l.Code+`"`) {
			t.Errorf("the switcher does not offer %s", l.English)
		}
	}
	en := b.get(pathFood + "?lang=en")
	if !strings.Contains(en.Body, `<html lang="en-GB"`) || strings.Contains(en.Body, "To nowe tłumaczenie") {
		t.Errorf("back in English the page is not English or still says the translation is new")
	}
}
