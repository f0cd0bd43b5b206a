package web

import (
	"html"
	"io/fs"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/onward-network/onward/intake/flow"
	"github.com/onward-network/onward/templates"
)

// TestWebOffersEmailOnlyWithAnAddress: the question of how to be contacted
// offers email only to a client who gave an email address (core's rule,
// core.ContactProblems), on the page as the server sends it, with no
// script; once an address is given, email is offered again.
func TestWebOffersEmailOnlyWithAnAddress(t *testing.T) {
	t.Parallel()
	e := newWebEnv(t)
	b := e.browser()
	b.get(pathStart)
	b.answer(pathContact, url.Values{"phone": {"07700 900123"}})
	p := b.get(pathMethod)
	if p.Status != http.StatusOK || p.Path != pathMethod {
		t.Fatalf("contact method page: status %d at %s", p.Status, p.Path)
	}
	if strings.Contains(p.Body, `value="email"`) {
		t.Errorf("email offered to a client who gave no email address:\n%s", between(p.Body, "<fieldset", "</fieldset>"))
	}
	for _, way := range []string{"text", "call"} {
		if !strings.Contains(p.Body, `value="`+way+`"`) {
			t.Errorf("%s not offered to a client with a mobile number", way)
		}
	}
	// Sent anyway (a page kept from before), it is refused, saying why.
	p = b.postRaw(pathMethod, url.Values{"csrf": {b.token()}, "contact_method": {"email"}})
	if msg := html.EscapeString(e.web.flow.Message("contact_method", "needs_email")); p.Status != http.StatusBadRequest || !strings.Contains(p.Body, msg) {
		t.Errorf("email chosen with no address: status %d, want 400 saying %q", p.Status, msg)
	}
	if strings.Contains(p.Body, `value="email"`) {
		t.Errorf("the refused page offers email again")
	}

	b.answer(pathContact, url.Values{"phone": {"07700 900123"}, "email": {"morag@example.com"}})
	if p = b.get(pathMethod); !strings.Contains(p.Body, `value="email"`) {
		t.Errorf("email not offered to a client who gave an address")
	}
	if p = b.answer(pathMethod, url.Values{"contact_method": {"email"}}); p.Status != http.StatusOK || p.Path == pathMethod {
		t.Errorf("email with an address: status %d at %s", p.Status, p.Path)
	}
}

// TestWebSendRefusesEmailWithNoAddress: a request asking to be contacted
// by email with no email address reaches "check your answers" only if the
// flow file lets the question take it (here a network's flow file whose
// email choice does not require an address). Sent, it is refused by core's
// rule, the one every channel keeps: the page says what is missing, in the
// client's words, linking to where an address is typed; nothing is
// written, and every answer is kept.
func TestWebSendRefusesEmailWithNoAddress(t *testing.T) {
	t.Parallel()
	base, err := fs.ReadFile(templates.FS, "flows/self_referral.yaml")
	if err != nil {
		t.Fatal(err)
	}
	const requires = "      - value: email\n        requires: email\n"
	if !strings.Contains(string(base), requires) {
		t.Fatal("the test no longer finds the email choice in the flow file")
	}
	yaml := strings.Replace(string(base), requires, "      - value: email\n", 1)
	f, err := flow.LoadFlow(overlayFS{FS: templates.FS, files: fstest.MapFS{"flows/self_referral.yaml": {Data: []byte(yaml)}}}, "self_referral")
	if err != nil {
		t.Fatal(err)
	}
	e := newWebEnv(t, func(c *Config) { c.Flow = f })
	b := e.browser()
	a := goodAnswers()
	a[pathContact] = url.Values{"phone": {"07700 900123"}}
	b.get(pathStart)
	for _, st := range formSteps {
		if st == pathMethod {
			// Not offered on the page; posted as a page from before would.
			b.get(st)
			b.postRaw(st, url.Values{"csrf": {b.token()}, "contact_method": {"email"}})
			continue
		}
		b.answer(st, a[st])
	}
	if s := e.sessionOf(b); s.Answers.ContactMethod != "email" || s.Answers.Email != "" {
		t.Fatalf("the flow file took contact method %q with email %q; the test needs email with none", s.Answers.ContactMethod, s.Answers.Email)
	}
	p := b.send()
	if p.Status != http.StatusBadRequest || p.Path != pathCheck {
		t.Fatalf("sent: status %d at %s, want 400 on %s", p.Status, p.Path, pathCheck)
	}
	summary := between(p.Body, `class="error-summary"`, "</div>")
	msg := html.EscapeString(f.Message("contact_method", "needs_email"))
	if !strings.Contains(summary, `href="`+pathContact+`#email"`) || !strings.Contains(summary, msg) {
		t.Errorf("the refusal does not link the email address with %q:\n%s", msg, summary)
	}
	e.assertNothingWritten()
	s := e.sessionOf(b)
	if s.Submitted || s.Answers.Name != "Morag Baird" || s.Answers.Phone != "07700 900123" || s.Answers.Postcode == "" ||
		s.Answers.ContactMethod != "email" || s.Answers.ContactTime != "morning" {
		t.Errorf("answers after the refusal: %+v", s.Answers)
	}
	for _, kept := range []string{"Morag Baird", "07700 900123"} {
		if !strings.Contains(p.Body, kept) {
			t.Errorf("check your answers no longer shows %q", kept)
		}
	}
}
