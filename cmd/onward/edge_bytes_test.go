package main

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/onward-network/onward/core/coretest"
	"github.com/onward-network/onward/intake/sms"
)

// TestBytesPostgresRefusesAreAnsweredAtTheEdge: a NUL byte or invalid
// UTF-8 anywhere in a request is a bad request (404 in the path, 400
// elsewhere), never the 500/503 that the database's refusal would make,
// which Twilio and Slack would retry for ever. A signed Twilio callback
// with a NUL in a field gets 400, which Twilio does not retry. Under the
// partner API, its token endpoint, FHIR and the Open Referral feed the
// answer is in their formats: another system reads every refusal the same way.
func TestBytesPostgresRefusesAreAnsweredAtTheEdge(t *testing.T) {
	a, _, _ := smsWebhook(t)
	h, err := newHandler(a)
	if err != nil {
		t.Fatal(err)
	}
	statusForm := func(code string) *http.Request {
		params := map[string]string{"MessageSid": "SM" + strings.Repeat("a", 32), "MessageStatus": "failed",
			"ErrorCode": code, "AccountSid": a.cfg.TwilioAccountSID, "To": "+447700900123"}
		form := url.Values{}
		for k, v := range params {
			form.Set(k, v)
		}
		r := httptest.NewRequest(http.MethodPost, "/twilio/status", strings.NewReader(form.Encode()))
		r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		r.Header.Set(sms.SignatureHeader, sms.TwilioSignature(a.cfg.TwilioAuthToken, a.cfg.PublicURL+"/twilio/status", params))
		return r
	}
	slackForm := func(form string) *http.Request {
		r := httptest.NewRequest(http.MethodPost, "/slack/interactions", strings.NewReader(form))
		r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		return r
	}
	tokenForm := func(form string) *http.Request {
		r := httptest.NewRequest(http.MethodPost, "/oauth/token", strings.NewReader(form))
		r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		return r
	}
	for _, c := range []struct {
		name  string
		req   *http.Request
		want  int
		ctype string // the answer's Content-Type, when it matters
	}{
		{"NUL in a directory path", httptest.NewRequest(http.MethodGet, "/directory/agencies/%00", nil), http.StatusNotFound, "text/html"},
		{"invalid UTF-8 in a directory path", httptest.NewRequest(http.MethodGet, "/directory/agencies/%ff", nil), http.StatusNotFound, "text/html"},
		{"NUL in a query", httptest.NewRequest(http.MethodGet, "/directory?q=a%00b", nil), http.StatusBadRequest, "text/html"},
		{"NUL in the home page's query", httptest.NewRequest(http.MethodGet, "/?x=%00", nil), http.StatusBadRequest, "text/html"},
		{"NUL in the privacy page's query", httptest.NewRequest(http.MethodGet, "/privacy?x=%00", nil), http.StatusBadRequest, "text/html"},
		{"NUL in a signed status callback", statusForm("300\x0001"), http.StatusBadRequest, "text/plain"},
		{"invalid UTF-8 in a signed status callback", statusForm("\xff"), http.StatusBadRequest, "text/plain"},
		{"a clean signed status callback", statusForm("30003"), http.StatusNoContent, ""},
		{"NUL in a Slack form", slackForm("payload=%7B%7D%00"), http.StatusBadRequest, "text/plain"},
		{"NUL in a partner API path", httptest.NewRequest(http.MethodGet, "/api/v1/referrals/%00", nil), http.StatusNotFound, "application/problem+json"},
		{"NUL in a partner API query", httptest.NewRequest(http.MethodGet, "/api/v1/referrals?cursor=%00", nil), http.StatusBadRequest, "application/problem+json"},
		{"NUL in the token request's form", tokenForm("grant_type=client_credentials%00"), http.StatusBadRequest, "application/json"},
		{"invalid UTF-8 in the token request's form", tokenForm("grant_type=client_credentials&scope=%ff"), http.StatusBadRequest, "application/json"},
		{"NUL in a FHIR path", httptest.NewRequest(http.MethodGet, "/fhir/Task/%00", nil), http.StatusNotFound, "application/fhir+json"},
		{"invalid UTF-8 in a FHIR search", httptest.NewRequest(http.MethodGet, "/fhir/Task?owner=%ff", nil), http.StatusBadRequest, "application/fhir+json"},
		{"NUL in an Open Referral path", httptest.NewRequest(http.MethodGet, "/openreferral/services/%00", nil), http.StatusNotFound, "application/json"},
		{"invalid UTF-8 in an Open Referral search", httptest.NewRequest(http.MethodGet, "/openreferral/services?text=%ff", nil), http.StatusBadRequest, "application/json"},
	} {
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, c.req)
		if rec.Code != c.want {
			t.Errorf("%s: %d %q, want %d", c.name, rec.Code, rec.Body.String(), c.want)
		}
		if got := rec.Header().Get("Content-Type"); c.ctype != "" && !strings.HasPrefix(got, c.ctype) {
			t.Errorf("%s: answered as %q, want %s", c.name, got, c.ctype)
		}
		// The token endpoint's refusals are its OAuth errors (RFC 6749
		// §5.2), which a client's OAuth library reads.
		if c.req.URL.Path == "/oauth/token" {
			var body struct{ Error string }
			if err := json.Unmarshal(rec.Body.Bytes(), &body); err != nil || body.Error != "invalid_request" {
				t.Errorf("%s: %q is not an OAuth invalid_request error (%v)", c.name, rec.Body.String(), err)
			}
			continue
		}
		// The Open Referral feed's refusals read like its own errors, and
		// a directory site on another origin may read them.
		if c.ctype == "application/json" {
			var body struct{ Error string }
			if err := json.Unmarshal(rec.Body.Bytes(), &body); err != nil || body.Error == "" {
				t.Errorf("%s: %q is not the feed's error JSON (%v)", c.name, rec.Body.String(), err)
			}
			if got := rec.Header().Get("Access-Control-Allow-Origin"); got != "*" {
				t.Errorf("%s: Access-Control-Allow-Origin %q, want *", c.name, got)
			}
		}
		// An OperationOutcome's issue code says what kind of refusal it is.
		if code := map[int]string{http.StatusNotFound: `"not-found"`, http.StatusBadRequest: `"invalid"`}[c.want]; c.ctype == "application/fhir+json" && !strings.Contains(rec.Body.String(), `"code":`+code) {
			t.Errorf("%s: %s, want the issue code %s", c.name, rec.Body.String(), code)
		}
	}
}

// TestTextWithANulIsAnswered: some carriers deliver GSM's "@" (its 0x00)
// to Twilio as a NUL byte, and Twilio passes it on in the text's Body
// (chatwoot/chatwoot#7901 met it). The edge refuses any other form that
// holds one; a client's text is still the client's, so the webhook reads
// it, the NUL repaired, and answers with TwiML, not a 400 after which
// Twilio sends the client nothing.
func TestTextWithANulIsAnswered(t *testing.T) {
	p := newSMSPhone(t, coretest.RedisURL())
	h, err := newHandler(p.app)
	if err != nil {
		t.Fatal(err)
	}
	for _, body := range []string{"hi, I'm ailsa\x00example.org", "hi \xff"} {
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, p.request(p.newSID(), body))
		if rec.Code != http.StatusOK || !strings.HasPrefix(rec.Header().Get("Content-Type"), "text/xml") ||
			!strings.Contains(rec.Body.String(), "<Message>") {
			t.Fatalf("text %q: %d %s %q, want 200 and TwiML with a reply", body, rec.Code, rec.Header().Get("Content-Type"), rec.Body.String())
		}
	}
}
