package web

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// TestMethods: the site's root leads to the form, keeping a chosen
// language; an address served with another method answers 405 naming the
// methods it is served with, whether the site or another part of the
// server serves it; an address nobody serves, and one a route serves but
// finds nothing at, get the site's 404 page.
func TestMethods(t *testing.T) {
	t.Parallel()
	e := newWebEnv(t)
	mux := http.NewServeMux()
	e.web.Routes(mux)
	// Another part of the server, as the SMS webhook is.
	mux.HandleFunc("POST /twilio/sms", func(rw http.ResponseWriter, r *http.Request) {})
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	do := func(method, path string) *http.Response {
		t.Helper()
		req, _ := http.NewRequest(method, srv.URL+path, nil)
		res, err := client.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		return res
	}

	for path, want := range map[string]string{"/": "/refer", "/?lang=pl": "/refer?lang=pl"} {
		if res := do(http.MethodGet, path); res.StatusCode != http.StatusFound || res.Header.Get("Location") != want {
			t.Errorf("GET %s: %d to %q, want 302 to %s", path, res.StatusCode, res.Header.Get("Location"), want)
		}
	}
	for _, c := range []struct{ method, path, allow string }{
		{http.MethodPost, "/", "GET, HEAD"},
		{http.MethodPost, "/privacy", "GET, HEAD"},
		{http.MethodPut, "/refer", "GET, HEAD"}, // not redirected to /refer/
		{http.MethodPut, "/refer/check", "GET, HEAD, POST"},
		{http.MethodDelete, "/directory", "GET, HEAD, POST"},
		{http.MethodPost, "/r/school", "GET, HEAD"},
		{http.MethodGet, "/twilio/sms", "POST"},
	} {
		res := do(c.method, c.path)
		if res.StatusCode != http.StatusMethodNotAllowed || res.Header.Get("Allow") != c.allow {
			t.Errorf("%s %s: %d Allow %q, want 405 Allow %q", c.method, c.path, res.StatusCode, res.Header.Get("Allow"), c.allow)
		}
	}
	b := e.browser()
	for _, c := range []struct{ method, path string }{
		{http.MethodGet, "/no/such/page"},
		{http.MethodPost, "/no/such/page"},
		{http.MethodGet, "/refer/no/such/step"},
		{http.MethodGet, "/directory/agencies/no-such-agency"},
	} {
		req, _ := http.NewRequest(c.method, srv.URL+c.path, nil)
		p := b.do(req)
		if p.Status != http.StatusNotFound || p.Header.Get("Allow") != "" || !strings.Contains(p.Body, "Page not found") {
			t.Errorf("%s %s: %d Allow %q, want the site's 404 page", c.method, c.path, p.Status, p.Header.Get("Allow"))
		}
	}
}
