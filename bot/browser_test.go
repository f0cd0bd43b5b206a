package bot

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/onward-network/onward/core"
	"github.com/onward-network/onward/core/coretest"
)

// TestBrowserSignInAndAccept drives the staff inbox in headless Chromium:
// open the magic link, continue, accept a referral from its card.
func TestBrowserSignInAndAccept(t *testing.T) {
	t.Parallel()
	path := coretest.Chromium(t)
	tb := newTestBot(t)
	r := tb.selfReferral("browser", false)
	link := tb.local(tb.link(tb.Net.Adviser))

	ctx := startChromium(t, path, 2*time.Minute)

	accept := chromedp.CSS(fmt.Sprintf(`form[action="/staff/referrals/%s/accept"] button`, r.Reference))
	row := chromedp.CSS(fmt.Sprintf(`table.rows a[href="/staff/referrals/%s"]`, r.Reference))
	err := chromedp.Do(ctx,
		chromedp.Navigate(link),
		chromedp.WaitVisible(chromedp.CSS(`main form button[type=submit]`)),
		chromedp.Click(chromedp.CSS(`main form button[type=submit]`)),
		chromedp.WaitVisible(row),
		chromedp.Click(row),
		chromedp.WaitVisible(accept),
		chromedp.Click(accept),
		chromedp.WaitVisible(chromedp.CSS(`p.flash`)),
	)
	if err != nil {
		t.Fatalf("browse the inbox: %v", err)
	}
	flash, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(`p.flash`)))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(flash, r.Reference+" accepted") {
		t.Errorf("confirmation %q, want %s accepted", flash, r.Reference)
	}
	// The stylesheet loaded under the strict Content-Security-Policy.
	display, err := chromedp.Run(ctx, chromedp.Evaluate[string](`getComputedStyle(document.querySelector("header.site")).display`))
	if err != nil || display != "flex" {
		t.Errorf("stylesheet not applied (header display %q, %v)", display, err)
	}
	got := tb.referral(r.ID)
	if got.Status != core.StatusAccepted || got.StatusBy == nil || *got.StatusBy != tb.Net.Adviser.ID {
		t.Errorf("referral %s by %v, want accepted by Ailsa", got.Status, got.StatusBy)
	}

	// Every staff page passes axe-core's WCAG 2.x A and AA rules.
	check := axeAuditor(t, ctx)
	audit := func(name, path string) {
		t.Helper()
		if err := chromedp.Do(ctx, chromedp.Navigate(tb.srv.URL+path), chromedp.WaitVisible(chromedp.CSS("main"))); err != nil {
			t.Fatalf("open %s: %v", path, err)
		}
		check(name)
	}
	audit("inbox", "/staff/")
	audit("inbox filtered", "/staff/?status=nonsense&urgency=crisis")
	audit("referral", fmt.Sprintf("/staff/referrals/%s", r.Reference))
	audit("refer", "/staff/refer")
	audit("sent", "/staff/sent")
	audit("our services", "/staff/our-services")
	audit("reports", "/staff/reports")
	audit("report", "/staff/reports/response-times")

	// And the directory editor, as a coordinator.
	coordinator := tb.local(tb.link(tb.Net.Coordinator))
	if err := chromedp.Do(ctx, chromedp.Navigate(coordinator), chromedp.WaitVisible(chromedp.CSS(`main form button[type=submit]`)),
		chromedp.Click(chromedp.CSS(`main form button[type=submit]`)), chromedp.WaitVisible(chromedp.CSS(`a[href="/staff/directory"]`))); err != nil {
		t.Fatalf("sign in as the coordinator: %v", err)
	}
	services, err := tb.Engine.Services(context.Background(), tb.Net.CAB)
	if err != nil || len(services) == 0 {
		t.Fatalf("no services: %v", err)
	}
	audit("directory", "/staff/directory")
	audit("service", fmt.Sprintf("/staff/directory/services/%d", services[0].ID))
	audit("agency", fmt.Sprintf("/staff/directory/agencies/%d", tb.Net.CAB))
	audit("staff admin", "/staff/admin/staff")
	audit("agencies admin", "/staff/admin/agencies")
	audit("add agency", "/staff/admin/agencies/new")
	audit("data protection requests", "/staff/data-protection/requests")

	// At a phone's width the lists scroll in their own box and the page
	// does not scroll sideways (an email-only adviser's review: the inbox
	// was 431 px wide at 390, the agencies' admin 523).
	if err := chromedp.Do(ctx, chromedp.EmulateViewport(390, 844)); err != nil {
		t.Fatal(err)
	}
	for _, path := range []string{"/staff/", "/staff/sent", "/staff/admin/agencies", "/staff/admin/staff"} {
		if err := chromedp.Do(ctx, chromedp.Navigate(tb.srv.URL+path), chromedp.WaitVisible(chromedp.CSS("main"))); err != nil {
			t.Fatalf("open %s: %v", path, err)
		}
		width, err := chromedp.Run(ctx, chromedp.Evaluate[int](`document.documentElement.scrollWidth`))
		if err != nil || width > 390 {
			wide, _ := chromedp.Run(ctx, chromedp.Evaluate[[]string](`Array.from(document.querySelectorAll("body *")).filter(e => e.getBoundingClientRect().right > 390 && !(e.parentElement && e.parentElement.closest(".table-scroll"))).slice(0, 8).map(e => e.tagName + "." + e.className + "#" + e.id + " " + Math.round(e.getBoundingClientRect().right))`))
			t.Errorf("%s at 390 px: the page is %d px wide (%v); wide: %v", path, width, err, wide)
		}
	}
}

// axeResult is what axe-core's run reports back.
type axeResult struct {
	Violations []struct {
		ID    string   `json:"id"`
		Help  string   `json:"help"`
		Nodes []string `json:"nodes"`
	} `json:"violations"`
	Passes int `json:"passes"`
}

// readAxe reads axe-core, vendored once for the whole module under intake's
// test data.
func readAxe(t *testing.T) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("..", "intake", "web", "testdata", "web", "axe.min.js"))
	if err != nil {
		t.Fatalf("axe-core is vendored at intake/web/testdata/web/axe.min.js: %v", err)
	}
	return string(b)
}

// jsQuote quotes s as a JavaScript template literal.
func jsQuote(s string) string {
	return "`" + strings.NewReplacer(`\`, `\\`, "`", "\\`", "${", "\\${").Replace(s) + "`"
}

// signInSteps signs s in by their link in the browser: open it, press
// its button, and wait for the signed-in page's staff menu (the sign-in
// page has a main too, and leaving it before the sign-in lands aborts it).
func (tb *testBot) signInSteps(s core.Staff) chromedp.Action[chromedp.Void] {
	return chromedp.Steps(chromedp.Navigate(tb.local(tb.link(s))),
		chromedp.WaitVisible(chromedp.CSS(`main form button[type=submit]`)),
		chromedp.Click(chromedp.CSS(`main form button[type=submit]`)),
		chromedp.WaitVisible(chromedp.CSS(`a[href="/staff/sent"]`)))
}

// startChromium starts headless Chromium at path for one test and returns
// a context for its steps, bounded by timeout; the browser closes when the
// test ends.
func startChromium(t *testing.T, path string, timeout time.Duration) context.Context {
	t.Helper()
	alloc, cancelAlloc := chromedp.NewExecAllocator(context.Background(),
		chromedp.ExecPath(path), chromedp.Headless, chromedp.NoSandbox, chromedp.DisableGPU,
		chromedp.Flag("disable-background-networking", true), chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true), chromedp.NoFirstRun, chromedp.NoDefaultBrowserCheck,
		chromedp.UserDataDir(t.TempDir()))
	t.Cleanup(cancelAlloc)
	browser, cancelBrowser := chromedp.NewContext(alloc)
	t.Cleanup(cancelBrowser)
	// Start the browser on a context without a timeout (it lives as long
	// as that first call's context), then bound the steps.
	if err := chromedp.Do(browser); err != nil {
		t.Fatalf("start chromium: %v", err)
	}
	ctx, cancel := context.WithTimeout(browser, timeout)
	t.Cleanup(cancel)
	return ctx
}

// axeAuditor returns a check of the page open in ctx against axe-core's
// WCAG 2.x A and AA rules: each violation is a test error naming the page.
func axeAuditor(t *testing.T, ctx context.Context) func(name string) {
	axe := readAxe(t)
	return func(name string) {
		t.Helper()
		if err := chromedp.Do(ctx, chromedp.Evaluate[chromedp.Void](`typeof axe === "undefined" ? (0, eval)(`+jsQuote(axe)+`) : 0`)); err != nil {
			t.Fatalf("inject axe-core on %s: %v", name, err)
		}
		res, err := chromedp.Run(ctx, chromedp.Evaluate[axeResult](`axe.run(document, {resultTypes: ["violations"]}).then(r => ({
			violations: r.violations.map(v => ({id: v.id, help: v.help, nodes: v.nodes.map(n => n.target.join(" "))})),
			passes: r.passes.length}))`, chromedp.EvalAwaitPromise))
		if err != nil {
			t.Fatalf("run axe-core on %s: %v", name, err)
		}
		if res.Passes < 10 {
			t.Errorf("%s: axe passed only %d rules: it checked next to nothing", name, res.Passes)
		}
		for _, v := range res.Violations {
			t.Errorf("%s: %s (%s) at %v", name, v.ID, v.Help, v.Nodes)
		}
	}
}

// TestBrowserReferAndFollow: an adviser refers a client from the web, a
// second agency accepts and completes it with an outcome, and the first
// sees the outcome under "Referrals we sent"; axe checks the pages with
// their errors shown.
func TestBrowserReferAndFollow(t *testing.T) {
	t.Parallel()
	path := coretest.Chromium(t)
	tb := newTestBot(t)
	ctx := startChromium(t, path, 2*time.Minute)
	audit := axeAuditor(t, ctx)
	signIn := func(s core.Staff) {
		t.Helper()
		if err := chromedp.Do(ctx, tb.signInSteps(s), chromedp.WaitVisible(chromedp.CSS(`#open-h`))); err != nil {
			t.Fatalf("sign in as %s: %v", s.Name, err)
		}
	}

	// Ailsa refers: first with nothing filled in (the error summary), then
	// properly.
	signIn(tb.Net.Adviser)
	send := chromedp.CSS(`button[name=step][value=send]`)
	if err := chromedp.Do(ctx, chromedp.Navigate(tb.srv.URL+"/staff/refer"), chromedp.WaitVisible(send),
		chromedp.Click(send), chromedp.WaitVisible(chromedp.CSS(`.error-summary`))); err != nil {
		t.Fatalf("empty referral: %v", err)
	}
	// Focus is on the summary, so a keyboard or screen reader user starts
	// from the problems (an email-only adviser's review: it stayed on the
	// page's body, eight header links away).
	if focused, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`document.activeElement !== null && document.activeElement.classList.contains("error-summary")`)); err != nil || !focused {
		t.Errorf("after a refused referral form the focus is not on the error summary (%v)", err)
	}
	audit("refer with errors")
	housing := fmt.Sprintf(`#agency-%d`, tb.Net.Housing)
	if err := chromedp.Do(ctx,
		chromedp.SendKeys(chromedp.CSS(`#name`), "Rona Guthrie"),
		chromedp.SendKeys(chromedp.CSS(`#phone`), "07700 900321"),
		chromedp.SendKeys(chromedp.CSS(`#postcode`), "KY1 2AB"),
		chromedp.Click(chromedp.CSS(`#need-housing`)),
		chromedp.Click(chromedp.CSS(`button[name=step][value=match]`)),
		chromedp.WaitVisible(chromedp.CSS(housing)),
		chromedp.Click(chromedp.CSS(housing)),
		chromedp.Click(chromedp.CSS(`#consent`)),
		chromedp.Click(send),
		chromedp.WaitVisible(chromedp.CSS(`p.flash`)),
	); err != nil {
		t.Fatalf("refer from the web: %v", err)
	}
	flash, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(`p.flash`)))
	if err != nil || !strings.Contains(flash, "made") {
		t.Fatalf("referral confirmation %q: %v", flash, err)
	}
	sent, err := tb.Engine.List(context.Background(), core.ListQuery{View: core.ViewSent, Agency: tb.Net.CAB})
	if err != nil || len(sent.Rows) != 1 || *sent.Rows[0].ToAgencyID != tb.Net.Housing {
		t.Fatalf("sent referrals %+v, %v", sent.Rows, err)
	}
	r := sent.Rows[0].Referral

	// Euan at Housing Options accepts, contacts, completes with an outcome.
	signIn(tb.Net.HousingAdviser)
	row := chromedp.CSS(fmt.Sprintf(`table.rows a[href="/staff/referrals/%s"]`, r.Reference))
	button := func(action string) chromedp.CSS {
		return chromedp.CSS(fmt.Sprintf(`form[action="/staff/referrals/%s/%s"] button`, r.Reference, action))
	}
	if err := chromedp.Do(ctx, chromedp.Click(row), chromedp.WaitVisible(button("accept")), chromedp.Click(button("accept")),
		chromedp.WaitVisible(button("contact")), chromedp.Click(button("contact")),
		chromedp.WaitVisible(chromedp.CSS(`#outcome-help-given`)), chromedp.Click(chromedp.CSS(`#outcome-help-given`)),
		chromedp.Click(button("complete")), chromedp.WaitVisible(chromedp.CSS(`form.undo`))); err != nil {
		t.Fatalf("the receiving agency acts: %v", err)
	}
	audit("referral with undo")

	// Ailsa sees the outcome under "Referrals we sent".
	signIn(tb.Net.Adviser)
	if err := chromedp.Do(ctx, chromedp.Navigate(tb.srv.URL+"/staff/sent"), chromedp.WaitVisible(chromedp.CSS(`table.rows`))); err != nil {
		t.Fatal(err)
	}
	text, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(`table.rows`)))
	if err != nil || !strings.Contains(text, r.Reference) || !strings.Contains(text, "Outcome: Help given") || !strings.Contains(text, "Euan Tait") {
		t.Errorf("sent list %q should show the outcome and who: %v", text, err)
	}
	audit("sent with outcome")
}
