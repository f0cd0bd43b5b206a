package web

import (
	"context"
	"net/http"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

// The web form completes in Arabic, right to left: the page carries
// lang="ar" and dir="rtl", the layout is mirrored (the back link sits on
// the right), phone numbers and postcodes read left
// to right, and every page passes axe-core at phone and desktop widths,
// with screenshots kept for a person to look at.
func TestWebBrowserArabicRightToLeft(t *testing.T) {
	t.Parallel()
	webBrowserRightToLeft(t, "ar", "ليلى")
}

// The same in Urdu, also right to left, ending on the data-sharing page.
func TestWebBrowserUrduRightToLeft(t *testing.T) {
	t.Parallel()
	webBrowserRightToLeft(t, "ur", "عائشہ")
}

// webBrowserRightToLeft completes the web form in right-to-left language
// code, giving name, and audits every page and the data-sharing page.
func webBrowserRightToLeft(t *testing.T, code, name string) {
	e := newWebEnv(t)
	c := newChromeSession(t, e.srv.URL)
	submit := chromedp.Click(chromedp.CSS(`main button[type="submit"]`))

	c.step(pathStart+"?lang="+code, http.StatusOK, chromedp.Navigate(e.srv.URL+pathStart+"?lang="+code))
	c.audit(code + "-start")
	attrs, err := chromedp.Run(c.ctx, chromedp.Evaluate[[]string](`[document.documentElement.lang, document.documentElement.dir, getComputedStyle(document.body).direction]`))
	if err != nil || strings.Join(attrs, " ") != code+" rtl rtl" {
		t.Fatalf("page lang, dir and direction = %v (%v), want %s rtl rtl", attrs, err, code)
	}
	c.step(pathNeeds+"?lang="+code, http.StatusOK, chromedp.Click(chromedp.CSS("a.button--start"))) // the start link keeps the language
	c.audit(code + "-needs")
	c.do(chromedp.Click(chromedp.ID("needs")))
	c.step(pathPostcode, http.StatusOK, submit)
	c.do(chromedp.SendKeys(chromedp.ID("postcode"), "ky1 1ab"))
	dir, err := chromedp.Run(c.ctx, chromedp.Evaluate[string](`getComputedStyle(document.getElementById("postcode")).direction`))
	if err != nil || dir != "ltr" {
		t.Errorf("the postcode input reads %q, want ltr", dir)
	}
	c.audit(code + "-postcode")
	c.step(pathFood, http.StatusOK, submit)
	c.do(chromedp.Click(chromedp.ID("no_food-no")))
	c.step(pathHome, http.StatusOK, submit)
	c.do(chromedp.Click(chromedp.ID("losing_home-no")))
	c.step(pathName, http.StatusOK, submit)
	c.do(chromedp.SendKeys(chromedp.ID("name"), name))
	c.step(pathContact, http.StatusOK, submit)
	c.do(chromedp.SendKeys(chromedp.ID("phone"), "07700 900123"))
	c.audit(code + "-contact")
	c.step(pathMethod, http.StatusOK, submit)
	c.do(chromedp.Click(chromedp.ID("contact_method")))
	c.step("/refer/interpreter", http.StatusOK, submit)
	c.audit(code + "-interpreter")
	c.do(chromedp.Click(chromedp.ID("interpreter")))
	c.step(pathTime, http.StatusOK, submit)
	c.do(chromedp.Click(chromedp.ID("contact_time")))
	c.step(pathConsent, http.StatusOK, submit)
	c.audit(code + "-consent")
	// Mirrored: the back link starts at the right edge of the page's main
	// column. The network has no Arabic wording in this test, so the
	// English is shown, marked as English and read left to right.
	atRight, err := chromedp.Run(c.ctx, chromedp.Evaluate[bool](`(() => {
		const b = document.querySelector(".back-link").getBoundingClientRect();
		const m = document.querySelector("main").getBoundingClientRect();
		return Math.abs(m.right - b.right) < 2 && b.left > m.left + 100 })()`))
	if err != nil || !atRight {
		t.Errorf("the back link is not on the right of a right-to-left page (%v)", err)
	}
	wording, err := chromedp.Run(c.ctx, chromedp.Evaluate[[]string](`(() => { const w = document.getElementById("consent-wording");
		return [w.lang, getComputedStyle(w).direction] })()`))
	if err != nil || strings.Join(wording, " ") != "en ltr" {
		t.Errorf("the English consent wording is %v (%v), want lang en read ltr", wording, err)
	}
	c.do(chromedp.Click(chromedp.ID("consent")))
	c.step(pathCheck, http.StatusOK, submit)
	c.audit(code + "-check")
	c.step(pathDone, http.StatusOK, submit)
	c.audit(code + "-done")

	c.step("/data-sharing?lang="+code, http.StatusOK, chromedp.Navigate(e.srv.URL+"/data-sharing?lang="+code))
	c.audit(code + "-data-sharing")
	if attrs, err := chromedp.Run(c.ctx, chromedp.Evaluate[[]string](`[document.documentElement.lang, document.documentElement.dir]`)); err != nil || strings.Join(attrs, " ") != code+" rtl" {
		t.Errorf("data-sharing page lang and dir = %v (%v), want %s rtl", attrs, err, code)
	}

	rs := e.referrals()
	if len(rs) != 1 {
		t.Fatalf("%d referrals, want 1", len(rs))
	}
	var language string
	var interpreter bool
	if err := e.env.Pool.QueryRow(context.Background(), `SELECT language, interpreter FROM clients`).Scan(&language, &interpreter); err != nil {
		t.Fatal(err)
	}
	if language != code || !interpreter {
		t.Errorf("client language %q interpreter %v, want %s and true", language, interpreter, code)
	}
}
