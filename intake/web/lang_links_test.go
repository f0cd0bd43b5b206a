package web

import (
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

// seededDataSharing is the seeded network's data sharing address: Onward's
// own page, on the public address the test servers below are given.
const (
	seededDataSharing = "http://localhost:8080/data-sharing"
	seededPublicURL   = "http://localhost:8080"
)

// answerUpTo answers the form's questions in order until the page at
// stop, which it returns.
func (b *browser) answerUpTo(stop string) *page {
	b.t.Helper()
	a := goodAnswers()
	a["/refer/interpreter"] = url.Values{"interpreter": {"no"}}
	for _, st := range []string{pathNeeds, pathPostcode, pathFood, pathHome, pathName, pathContact, pathMethod, "/refer/interpreter", pathTime} {
		if st == stop {
			break
		}
		if p := b.answer(st, a[st]); p.Status != http.StatusOK {
			b.t.Fatalf("answer %s: status %d at %s", st, p.Status, p.Path)
		}
	}
	return b.get(stop)
}

// TestLangLinksKeepTheChosenLanguage is audit A1's finding 8: an English
// browser that chose Arabic reads the data sharing protocol linked from
// the consent question, and the pages the header and footer link to, in
// Arabic, even in a browser that does not remember the choice.
func TestLangLinksKeepTheChosenLanguage(t *testing.T) {
	t.Parallel()
	e := newWebEnv(t, func(c *Config) { c.PublicURL = seededPublicURL })
	b := e.browser()
	b.acceptLanguage = "en-GB,en;q=0.9"
	b.get(pathStart + "?lang=ar")
	consent := b.answerUpTo(pathConsent)
	if !strings.Contains(consent.Body, arabicPage) {
		t.Fatalf("the consent page is not in Arabic:\n%s", consent.Body)
	}
	for _, want := range []string{seededDataSharing + "?lang=ar", "/privacy?lang=ar", "/accessibility?lang=ar", "/directory?lang=ar", "/refer?lang=ar"} {
		if !strings.Contains(consent.Body, `href="`+want+`"`) {
			t.Errorf("the consent page does not link to %s", want)
		}
	}
	// Each link, opened where the choice is not remembered (another
	// browser, the same English settings), is in Arabic.
	other := e.browser()
	other.acceptLanguage = b.acceptLanguage
	for _, link := range []string{"/data-sharing?lang=ar", "/privacy?lang=ar", "/accessibility?lang=ar", "/directory?lang=ar"} {
		if p := other.get(link); p.Status != http.StatusOK || !strings.Contains(p.Body, arabicPage) {
			t.Errorf("%s opened %d, not in Arabic", link, p.Status)
		}
	}
	// A page in the browser's own language links plainly.
	plain := e.browser()
	plain.acceptLanguage = b.acceptLanguage
	plain.get(pathStart)
	if p := plain.answerUpTo(pathConsent); !strings.Contains(p.Body, `href="`+seededDataSharing+`"`) ||
		!strings.Contains(p.Body, `href="/privacy"`) {
		t.Errorf("the English consent page's links name a language it need not:\n%s", p.Body)
	}
}

// TestLangOwnDataSharing: ?lang= is added to the network's data sharing
// address only when it is Onward's own /data-sharing page; a network's
// protocol published elsewhere is linked as it is.
func TestLangOwnDataSharing(t *testing.T) {
	t.Parallel()
	e := newWebEnv(t, func(c *Config) { c.PublicURL = "https://onward.example.org" })
	r, _ := http.NewRequest(http.MethodGet, "http://127.0.0.1:8191/refer/consent", nil)
	for _, tc := range []struct{ raw, want string }{
		{"https://onward.example.org/data-sharing", "https://onward.example.org/data-sharing?lang=ar"},
		{"https://ONWARD.example.org/data-sharing", "https://ONWARD.example.org/data-sharing?lang=ar"},
		{"http://127.0.0.1:8191/data-sharing", "http://127.0.0.1:8191/data-sharing?lang=ar"},
		{"/data-sharing", "/data-sharing?lang=ar"},
		{"https://onward.example.org/data-sharing?lang=en#who", "https://onward.example.org/data-sharing?lang=ar#who"},
		{"https://kingdomadvice.example.org/data-sharing", "https://kingdomadvice.example.org/data-sharing"},
		{"https://kingdomadvice.example.org/protocol.pdf", "https://kingdomadvice.example.org/protocol.pdf"},
		{"https://onward.example.org/privacy", "https://onward.example.org/privacy"},
		{"https://someone@onward.example.org/data-sharing", "https://someone@onward.example.org/data-sharing"},
		{"", ""},
		{"%zz", "%zz"},
	} {
		if got := e.web.ownDataSharing(r, tc.raw, "ar"); got != tc.want {
			t.Errorf("ownDataSharing(%q) = %q, want %q", tc.raw, got, tc.want)
		}
	}
}

var nameInputRe = regexp.MustCompile(`<input[^>]* id="name"[^>]*>`)

// TestLangNameInputReadsItsOwnDirection: on a right-to-left page the name
// input takes the direction of what is typed in it (dir="auto"), so a
// name in Latin letters is not right-aligned; the postcode stays left to
// right.
func TestLangNameInputReadsItsOwnDirection(t *testing.T) {
	t.Parallel()
	e := newWebEnv(t)
	b := e.browser()
	b.get(pathStart + "?lang=ur")
	name := b.answerUpTo(pathName)
	if in := nameInputRe.FindString(name.Body); !strings.Contains(in, `dir="auto"`) {
		t.Errorf("the name input on the Urdu page is %s, want dir=\"auto\"", in)
	}
	if p := b.get(pathPostcode); !strings.Contains(p.Body, `<input dir="ltr"`) {
		t.Error("the postcode input is no longer left to right")
	}
}

// TestLangBrowserLatinNameOnArabicPage: in Chromium, a Latin-script name
// typed on the Arabic name page reads left to right, and an Arabic one
// right to left.
func TestLangBrowserLatinNameOnArabicPage(t *testing.T) {
	t.Parallel()
	e := newWebEnv(t)
	c := newChromeSession(t, e.srv.URL)
	submit := chromedp.Click(chromedp.CSS(`main button[type="submit"]`))
	c.step(pathStart+"?lang=ar", http.StatusOK, chromedp.Navigate(e.srv.URL+pathStart+"?lang=ar"))
	c.step(pathNeeds+"?lang=ar", http.StatusOK, chromedp.Click(chromedp.CSS("a.button--start")))
	c.do(chromedp.Click(chromedp.ID("needs")))
	c.step(pathPostcode, http.StatusOK, submit)
	c.do(chromedp.SendKeys(chromedp.ID("postcode"), "ky1 1ab"))
	c.step(pathFood, http.StatusOK, submit)
	c.do(chromedp.Click(chromedp.ID("no_food-no")))
	c.step(pathHome, http.StatusOK, submit)
	c.do(chromedp.Click(chromedp.ID("losing_home-no")))
	c.step(pathName, http.StatusOK, submit)
	direction := func() string {
		d, err := chromedp.Run(c.ctx, chromedp.Evaluate[string](`getComputedStyle(document.getElementById("name")).direction`))
		if err != nil {
			t.Fatal(err)
		}
		return d
	}
	c.do(chromedp.SendKeys(chromedp.ID("name"), "Morag Baird"))
	if d := direction(); d != "ltr" {
		t.Errorf("a Latin name on the Arabic page reads %q, want ltr", d)
	}
	c.do(chromedp.SetValue(chromedp.ID("name"), "ليلى"))
	if d := direction(); d != "rtl" {
		t.Errorf("an Arabic name on the Arabic page reads %q, want rtl", d)
	}
}

// The form's own links between its pages keep the chosen language too: the
// start button, "how texting us works", and "change" on the check page
// (the pages a client opens from a leaflet printed for Polish speakers,
// then on a phone that forgets the choice).
func TestFormLinksKeepTheChosenLanguage(t *testing.T) {
	t.Parallel()
	e := newWebEnv(t)
	b := e.browser()
	b.acceptLanguage = "en-GB,en;q=0.9"
	start := b.get(pathStart + "?lang=pl")
	for _, want := range []string{pathNeeds + "?lang=pl", pathText + "?lang=pl"} {
		if !strings.Contains(start.Body, `href="`+want+`"`) {
			t.Errorf("the Polish start page does not link to %s:\n%s", want, start.Body)
		}
	}
	b.answerUpTo(pathConsent)
	check := b.answer(pathConsent, goodAnswers()[pathConsent])
	if check.Path != pathCheck {
		t.Fatalf("after consent: at %s, want %s", check.Path, pathCheck)
	}
	if !strings.Contains(check.Body, `href="`+pathPostcode+`?lang=pl"`) {
		t.Errorf("the Polish check page's change links drop the language:\n%s", check.Body)
	}
}
