package web

import (
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
)

// refused posts v to path as the server's edge would refuse it (Refuse,
// status 400: characters PostgreSQL cannot store), with b's cookies.
func (b *browser) refused(path string, v url.Values) (int, string) {
	b.t.Helper()
	req := httptest.NewRequest(http.MethodPost, path, strings.NewReader(v.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	for _, c := range b.c.Jar.Cookies(mustURL(b.e.srv.URL)) {
		req.AddCookie(c)
	}
	rec := httptest.NewRecorder()
	b.e.web.Refuse(rec, req, http.StatusBadRequest, "Bad Request", "the form holds characters that cannot be read")
	return rec.Code, rec.Body.String()
}

// An answer holding characters Onward cannot store (a NUL, bytes that
// are not UTF-8) gets its question again, as any refused answer does:
// the box named in the error summary and beside it, what was typed shown
// back without what cannot be shown, and nothing saved. Posts that are
// not a question's answer keep the form's "we could not read your
// answer" page.
func TestWebUnreadableAnswerNamesItsBox(t *testing.T) {
	t.Parallel()
	e := newWebEnv(t)
	for _, c := range []struct {
		name, path string
		values     url.Values
		field      string // the box named
		label      string // its label, as the error says it
		shown      string // what the box holds again
	}{
		{"a NUL in the postcode", pathPostcode, url.Values{"postcode": {"EH1\x001AA"}}, "postcode", "Postcode", `value="EH11AA"`},
		{"not UTF-8 in a name", pathName, url.Values{"name": {"Zo\xffe"}}, "name", "Name", `value="Zoe"`},
		{"a NUL in the phone", pathContact, url.Values{"phone": {"07700\x00900123"}, "email": {"sam@example.com"}}, "phone", "UK phone number", `value="07700900123"`},
	} {
		t.Run(c.name, func(t *testing.T) {
			b := e.browser()
			b.get(pathStart + "?lang=en")
			b.get(c.path)
			v := cloneValues(c.values)
			v.Set("csrf", b.token())
			status, body := b.refused(c.path, v)
			if status != http.StatusBadRequest || strings.Contains(body, "We could not read your answer") {
				t.Fatalf("status %d, want 400 with the question again:\n%s", status, body)
			}
			summary := between(body, `class="error-summary"`, "</div>")
			want := c.label + ": we could not read some of the characters you typed"
			if !strings.Contains(summary, `href="#`+c.field+`"`) || !strings.Contains(summary, want) {
				t.Errorf("the error summary does not name the %s box (%q):\n%s", c.field, want, summary)
			}
			if !strings.Contains(body, `id="`+c.field+`-error"`) {
				t.Errorf("no error beside the %s box", c.field)
			}
			if !strings.Contains(body, c.shown) || strings.Contains(body, "\x00") || strings.Contains(body, "\xff") {
				t.Errorf("the box does not show back %s, without what cannot be shown", c.shown)
			}
			if s := e.sessionOf(b); len(s.Answers.Outcomes) != 0 {
				t.Errorf("an unreadable answer was saved: %v", s.Answers.Outcomes)
			}
		})
	}
	b := e.browser()
	b.fill(goodAnswers(), pathStart)
	if status, body := b.refused(pathCheckCode, url.Values{"csrf": {b.token()}, "code": {"1\x002"}}); status != http.StatusBadRequest ||
		!strings.Contains(body, "We could not read your answer") {
		t.Errorf("a code typed back: %d, want the form's unreadable page:\n%s", status, body)
	}
	e.assertNothingWritten()
}
