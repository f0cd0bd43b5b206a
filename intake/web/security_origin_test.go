package web

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
)

// TestWebPostOriginMatrix: every answer a form post can bring about its
// origin, with and without Sec-Fetch-Site, with the session's token and
// without it. Another site's post is always refused; our own is taken
// whenever its token is right, including "Origin: null" with no
// Sec-Fetch-Site, which Safari before 16.4 sends from a page whose
// referrer policy hides its origin; a wrong token is never taken.
func TestWebPostOriginMatrix(t *testing.T) {
	t.Parallel()
	e := newWebEnv(t)
	const (
		taken   = "taken"
		expired = "expired" // the session's "page has expired": a wrong token
		refused = "refused" // the cross-origin page
	)
	for _, tc := range []struct {
		origin, site string // "" for none; origin "own" is the server's own
		good, bad    string // the outcome with the right token, and with a wrong one
	}{
		{"own", "same-origin", taken, expired},
		{"own", "", taken, expired},
		{"null", "same-origin", taken, expired},
		{"null", "", taken, refused},
		{"null", "cross-site", refused, refused},
		{"", "same-origin", taken, expired},
		{"", "", taken, expired},
		{"https://evil.example", "cross-site", refused, refused},
		{"https://evil.example", "", refused, refused},
	} {
		for _, good := range []bool{true, false} {
			want := tc.bad
			if good {
				want = tc.good
			}
			name := "origin " + tc.origin + ", Sec-Fetch-Site " + tc.site
			b := e.browser()
			b.get(pathStart)
			b.get(pathNeeds)
			token := b.token()
			if !good {
				token = "not-the-token"
			}
			var header []string
			switch tc.origin {
			case "own":
				header = append(header, "Origin", e.srv.URL)
			case "":
			default:
				header = append(header, "Origin", tc.origin)
			}
			if tc.site != "" {
				header = append(header, "Sec-Fetch-Site", tc.site)
			}
			p := b.postRaw(pathNeeds, url.Values{"csrf": {token}, "needs": {"debt"}}, header...)
			got := taken
			switch {
			case p.Status == http.StatusForbidden && strings.Contains(p.Body, "cannot be sent from another website"):
				got = refused
			case p.Status == http.StatusForbidden && strings.Contains(p.Body, "This page has expired"):
				got = expired
			case p.Path != pathPostcode:
				got = "status " + http.StatusText(p.Status) + " at " + p.Path
			}
			if got != want {
				t.Errorf("%s, good token %v: %s, want %s", name, good, got, want)
			}
			if saved := len(e.sessionOf(b).Answers.Needs) > 0; saved != (want == taken) {
				t.Errorf("%s, good token %v: needs saved %v", name, good, saved)
			}
		}
	}
}

// TestWebNullOriginNeedsAToken: the directory's posts have no session
// token to bring, so an opaque origin gets no benefit of the doubt there.
func TestWebNullOriginNeedsAToken(t *testing.T) {
	t.Parallel()
	e := newWebEnv(t)
	b := e.browser()
	b.get("/directory")
	for _, path := range []string{"/directory", "/directory/services/00000000-0000-0000-0000-000000000000/text"} {
		p := b.postRaw(path, url.Values{"postcode": {"KY1 1AB"}, "phone": {"07700 900123"}}, "Origin", "null")
		if p.Status != http.StatusForbidden || !strings.Contains(p.Body, "cannot be sent from another website") {
			t.Errorf("%s with Origin: null: status %d, want the cross-origin page", path, p.Status)
		}
	}
	if p := b.postRaw("/directory", url.Values{"postcode": {"KY1 1AB"}}, "Origin", e.srv.URL); p.Status != http.StatusOK {
		t.Errorf("a search from our own page: status %d at %s", p.Status, p.Path)
	}
}
