package web

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/onward-network/onward/intake/flow"
)

// A client whose language the form is not in finds the link on the start
// page in any language, chooses Romanian, answers in English and sends:
// the referral asks for a Romanian interpreter.
func TestOtherLanguageJourneyToReferral(t *testing.T) {
	t.Parallel()
	e := newWebEnv(t)
	b := e.browser()
	start := b.get(pathStart + "?lang=pl")
	if start.Status != http.StatusOK || !strings.Contains(start.Body, `<a href="/refer/other-language" lang="en" hreflang="en">My language is not listed</a>`) {
		t.Fatalf("Polish start page (status %d) lacks the English link:\n%s", start.Status, start.Body)
	}
	p := b.get(pathOtherLanguage)
	for _, want := range []string{`<html lang="en-GB"`, "We will show this form in English, in simple words.",
		`<option value="ro">Romanian</option>`, `<label class="label label--m" for="language_name">Or type the name of your language</label>`} {
		if !strings.Contains(p.Body, want) {
			t.Errorf("other language page lacks %q", want)
		}
	}
	if strings.Contains(p.Body, `hreflang="pl"`) || strings.Contains(p.Body, "My language is not listed") {
		t.Error("the English-only page shows the switcher")
	}
	next := b.postRaw(pathOtherLanguage, url.Values{"csrf": {b.token()}, "language": {"ro"}})
	if next.Status != http.StatusOK || next.Path != pathNeeds || !strings.Contains(next.Body, `<html lang="en-GB"`) {
		t.Fatalf("after choosing Romanian: status %d at %s, want the first question in English", next.Status, next.Path)
	}
	a := e.sessionOf(b).Answers
	if !a.Interpreter || a.Language != "en" || a.Extra[flow.InterpreterLanguageField] != "ro" {
		t.Errorf("answers interpreter %v language %q interpreter language %q, want true en ro", a.Interpreter, a.Language, a.Extra[flow.InterpreterLanguageField])
	}
	var check *page
	good := goodAnswers()
	for _, st := range formSteps {
		check = b.answer(st, good[st])
		if check.Status != http.StatusOK {
			t.Fatalf("answer %s: status %d at %s", st, check.Status, check.Path)
		}
	}
	if check.Path != pathCheck {
		t.Fatalf("after the last question at %s", check.Path)
	}
	if !strings.Contains(check.Body, `<dt class="summary__key">Interpreter</dt>
    <dd class="summary__value">Romanian</dd>`) {
		t.Errorf("check your answers lacks Interpreter: Romanian:\n%s", check.Body)
	}
	if done := b.send(); done.Path != pathDone {
		t.Fatalf("send: status %d at %s", done.Status, done.Path)
	}
	rs := e.referrals()
	if len(rs) != 1 {
		t.Fatalf("%d referrals, want 1", len(rs))
	}
	need, err := e.env.Engine.ClientInterpreter(context.Background(), rs[0].ClientID)
	if err != nil {
		t.Fatal(err)
	}
	if got := need.Label(); got != "Interpreter wanted: Romanian" {
		t.Errorf("referral's interpreter %q, want Interpreter wanted: Romanian", got)
	}
}

// A typed name is read as a text naming the language is: in the language
// itself, a language the form is written in (which turns the form to
// it), or words that name none (kept for the adviser).
func TestOtherLanguageTyped(t *testing.T) {
	t.Parallel()
	e := newWebEnv(t)
	for _, c := range []struct {
		typed, lang, tag string
		interpreter      bool
		note             string
	}{
		{"română", "en", "ro", true, ""},
		{"Tigrinya", "en", "ti", true, ""},
		{"Polski", "pl", "", false, ""},
		{"Klingonish please", "en", "", true, "Language, for the interpreter: Klingonish"},
	} {
		t.Run(c.typed, func(t *testing.T) {
			b := e.browser()
			b.get(pathStart)
			b.get(pathOtherLanguage)
			p := b.postRaw(pathOtherLanguage, url.Values{"csrf": {b.token()}, "language_name": {c.typed}})
			if p.Status != http.StatusOK || p.Path != pathNeeds {
				t.Fatalf("status %d at %s, want the first question", p.Status, p.Path)
			}
			a := e.sessionOf(b).Answers
			if a.Language != c.lang || a.Interpreter != c.interpreter || a.Extra[flow.InterpreterLanguageField] != c.tag {
				t.Errorf("answers language %q interpreter %v tag %q, want %q %v %q", a.Language, a.Interpreter, a.Extra[flow.InterpreterLanguageField], c.lang, c.interpreter, c.tag)
			}
			if hasNote := strings.Contains(strings.Join(a.FreeText, "\n"), c.note); c.note != "" && !hasNote {
				t.Errorf("notes %q lack %q", a.FreeText, c.note)
			}
		})
	}
}

// The page says what to fix, in plain words, linked from the error
// summary to the input and tied to it with aria-describedby; nothing is
// recorded.
func TestOtherLanguageErrors(t *testing.T) {
	t.Parallel()
	e := newWebEnv(t)
	for _, c := range []struct {
		name        string
		form        url.Values
		field, want string
	}{
		{"nothing", url.Values{}, "language", "Choose your language from the list, or type the name of your language"},
		{"not in the list", url.Values{"language": {"xx-nowhere"}}, "language", "Choose your language from the list"},
		{"a number", url.Values{"language_name": {"7"}}, "language_name", "Type the name of your language in letters, for example Romanian"},
		{"too long", url.Values{"language_name": {strings.Repeat("a", 101)}}, "language_name", "The name of your language must be 100 letters or fewer"},
	} {
		t.Run(c.name, func(t *testing.T) {
			b := e.browser()
			b.get(pathStart)
			b.get(pathOtherLanguage)
			v := cloneValues(c.form)
			v.Set("csrf", b.token())
			p := b.postRaw(pathOtherLanguage, v)
			if p.Status != http.StatusBadRequest || p.Path != pathOtherLanguage {
				t.Fatalf("status %d at %s, want 400 on the page", p.Status, p.Path)
			}
			for _, want := range []string{
				`<a href="#` + c.field + `">` + c.want + `</a>`,
				`<p id="` + c.field + `-error" class="error-message"><span class="visually-hidden">Error:</span> ` + c.want + `</p>`,
				c.field + `-error"`,
				`<title>Error: Your language`,
			} {
				if !strings.Contains(p.Body, want) {
					t.Errorf("page lacks %q:\n%s", want, p.Body)
				}
			}
			if !strings.Contains(p.Body, `id="`+c.field+`"`) || !strings.Contains(p.Body, `aria-describedby="`+map[string]string{"language": "language-about", "language_name": "language_name-hint"}[c.field]+" "+c.field+`-error"`) {
				t.Errorf("the input is not described by its error:\n%s", p.Body)
			}
			if a := e.sessionOf(b).Answers; a.Interpreter || a.Extra[flow.InterpreterLanguageField] != "" {
				t.Errorf("a refused answer was recorded: %+v", a)
			}
		})
	}
	t.Run("no token", func(t *testing.T) {
		b := e.browser()
		b.get(pathStart)
		p := b.postRaw(pathOtherLanguage, url.Values{"language": {"ro"}})
		if p.Path == pathNeeds || e.sessionOf(b).Answers.Interpreter {
			t.Errorf("a post without the form's token was taken (status %d at %s)", p.Status, p.Path)
		}
	})
}
