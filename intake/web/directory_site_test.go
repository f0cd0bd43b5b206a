package web

import (
	"net/http"
	"strings"
	"testing"
)

// TestSiteFiles: the files every site is asked for, the pages every
// public service needs, and the site's own 404.
func TestSiteFiles(t *testing.T) {
	t.Parallel()
	e := newWebEnv(t)
	b := e.browser()
	robots := b.get("/robots.txt")
	if robots.Status != 200 || !strings.Contains(robots.Body, "Allow: /directory") || !strings.Contains(robots.Body, "Disallow: /staff") ||
		!strings.Contains(robots.Body, "Disallow: /refer") {
		t.Errorf("robots.txt: %d %s", robots.Status, robots.Body)
	}
	for _, p := range []string{"/favicon.ico", "/favicon.svg"} {
		if f := b.get(p); f.Status != 200 || f.Header.Get("Content-Type") != "image/svg+xml" || !strings.Contains(f.Body, "<svg") {
			t.Errorf("%s: %d %s", p, f.Status, f.Header.Get("Content-Type"))
		}
	}
	for path, want := range map[string]string{"/accessibility": "Accessibility statement", "/privacy": "Texting a service to your phone"} {
		p := b.get(path)
		if p.Status != 200 || !strings.Contains(p.Body, want) || strings.Contains(p.Body, `name="robots"`) ||
			!strings.Contains(p.Body, `<meta name="description"`) {
			t.Errorf("%s: %d, want an indexable page saying %q", path, p.Status, want)
		}
	}
	d := b.get("/directory")
	if !strings.Contains(d.Body, `rel="icon"`) || !strings.Contains(d.Body, `href="/accessibility"`) || !strings.Contains(d.Body, `href="/privacy"`) ||
		!strings.Contains(d.Body, "For example, KY1 1AB or Kirkcaldy.") {
		t.Error("the directory lacks its favicon, footer links or working hint examples")
	}
	nf := b.get("/no/such/page")
	if nf.Status != http.StatusNotFound || !strings.Contains(nf.Body, `href="/static/web/onward.css"`) {
		t.Errorf("unknown address: %d, want the site's 404 page", nf.Status)
	}
}

// TestDirectoryFindsTown: the hint's town example works.
func TestDirectoryFindsTown(t *testing.T) {
	t.Parallel()
	e := newWebEnv(t)
	p := e.browser().get("/directory?area=Kirkcaldy")
	if p.Status != 200 || !strings.Contains(p.Body, "Kirkton Citizens Advice") || !strings.Contains(p.Body, "near Kirkcaldy (KY1/KY2)") {
		t.Errorf("Kirkcaldy: %d", p.Status)
	}
	p = e.browser().get("/directory?need=fuel&area=KY16")
	if !strings.Contains(p.Body, "We could not find a service for Fuel and energy") {
		t.Error("no kind words when nothing matches")
	}
}
