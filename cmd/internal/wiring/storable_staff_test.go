package wiring

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// TestStorableInputAnswersStaffInTheirPages: a staff form holding a NUL or
// invalid UTF-8 is answered, status 400, with a staff page naming the box
// and sending the adviser Back to their text; the webhooks and partner
// API are answered as before: plain text for Twilio and Slack, their
// own formats for the partner API and FHIR.
func TestStorableInputAnswersStaffInTheirPages(t *testing.T) {
	h := StorableInput(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		t.Errorf("%s reached the handler", r.URL.Path)
	}), Refusals("/openreferral"))
	for _, c := range []struct {
		name, path, body string
		status           int
		ctype, words     string
	}{
		{"a NUL in the refer form's note", "/staff/refer", "csrf=x&name=Rona&notes=a%00b", 400, "text/html", "The “Note for the agency” box"},
		{"invalid UTF-8 in rejection feedback", "/staff/referrals/ONW-7K3M9PQ/reject", "csrf=x&feedback=%FF%FE", 400, "text/html", "The “Feedback” box"},
		{"an unreadable staff address", "/staff/referrals/%00", "", 404, "text/html", "That page does not exist"},
		{"Twilio", "/twilio/sms", "Body=a%00b", 400, "text/plain", "the form holds characters that cannot be read"},
		{"Slack", "/slack/commands", "text=%FF", 400, "text/plain", "the form holds characters that cannot be read"},
		{"the partner API", "/api/v1/referrals?cursor=%00", "", 400, "application/problem+json", ""},
	} {
		method := http.MethodGet
		if c.body != "" {
			method = http.MethodPost
		}
		r := httptest.NewRequest(method, c.path, strings.NewReader(c.body))
		if c.body != "" {
			r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		}
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, r)
		if rec.Code != c.status || !strings.HasPrefix(rec.Header().Get("Content-Type"), c.ctype) || !strings.Contains(rec.Body.String(), c.words) {
			t.Errorf("%s: %d %q %q, want %d %s saying %q", c.name, rec.Code, rec.Header().Get("Content-Type"), rec.Body.String(), c.status, c.ctype, c.words)
		}
		if c.ctype == "text/html" && c.status == 400 && !strings.Contains(rec.Body.String(), "Go Back: what you typed is still in the form") {
			t.Errorf("%s: the page does not send the adviser back to their text", c.name)
		}
	}
}
