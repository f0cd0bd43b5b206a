package web

import (
	"context"
	"crypto/rand"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/onward-network/onward/core"
	"github.com/onward-network/onward/core/coretest"
	"github.com/onward-network/onward/intake/leaflet"
)

// screenshotDir collects a screenshot of every step at both widths; git
// ignores testout/.
var screenshotDir = filepath.Join("testout", "screenshots")

// axeViolation is one failed axe-core rule on a page.
type axeViolation struct {
	ID     string   `json:"id"`
	Impact string   `json:"impact"`
	Help   string   `json:"help"`
	Nodes  []string `json:"nodes"`
}

// chromeSession drives one headless Chromium tab against the test server
// and audits each page it reaches.
type chromeSession struct {
	t       *testing.T
	ctx     context.Context
	base    string
	axe     string
	mu      sync.Mutex
	console []string
	audited int
}

func newChromeSession(t *testing.T, base string) *chromeSession {
	t.Helper()
	path := coretest.Chromium(t)
	axe, err := os.ReadFile(filepath.Join("testdata", "web", "axe.min.js"))
	if err != nil {
		t.Fatalf("axe-core is vendored at testdata/web/axe.min.js: %v", err)
	}
	if err := os.MkdirAll(screenshotDir, 0o755); err != nil {
		t.Fatal(err)
	}
	alloc, cancelAlloc := chromedp.NewExecAllocator(context.Background(),
		chromedp.ExecPath(path), chromedp.Headless, chromedp.NoSandbox, chromedp.DisableGPU,
		chromedp.Flag("disable-background-networking", true), chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true), chromedp.Flag("disable-dev-shm-usage", true),
		chromedp.NoFirstRun, chromedp.NoDefaultBrowserCheck, chromedp.UserDataDir(t.TempDir()))
	ctx, cancel := chromedp.NewContext(alloc)
	t.Cleanup(func() { cancel(); cancelAlloc() })
	if err := chromedp.Do(ctx); err != nil {
		t.Fatalf("start Chromium: %v", err)
	}
	s := &chromeSession{t: t, ctx: ctx, base: base, axe: string(axe)}
	messages := chromedp.Console(ctx)
	go func() {
		for m, err := range messages {
			if err != nil {
				return
			}
			s.mu.Lock()
			s.console = append(s.console, m.String())
			s.mu.Unlock()
		}
	}()
	return s
}

// step runs actions that load a page and checks where it ended and with
// which status.
func (s *chromeSession) step(wantPath string, wantStatus int, actions ...chromedp.Action[chromedp.Void]) {
	s.t.Helper()
	ctx, cancel := context.WithTimeout(s.ctx, 20*time.Second)
	defer cancel()
	resp, err := chromedp.RunResponse(ctx, actions...)
	if err != nil {
		s.t.Fatalf("step to %s: %v", wantPath, err)
	}
	loc, err := chromedp.Run(ctx, chromedp.Location())
	if err != nil {
		s.t.Fatal(err)
	}
	if got := strings.TrimPrefix(loc, s.base); got != wantPath || int(resp.Status) != wantStatus {
		s.t.Fatalf("step ended at %s with status %d, want %s with %d", got, resp.Status, wantPath, wantStatus)
	}
}

// do runs actions that do not load a page (typing, ticking).
func (s *chromeSession) do(actions ...chromedp.Action[chromedp.Void]) {
	s.t.Helper()
	ctx, cancel := context.WithTimeout(s.ctx, 10*time.Second)
	defer cancel()
	if err := chromedp.Do(ctx, actions...); err != nil {
		s.t.Fatal(err)
	}
}

// audit screenshots the page at 375 px and 1280 px wide and runs axe-core
// at each width; any violation fails the test.
func (s *chromeSession) audit(name string) {
	s.t.Helper()
	ctx, cancel := context.WithTimeout(s.ctx, 30*time.Second)
	defer cancel()
	s.audited++
	for _, width := range []int64{375, 1280} {
		opts := []chromedp.EmulateViewportOption{}
		if width < 600 {
			opts = append(opts, chromedp.EmulateMobile, chromedp.EmulatePortrait)
		}
		if err := chromedp.Do(ctx, chromedp.EmulateViewport(width, 900, opts...)); err != nil {
			s.t.Fatal(err)
		}
		png, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
		if err != nil {
			s.t.Fatal(err)
		}
		file := filepath.Join(screenshotDir, fmt.Sprintf("%02d-%s-%d.png", s.audited, name, width))
		if err := os.WriteFile(file, png, 0o644); err != nil {
			s.t.Fatal(err)
		}
		vs, passes := s.axeRun(ctx)
		if passes < 10 {
			s.t.Fatalf("%s: axe-core checked only %d rules", name, passes)
		}
		for _, v := range vs {
			s.t.Errorf("%s at %d px: axe %s (%s): %s on %v", name, width, v.ID, v.Impact, v.Help, v.Nodes)
		}
	}
}

// axeResult is what axeRun reads back from axe-core.
type axeResult struct {
	Violations []axeViolation `json:"violations"`
	Passes     int            `json:"passes"`
}

// axeRun injects axe-core into the page (once per document) and runs every
// rule it has on by default: WCAG 2.0, 2.1 and 2.2 A and AA, and best
// practice. passes is how many rules passed, so a run that checked
// nothing cannot look clean.
func (s *chromeSession) axeRun(ctx context.Context) ([]axeViolation, int) {
	s.t.Helper()
	if err := chromedp.Do(ctx, chromedp.Evaluate[chromedp.Void](`typeof axe === "undefined" ? (0, eval)(`+jsString(s.axe)+`) : 0`)); err != nil {
		s.t.Fatalf("inject axe-core: %v", err)
	}
	res, err := chromedp.Run(ctx, chromedp.Evaluate[axeResult](`axe.run(document, {resultTypes: ["violations"]}).then(r => ({
		violations: r.violations.map(v => ({id: v.id, impact: v.impact || "", help: v.help, nodes: v.nodes.map(n => n.target.join(" "))})),
		passes: r.passes.length}))`, chromedp.EvalAwaitPromise))
	if err != nil {
		s.t.Fatalf("run axe-core: %v", err)
	}
	return res.Violations, res.Passes
}

// jsString quotes s as a JavaScript string literal.
func jsString(s string) string {
	r := strings.NewReplacer(`\`, `\\`, "`", "\\`", "${", "\\${")
	return "`" + r.Replace(s) + "`"
}

// From a leaflet link in a real browser: every step of the form, an error
// on the way, the confirmation, and the directory, each audited by axe at
// phone and desktop widths; the referral and consent reach the database
// with the leaflet as source, and no page breaks its own CSP.
func TestWebBrowserLeafletToReferral(t *testing.T) {
	t.Parallel()
	e := newWebEnv(t)
	l, err := leaflet.Create(context.Background(), e.env.Pool, e.env.Clock.Now(), rand.Reader, "Food bank leaflet", "KY1", "")
	if err != nil {
		t.Fatal(err)
	}
	c := newChromeSession(t, e.srv.URL)
	submit := chromedp.Click(chromedp.CSS(`main button[type="submit"]`))

	c.step(pathStart, 200, chromedp.Navigate(e.srv.URL+"/r/"+strings.ToUpper(l.Code)))
	c.audit("start")
	c.step(pathNeeds, 200, chromedp.Click(chromedp.CSS("a.button--start")))
	c.audit("needs")
	c.step(pathNeeds, 400, submit)
	c.audit("needs-error")
	c.do(chromedp.Click(chromedp.ID("needs")), chromedp.Click(chromedp.ID("needs-benefits")))
	c.step(pathPostcode, 200, submit)
	c.audit("postcode")
	c.do(chromedp.SendKeys(chromedp.ID("postcode"), "ky1 1ab"))
	c.step(pathFood, 200, submit)
	c.audit("money-today")
	// A crisis answer: the help numbers show on every page from here on.
	c.do(chromedp.Click(chromedp.ID("no_food")))
	c.step(pathHome, 200, submit)
	c.audit("home-crisis")
	c.do(chromedp.Click(chromedp.ID("losing_home-no")))
	c.step(pathName, 200, submit)
	c.audit("name")
	c.do(chromedp.SendKeys(chromedp.ID("name"), "Morag Baird"))
	c.step(pathContact, 200, submit)
	c.audit("contact")
	c.do(chromedp.SendKeys(chromedp.ID("phone"), "07700 900123"), chromedp.SendKeys(chromedp.ID("email"), "morag@example.com"))
	c.step(pathMethod, 200, submit)
	c.audit("contact-method")
	c.do(chromedp.Click(chromedp.ID("contact_method-call")))
	c.step(pathTime, 200, submit)
	c.audit("contact-time")
	c.do(chromedp.Click(chromedp.ID("contact_time-afternoon")))
	c.step(pathConsent, 200, submit)
	c.audit("consent")
	c.do(chromedp.Click(chromedp.ID("consent")))
	c.step(pathCheck, 200, submit)
	c.audit("check")
	c.step(pathDone, 200, submit)
	c.audit("done")

	rs := e.referrals()
	if len(rs) != 1 {
		t.Fatalf("%d referrals, want 1", len(rs))
	}
	r := rs[0]
	if r.Source != core.SourceWeb || r.LeafletCode != l.Code || len(r.Needs) != 2 || r.PostcodeDistrict != "KY1" || !r.Crisis || !r.InTriage() {
		t.Errorf("referral %+v: want web, leaflet %s, two needs, KY1, crisis in triage", r, l.Code)
	}
	consent, err := e.env.Engine.Consent(context.Background(), r.ConsentID)
	if err != nil || consent.Channel != core.ChannelWeb || consent.WordingVersion != "v1" {
		t.Errorf("consent %+v, %v", consent, err)
	}
	text, err := chromedp.Run(c.ctx, chromedp.Text(chromedp.CSS(".panel")))
	if err != nil || !strings.Contains(text, r.Reference) {
		t.Errorf("confirmation panel %q lacks %s (%v)", text, r.Reference, err)
	}

	c.step("/directory", http.StatusOK, chromedp.Navigate(e.srv.URL+"/directory"))
	c.audit("directory")
	c.do(chromedp.SetValue(chromedp.ID("need"), "debt"), chromedp.SendKeys(chromedp.ID("area"), "KY1 1AB"))
	c.step("/directory?area=KY1&need=debt", http.StatusOK, submit)
	c.audit("directory-results")
	c.step("/directory/agencies/kirkton-cab", http.StatusOK, chromedp.Click(chromedp.CSS(`a[href="/directory/agencies/kirkton-cab"]`)))
	c.audit("directory-agency")
	c.step("/directory/services/"+e.serviceOf(e.env.Net.CAB).UUID, http.StatusOK, chromedp.Click(chromedp.CSS(`main .result a`)))
	c.audit("directory-service")
	c.step("/data-sharing", http.StatusOK, chromedp.Navigate(e.srv.URL+"/data-sharing"))
	c.audit("data-sharing")

	// The audit can fail: an image with no text alternative is caught.
	c.do(chromedp.Evaluate[chromedp.Void](`document.querySelector("main").insertAdjacentHTML("beforeend", '<img src="/static/web/onward.css">')`))
	vs, _ := c.axeRun(c.ctx)
	if len(vs) == 0 || vs[0].ID != "image-alt" {
		t.Errorf("axe-core missed an image without alt text: %+v", vs)
	}

	c.mu.Lock()
	seen := len(c.console)
	for _, m := range c.console {
		if isCSPReport(m) {
			t.Errorf("a page broke its own CSP: %s", m)
		}
	}
	c.mu.Unlock()

	// The CSP check can fail too: an inline style is refused and reported.
	c.do(chromedp.Evaluate[chromedp.Void](`document.querySelector("main").insertAdjacentHTML("beforeend", '<p style="color: red">x</p>')`))
	deadline := time.Now().Add(5 * time.Second)
	for {
		c.mu.Lock()
		caught := slices.ContainsFunc(c.console[seen:], isCSPReport)
		c.mu.Unlock()
		if caught {
			break
		}
		if time.Now().After(deadline) {
			t.Error("an inline style was not reported as a CSP violation: the CSP check sees nothing")
			break
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func isCSPReport(m string) bool {
	return strings.Contains(m, "Content Security Policy")
}
