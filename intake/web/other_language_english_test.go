package web

import (
	"context"
	"html"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/onward-network/onward/intake/flow"
)

// switcherEnglishRe finds the switcher's link to English on a form page.
var switcherEnglishRe = regexp.MustCompile(`<li><a href="([^"]*lang=en[^"]*)" lang="en" hreflang="en"`)

// A client who chose Tigrinya on the other language page goes on in
// English. Picking English from the switcher after that says they read
// it: the referral asks for no Tigrinya interpreter (flow.ChooseLanguage,
// as texting ENGLISH does). A link that only carries the page's language
// (?lang=en on the check page's "Change" links, for a browser set to
// Polish) is no such choice, nor is a refused cross-site post, and the
// Tigrinya interpreter stays.
func TestOtherLanguageThenEnglish(t *testing.T) {
	t.Parallel()
	e := newWebEnv(t)
	for _, tc := range []struct {
		name, browser string
		english       bool   // picks English from the switcher
		tag, want     string // the interpreter's language recorded, and what staff read
	}{
		{"switcher to English, English browser", "en-GB,en;q=0.9", true, "", ""},
		{"switcher to English, Polish browser", "pl-PL,pl;q=0.9", true, "", ""},
		{"a link that carries English, Polish browser", "pl-PL,pl;q=0.9", false, "ti", "Interpreter wanted: Tigrinya"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			b := e.browser()
			b.acceptLanguage = tc.browser
			b.get(pathStart)
			b.get(pathOtherLanguage)
			needs := b.postRaw(pathOtherLanguage, url.Values{"csrf": {b.token()}, "language": {"ti"}})
			if needs.Path != pathNeeds || e.sessionOf(b).Answers.Extra[flow.InterpreterLanguageField] != "ti" {
				t.Fatalf("after choosing Tigrinya: status %d at %s, answers %+v", needs.Status, needs.Path, e.sessionOf(b).Answers)
			}
			if tc.english {
				m := switcherEnglishRe.FindStringSubmatch(needs.Body)
				if m == nil {
					t.Fatalf("no switcher link to English on the first question:\n%s", needs.Body)
				}
				if p := b.get(html.UnescapeString(m[1])); p.Status != http.StatusOK || !strings.HasPrefix(p.Path, pathNeeds) {
					t.Fatalf("switcher to English: status %d at %s", p.Status, p.Path)
				}
			}
			if !tc.english {
				// A refused cross-site post changes nothing, whatever its
				// address says.
				refused := b.postRaw(pathNeeds+"?lang=en&switcher=1", url.Values{"csrf": {b.token()}, "needs": {"debt"}},
					"Sec-Fetch-Site", "cross-site")
				if tag := e.sessionOf(b).Answers.Extra[flow.InterpreterLanguageField]; refused.Status != http.StatusForbidden || tag != "ti" {
					t.Errorf("cross-site post with the switcher's address: status %d, interpreter language %q; want 403 and ti", refused.Status, tag)
				}
			}
			good := goodAnswers()
			var check *page
			for _, st := range formSteps {
				check = b.answer(st, good[st])
			}
			if check.Path != pathCheck {
				t.Fatalf("answers ended at %s:\n%s", check.Path, check.Body)
			}
			if !tc.english {
				change := `href="` + pathNeeds + `?lang=en"`
				if !strings.Contains(check.Body, change) {
					t.Fatalf("check your answers lacks %s:\n%s", change, check.Body)
				}
				b.get(pathNeeds + "?lang=en")
				check = b.get(pathCheck)
			}
			if named := strings.Contains(check.Body, "Tigrinya"); named != (tc.tag != "") {
				t.Errorf("check your answers names Tigrinya: %v, want %v", named, tc.tag != "")
			}
			a := e.sessionOf(b).Answers
			if a.Language != "en" || a.Extra[flow.InterpreterLanguageField] != tc.tag || a.Interpreter != (tc.tag != "") {
				t.Errorf("answers: language %q, interpreter %v for %q; want en, %q", a.Language, a.Interpreter, a.Extra[flow.InterpreterLanguageField], tc.tag)
			}
			if done := b.send(); done.Path != pathDone {
				t.Fatalf("send: status %d at %s", done.Status, done.Path)
			}
			rs := e.referrals()
			var language, named string
			if err := e.env.Pool.QueryRow(context.Background(),
				`SELECT language, interpreter_language FROM clients WHERE id = $1`, rs[len(rs)-1].ClientID).Scan(&language, &named); err != nil {
				t.Fatal(err)
			}
			if language != "en" || named != tc.tag {
				t.Errorf("client: language %q, interpreter language %q; want en, %q", language, named, tc.tag)
			}
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
