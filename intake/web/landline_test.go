package web

import (
	"html"
	"net/http"
	"net/url"
	"strings"
	"testing"
)

// A landline gets no text: "Text" is refused as the way of contact with
// words that say so (a phone call is still offered), "check your answers"
// offers no code for one, and a code asked for anyway is refused in
// plain words, nothing sent.
func TestWebLandlineIsNeverTexted(t *testing.T) {
	t.Parallel()
	e := newWebEnv(t)
	b := e.browser()
	b.get(pathStart)
	b.answer(pathContact, url.Values{"phone": {"01592 583000"}})
	p := b.answer(pathMethod, url.Values{"contact_method": {"text"}})
	if msg := e.web.flow.Message("contact_method", "needs_mobile"); p.Status != http.StatusBadRequest || !strings.Contains(p.Body, html.EscapeString(msg)) {
		t.Errorf("text chosen with a landline: status %d, want %d saying %q", p.Status, http.StatusBadRequest, msg)
	}
	if p := b.answer(pathMethod, url.Values{"contact_method": {"call"}}); p.Status != http.StatusOK {
		t.Errorf("a phone call to a landline: status %d", p.Status)
	}

	a := goodAnswers()
	a[pathContact] = url.Values{"phone": {"01592 583000"}}
	a[pathMethod] = url.Values{"contact_method": {"call"}}
	b2 := e.browser()
	check := b2.fill(a, pathStart)
	if strings.Contains(check.Body, "Text me a code") {
		t.Errorf("check your answers offers a code for a landline")
	}
	sent := b2.postRaw(pathSendCode, url.Values{"csrf": {b2.token()}})
	if sent.Status != http.StatusUnprocessableEntity || !strings.Contains(sent.Body, "landline") {
		t.Errorf("a code asked for a landline: status %d, want %d naming the landline", sent.Status, http.StatusUnprocessableEntity)
	}
	var codes int
	if err := e.env.Pool.QueryRow(t.Context(), `SELECT count(*) FROM phone_codes`).Scan(&codes); err != nil || codes != 0 {
		t.Errorf("%d codes made for a landline, %v", codes, err)
	}
}
