package main

import (
	"net/http"
	"net/http/httptest"
	"testing"
)

// TestWrongMethodsAcrossTheServer: with every part of the server
// mounted, an address served with another method answers 405 naming the
// methods it is served with (a Twilio webhook set to GET in the console,
// a POST to a health check), not the 404 that would say the address is
// wrong; and the site's root leads to the form.
func TestWrongMethodsAcrossTheServer(t *testing.T) {
	a, _, _ := smsWebhook(t)
	h, err := newHandler(a)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct{ method, path, allow string }{
		{http.MethodGet, "/twilio/sms", "POST"},
		{http.MethodGet, "/twilio/status", "POST"},
		{http.MethodPost, "/healthz", "GET, HEAD"},
		{http.MethodPost, "/readyz", "GET, HEAD"},
	} {
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, httptest.NewRequest(c.method, c.path, nil))
		if rec.Code != http.StatusMethodNotAllowed || rec.Header().Get("Allow") != c.allow {
			t.Errorf("%s %s: %d Allow %q, want 405 Allow %q", c.method, c.path, rec.Code, rec.Header().Get("Allow"), c.allow)
		}
	}
	// An address served with the method used is not a 405.
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(http.MethodPost, "/staff/login", nil))
	if rec.Code == http.StatusMethodNotAllowed || rec.Header().Get("Allow") != "" {
		t.Errorf("POST /staff/login: %d Allow %q, want it served", rec.Code, rec.Header().Get("Allow"))
	}
	rec = httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/", nil))
	if rec.Code != http.StatusFound || rec.Header().Get("Location") != "/refer" {
		t.Errorf("GET /: %d to %q, want 302 to /refer", rec.Code, rec.Header().Get("Location"))
	}
}
