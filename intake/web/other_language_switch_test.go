package web

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/onward-network/onward/intake/flow"
)

// A client who chose Romanian on the other language page and then turns
// the form to a language it is written in (the switcher, or naming that
// language on the page) no longer needs a Romanian interpreter: the
// referral asks only for what they answer to the form's own interpreter
// question in the language they chose (flow.ChooseLanguage).
func TestOtherLanguageThenBackToOffered(t *testing.T) {
	t.Parallel()
	e := newWebEnv(t)
	for _, tc := range []struct {
		name        string
		back        func(b *browser) *page // from the first question in English after Romanian
		interpreter string                 // the answer to the form's question, "" when not asked
		lang, want  string
	}{
		{"switcher to Polish", func(b *browser) *page { return b.get(pathNeeds + "?lang=pl") }, "yes", "pl", "Interpreter wanted: Polish"},
		{"Polish typed on the page", func(b *browser) *page {
			b.get(pathOtherLanguage)
			return b.postRaw(pathOtherLanguage, url.Values{"csrf": {b.token()}, "language_name": {"Polski"}})
		}, "no", "pl", ""},
		{"English from the page's list", func(b *browser) *page {
			b.get(pathOtherLanguage)
			return b.postRaw(pathOtherLanguage, url.Values{"csrf": {b.token()}, "language": {"en"}})
		}, "", "en", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			b := e.browser()
			b.acceptLanguage = "en-GB,en;q=0.9"
			b.get(pathStart + "?lang=pl")
			b.get(pathOtherLanguage)
			if p := b.postRaw(pathOtherLanguage, url.Values{"csrf": {b.token()}, "language": {"ro"}}); p.Path != pathNeeds {
				t.Fatalf("after choosing Romanian: status %d at %s", p.Status, p.Path)
			}
			if p := tc.back(b); p.Status != http.StatusOK || p.Path != pathNeeds && p.Path != pathNeeds+"?lang=pl" {
				t.Fatalf("back to an offered language: status %d at %s", p.Status, p.Path)
			}
			a := e.sessionOf(b).Answers
			if a.Language != tc.lang || a.Interpreter || a.Extra[flow.InterpreterLanguageField] != "" {
				t.Errorf("answers: language %q, interpreter %v for %q; want %q and no interpreter yet",
					a.Language, a.Interpreter, a.Extra[flow.InterpreterLanguageField], tc.lang)
			}
			good := goodAnswers()
			for _, st := range []string{pathNeeds, pathPostcode, pathFood, pathHome, pathName, pathContact, pathMethod} {
				b.answer(st, good[st])
			}
			if tc.interpreter != "" {
				b.answer("/refer/interpreter", url.Values{"interpreter": {tc.interpreter}})
			}
			b.answer(pathTime, good[pathTime])
			check := b.answer(pathConsent, good[pathConsent])
			if check.Path != pathCheck {
				t.Fatalf("answers ended at %s:\n%s", check.Path, check.Body)
			}
			if strings.Contains(check.Body, "Romanian") {
				t.Errorf("check your answers still names Romanian:\n%s", check.Body)
			}
			if done := b.send(); done.Path != pathDone {
				t.Fatalf("send: status %d at %s", done.Status, done.Path)
			}
			var language, named string
			if err := e.env.Pool.QueryRow(context.Background(),
				`SELECT language, interpreter_language FROM clients ORDER BY id DESC LIMIT 1`).Scan(&language, &named); err != nil {
				t.Fatal(err)
			}
			if language != tc.lang || named != "" {
				t.Errorf("client: language %q, interpreter language %q; want %q and none", language, named, tc.lang)
			}
			rs := e.referrals()
			need, err := e.env.Engine.ClientInterpreter(context.Background(), rs[len(rs)-1].ClientID)
			if err != nil {
				t.Fatal(err)
			}
			if got := need.Label(); got != tc.want {
				t.Errorf("staff read %q, want %q", got, tc.want)
			}
		})
	}
}
