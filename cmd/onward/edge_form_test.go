package main

import (
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"
)

// TestEdgeRefusalsOfTheFormAreItsOwnPages: a form answer the edge refuses
// (a NUL, invalid UTF-8) reaches the client as the web form's own error
// page, as its other refusals do: status 400, HTML in the language the
// client chose (?lang=pl, kept on their session; their browser asks for
// none), with the network's phone and a way back to the question. An
// unreadable address under the form is its page-not-found page.
func TestEdgeRefusalsOfTheFormAreItsOwnPages(t *testing.T) {
	a, _, _ := smsWebhook(t)
	h, err := newHandler(a)
	if err != nil {
		t.Fatal(err)
	}
	var cookies []*http.Cookie
	do := func(method, target, body string) *httptest.ResponseRecorder {
		r := httptest.NewRequest(method, target, strings.NewReader(body))
		if body != "" {
			r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		}
		for _, c := range cookies {
			r.AddCookie(c)
		}
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, r)
		if set := rec.Result().Cookies(); len(set) > 0 {
			cookies = set
		}
		return rec
	}
	if rec := do(http.MethodGet, "/refer?lang=pl", ""); rec.Code != http.StatusOK || !strings.Contains(rec.Body.String(), `<html lang="pl"`) {
		t.Fatalf("start in Polish: %d", rec.Code)
	}
	page := do(http.MethodGet, "/refer/name", "")
	m := regexp.MustCompile(`name="csrf" value="([^"]+)"`).FindStringSubmatch(page.Body.String())
	if m == nil {
		t.Fatalf("no form token on the name question (%d):\n%s", page.Code, page.Body.String())
	}
	for _, c := range []struct {
		name, method, target, body string
		want                       int
		words                      string // the page's heading, in Polish
		back                       string
	}{
		{"NUL in a name", http.MethodPost, "/refer/name", "csrf=" + m[1] + "&name=Bob%00Smith", http.StatusBadRequest,
			"Imię: nie udało się odczytać niektórych znaków", "/refer"},
		{"invalid UTF-8 in a name", http.MethodPost, "/refer/name", "csrf=" + m[1] + "&name=%FF%FE", http.StatusBadRequest,
			"Imię: nie udało się odczytać niektórych znaków", "/refer"},
		{"NUL in a code typed back", http.MethodPost, "/refer/check/code", "csrf=" + m[1] + "&code=1%002", http.StatusBadRequest,
			"Nie udało się odczytać odpowiedzi", "/refer/check"},
		{"invalid UTF-8 in a withdrawal", http.MethodPost, "/withdraw", "csrf=" + m[1] + "&reference=%FF", http.StatusBadRequest,
			"Nie udało się odczytać odpowiedzi", "/withdraw"},
		{"invalid UTF-8 in a question's address", http.MethodGet, "/refer/name?x=%FF", "", http.StatusBadRequest,
			"Nie udało się odczytać odpowiedzi", "/refer/name"},
		{"NUL in the form's address", http.MethodGet, "/refer/%00", "", http.StatusNotFound, "Nie znaleziono strony", ""},
	} {
		rec := do(c.method, c.target, c.body)
		body := rec.Body.String()
		if rec.Code != c.want || !strings.HasPrefix(rec.Header().Get("Content-Type"), "text/html") {
			t.Errorf("%s: %d %s, want %d and the form's page:\n%s", c.name, rec.Code, rec.Header().Get("Content-Type"), c.want, body)
			continue
		}
		for _, want := range []string{`<html lang="pl"`, c.words, "0800 000 0000", `href="/refer?lang=pl"`} {
			if !strings.Contains(body, want) {
				t.Errorf("%s: the page lacks %q:\n%s", c.name, want, body)
			}
		}
		if c.back != "" && !strings.Contains(body, `<a href="`+c.back+`" class="back-link">`) {
			t.Errorf("%s: no way back to %s:\n%s", c.name, c.back, body)
		}
		if rec.Header().Get("Content-Security-Policy") == "" {
			t.Errorf("%s: the page lacks the form's security headers", c.name)
		}
	}
}
