package web

import (
	"bytes"
	"context"
	"crypto/rand"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/onward-network/onward/core/coretest"
	"github.com/onward-network/onward/core/lang"
	"github.com/onward-network/onward/intake/leaflet"
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
	if check.Path != pathCheck || !strings.Contains(check.Body, "Sprawdź odpowiedzi") ||
		!strings.Contains(check.Body, e.web.cat.Text("pl", "flow.interpreter.label")) {
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

// answerInPolish answers every question of a client who chose Polish with
// the switcher (?lang=pl) and sends no Accept-Language, up to and
// including the consent shown in Polish, and returns "check your answers".
func (b *browser) answerInPolish() *page {
	b.t.Helper()
	if start := b.get(pathStart + "?lang=pl"); !strings.Contains(start.Body, `<html lang="pl"`) {
		b.t.Fatalf("the start page with ?lang=pl is not Polish:\n%s", start.Body)
	}
	a := goodAnswers()
	for _, st := range []string{pathNeeds, pathPostcode, pathFood, pathHome, pathName, pathContact, pathMethod} {
		if p := b.answer(st, a[st]); p.Status != http.StatusOK || strings.Contains(p.Body, "Wystąpił problem") {
			b.t.Fatalf("answer %s: status %d at %s", st, p.Status, p.Path)
		}
	}
	b.answer("/refer/interpreter", map[string][]string{"interpreter": {"no"}})
	b.answer(pathTime, a[pathTime])
	if consent := b.get(pathConsent); !strings.Contains(consent.Body, coretest.ConsentTextPolish) {
		b.t.Fatalf("the consent page does not show the Polish wording:\n%s", consent.Body)
	}
	check := b.answer(pathConsent, a[pathConsent])
	if check.Path != pathCheck {
		b.t.Fatalf("after consent: at %s, want %s", check.Path, pathCheck)
	}
	return check
}

// consentRecord is the language, version and hash of the one consent
// recorded, the client's language, and the hash of the Polish wording.
func (e *webEnv) consentRecord() (consentLang, version, clientLang string, hash, polishHash []byte) {
	e.t.Helper()
	if err := e.env.Pool.QueryRow(e.t.Context(), `SELECT k.language, k.wording_version, k.wording_sha256, c.language,
		t.sha256 FROM consents k JOIN clients c ON c.id = k.client_id
		JOIN consent_wording_translations t ON t.version = k.wording_version AND t.language = 'pl'`).Scan(
		&consentLang, &version, &hash, &clientLang, &polishHash); err != nil {
		e.t.Fatal(err)
	}
	return consentLang, version, clientLang, hash, polishHash
}

// A client who chose Polish with the switcher, and whose browser asks for
// no language, agrees to the Polish wording: the consent record says so,
// with the Polish wording's version and hash. The language lasts to the
// confirmation after the send's redirect (which carries no ?lang), and to
// the new request the confirmation offers.
func TestWebChosenLanguageLastsToTheConfirmation(t *testing.T) {
	t.Parallel()
	e := newWebEnv(t)
	b := e.browser()
	b.answerInPolish()
	done := b.send()
	if done.Path != pathDone || !strings.Contains(done.Body, `<html lang="pl" dir="ltr">`) ||
		!strings.Contains(done.Body, "Prośba wysłana") || !strings.Contains(done.Body, "Twój numer sprawy") {
		t.Errorf("the confirmation at %s is not in the Polish the client chose:\n%s", done.Path, done.Body)
	}
	if again := b.get(pathDone); !strings.Contains(again.Body, `<html lang="pl"`) {
		t.Errorf("the confirmation opened again is not in Polish")
	}
	consentLang, version, clientLang, hash, polish := e.consentRecord()
	if consentLang != "pl" || version != "v1" || clientLang != "pl" || !bytes.Equal(hash, polish) {
		t.Errorf("consent in %q version %q hash %x, client in %q; want pl, v1, the Polish hash %x, pl",
			consentLang, version, hash, clientLang, polish)
	}
	b.get(pathDone)
	restarted := b.postRaw(pathNew, url.Values{"csrf": {b.token()}})
	if restarted.Path != pathStart || !strings.Contains(restarted.Body, `<html lang="pl"`) {
		t.Errorf("a new request from the confirmation, at %s, is not in Polish", restarted.Path)
	}
}

// The consent record is in the language of the words the client agreed
// to, even when they switch language afterwards: agreed in Polish, then
// sent from "check your answers" in English, the consent is the Polish
// wording (language, version and hash) and the client's language is the
// one they chose last.
func TestWebConsentRecordedInTheLanguageItWasShownIn(t *testing.T) {
	t.Parallel()
	e := newWebEnv(t)
	b := e.browser()
	b.answerInPolish()
	if en := b.get(pathCheck + "?lang=en"); !strings.Contains(en.Body, `<html lang="en-GB"`) {
		t.Fatalf("check your answers with ?lang=en is not English")
	}
	if done := b.send(); done.Path != pathDone || !strings.Contains(done.Body, `<html lang="en-GB"`) {
		t.Fatalf("send ended at %s, or not in English", done.Path)
	}
	consentLang, version, clientLang, hash, polish := e.consentRecord()
	if consentLang != "pl" || version != "v1" || !bytes.Equal(hash, polish) || clientLang != "en" {
		t.Errorf("consent in %q version %q hash %x, client in %q; want pl, v1, the Polish hash %x, en",
			consentLang, version, hash, clientLang, polish)
	}
}

// A leaflet printed for speakers of another language links with ?lang=:
// the form it opens is in that language, and stays so.
func TestWebLeafletLinkKeepsItsLanguage(t *testing.T) {
	t.Parallel()
	e := newWebEnv(t)
	l, err := leaflet.Create(context.Background(), e.env.Pool, e.env.Clock.Now(), rand.Reader, "Polish community centre", "KY1", "pl")
	if err != nil {
		t.Fatal(err)
	}
	if link := l.Link("https://onward.example"); link != "https://onward.example/r/"+l.Code+"?lang=pl" {
		t.Errorf("the leaflet's link is %s, want its language in it", link)
	}
	b := e.browser()
	start := b.get("/r/" + l.Code + "?lang=pl")
	if start.Path != pathStart || !strings.Contains(start.Body, `<html lang="pl"`) {
		t.Errorf("the leaflet link with ?lang=pl opened %s, not in Polish", start.Path)
	}
	if again := b.get(pathStart); !strings.Contains(again.Body, `<html lang="pl"`) {
		t.Errorf("the form opened again is not in Polish")
	}
	// Typed by hand from the paper, without ?lang=: the leaflet's own
	// language (an on-call review: it opened in the browser's).
	if typed := e.browser().get("/r/" + l.Code); typed.Path != pathStart || !strings.Contains(typed.Body, `<html lang="pl"`) {
		t.Errorf("the short link without ?lang= opened %s, not in Polish", typed.Path)
	}
	// With a slash after it, as a link is sometimes typed.
	if slash := e.browser().get("/r/" + l.Code + "/"); slash.Path != pathStart || !strings.Contains(slash.Body, `<html lang="pl"`) {
		t.Errorf("the short link with a slash after it opened %s (%d), not the Polish form", slash.Path, slash.Status)
	}
	// A language the reader chooses in the link wins.
	if chosen := e.browser().get("/r/" + l.Code + "?lang=uk"); !strings.Contains(chosen.Body, `<html lang="uk"`) {
		t.Errorf("the short link with ?lang=uk did not open in Ukrainian")
	}
}

// TestWebLanguageTagInAnyCase: a printed leaflet or a partner's link may
// write the language as PL, pl-PL or pl_PL; language tags are
// case-insensitive (RFC 5646) and a region only narrows the language, so
// each opens the form in Polish, and a tag naming no shipped language
// leaves the browser's choice.
func TestWebLanguageTagInAnyCase(t *testing.T) {
	t.Parallel()
	e := newWebEnv(t)
	for _, tag := range []string{"PL", "pl-PL", "pl_pl", "Pl-Latn-PL"} {
		if page := e.browser().get(pathStart + "?lang=" + tag); !strings.Contains(page.Body, `<html lang="pl"`) {
			t.Errorf("?lang=%s did not open the form in Polish", tag)
		}
	}
	for _, tag := range []string{"xx", "de-DE", "p", "pl-"} {
		if page := e.browser().get(pathStart + "?lang=" + tag); !strings.Contains(page.Body, `<html lang="en-GB"`) {
			t.Errorf("?lang=%s did not leave the form in English", tag)
		}
	}
}

// TestWebConsentFromATabInAnotherLanguage: the client reads the consent
// in Polish, opens the page in English in another tab, then ticks the box
// in the Polish tab. The session would now record the English words, which
// that tab never showed, so the page says the words have changed and
// shows them again; what the client then agrees to is what is recorded.
func TestWebConsentFromATabInAnotherLanguage(t *testing.T) {
	t.Parallel()
	e := newWebEnv(t)
	b := e.browser()
	a := goodAnswers()
	if start := b.get(pathStart + "?lang=pl"); !strings.Contains(start.Body, `<html lang="pl"`) {
		t.Fatal("the start page with ?lang=pl is not Polish")
	}
	for _, st := range []string{pathNeeds, pathPostcode, pathFood, pathHome, pathName, pathContact, pathMethod} {
		b.answer(st, a[st])
	}
	b.answer("/refer/interpreter", map[string][]string{"interpreter": {"no"}})
	b.answer(pathTime, a[pathTime])
	polishTab := b.get(pathConsent)
	if !strings.Contains(polishTab.Body, coretest.ConsentTextPolish) || !strings.Contains(polishTab.Body, `name="language" value="pl"`) {
		t.Fatalf("the Polish consent page does not show the Polish words, or say it shows them")
	}
	token := b.token()
	if en := b.get(pathConsent + "?lang=en"); !strings.Contains(en.Body, `<html lang="en-GB"`) {
		t.Fatal("the consent page with ?lang=en is not English")
	}
	again := b.postRaw(pathConsent, url.Values{"csrf": {token}, "consent": {"yes"}, "version": {"v1"}, "language": {"pl"}})
	if again.Path != pathConsent || !strings.Contains(again.Body, "have changed") {
		t.Fatalf("the Polish tab's tick ended at %s (%d), want the consent page again saying the words have changed", again.Path, again.Status)
	}
	check := b.postRaw(pathConsent, url.Values{"csrf": {b.token()}, "consent": {"yes"}, "version": {"v1"}, "language": {"en"}})
	if check.Path != pathCheck {
		t.Fatalf("agreeing to the English words shown: at %s, want %s", check.Path, pathCheck)
	}
	if done := b.send(); done.Path != pathDone {
		t.Fatalf("send ended at %s", done.Path)
	}
	if consentLang, _, _, _, _ := e.consentRecord(); consentLang != "en" {
		t.Errorf("consent recorded in %q, want en: the words the client last agreed to", consentLang)
	}
}
