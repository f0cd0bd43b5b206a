package bot

import (
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/onward-network/onward/core/coretest"
	"github.com/onward-network/onward/core/report"
)

// jsContrast measures, on the open report page, what axe-core does not:
// the contrast of the chart's marks and text against the white chart,
// and of each heat cell's text against its shade (WCAG 2.x relative
// luminance). Gridlines (class "grid") are decoration and are left out.
// It returns one line per failure.
const jsContrast = `(() => {
  const rgb = c => { const m = c.match(/rgba?\((\d+), (\d+), (\d+)(?:, ([\d.]+))?\)/); return m ? {r: +m[1], g: +m[2], b: +m[3], a: m[4] === undefined ? 1 : +m[4]} : null; };
  const lum = ({r, g, b}) => [r, g, b].map(v => { v /= 255; return v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4); })
    .reduce((s, v, i) => s + v * [0.2126, 0.7152, 0.0722][i], 0);
  const ratio = (a, b) => { const x = lum(a), y = lum(b); return (Math.max(x, y) + 0.05) / (Math.min(x, y) + 0.05); };
  const white = {r: 255, g: 255, b: 255};
  const out = [];
  document.querySelectorAll("figure.chart svg *").forEach(el => {
    if (el.closest("defs") || el.classList.contains("grid") || ["title", "desc", "defs", "pattern", "svg"].includes(el.tagName)) return;
    const st = getComputedStyle(el);
    const tag = el.tagName;
    if (tag === "text") {
      const c = rgb(st.fill);
      if (c && ratio(c, white) < 4.5) out.push("chart text '" + el.textContent + "' " + st.fill + " " + ratio(c, white).toFixed(2));
      return;
    }
    // A mark is seen by its outline where it has one, else by its fill.
    let c = st.stroke !== "none" ? rgb(st.stroke) : rgb(st.fill);
    if (!c || (c.r === 255 && c.g === 255 && c.b === 255)) return;
    if (tag === "rect" && el.getAttribute("width") === "0") return;
    if (ratio(c, white) < 3) out.push("chart " + tag + " " + (st.stroke !== "none" ? st.stroke : st.fill) + " " + ratio(c, white).toFixed(2));
  });
  document.querySelectorAll("table.heat td").forEach(td => {
    const st = getComputedStyle(td);
    const fg = rgb(st.color), bg = rgb(st.backgroundColor);
    const back = bg && bg.a > 0 ? bg : white;
    if (fg && ratio(fg, back) < 4.5) out.push("heat cell " + td.className + " " + st.color + " on " + st.backgroundColor + " " + ratio(fg, back).toFixed(2));
  });
  return out;
})()`

// jsReflow checks the page at its current width: nothing makes the page
// scroll sideways, and every table that may scroll does so inside a
// labelled region reachable from the keyboard.
const jsReflow = `(() => {
  const out = [];
  const doc = document.documentElement;
  if (doc.scrollWidth > doc.clientWidth + 1) {
    // Name what is too wide: the chain of elements whose hiding ends it.
    const culprits = [];
    const walk = el => { for (const c of el.children) { const d = c.style.display; c.style.display = "none"; const w = doc.scrollWidth; c.style.display = d;
      if (w <= doc.clientWidth + 1) { culprits.push(c.tagName.toLowerCase() + (c.className ? "." + c.className : "")); walk(c); return; } } };
    walk(document.body);
    out.push("page is " + doc.scrollWidth + "px wide in a " + doc.clientWidth + "px window because of " + culprits.join(" > "));
  }
  document.querySelectorAll("table").forEach(t => {
    const r = t.closest(".table-scroll");
    if (!r) { out.push("a table outside a scroll region"); return; }
    if (r.getAttribute("role") !== "region" || r.getAttribute("tabindex") !== "0" || !r.getAttribute("aria-label")) out.push("scroll region without role, tabindex or label");
  });
  return out;
})()`

// TestBrowserReportPages opens every report page as a coordinator in
// headless Chromium: axe-core's WCAG 2.x A and AA rules, the contrast of
// chart marks and heat cells, and reflow at 320 CSS pixels.
func TestBrowserReportPages(t *testing.T) {
	t.Parallel()
	path := coretest.Chromium(t)
	tb := reportsBot(t)
	ctx := startChromium(t, path, 4*time.Minute)
	audit := axeAuditor(t, ctx)
	if err := chromedp.Do(ctx, chromedp.Navigate(tb.local(tb.link(tb.Net.Coordinator))), chromedp.WaitVisible(chromedp.CSS(`main form button[type=submit]`)),
		chromedp.Click(chromedp.CSS(`main form button[type=submit]`)), chromedp.WaitVisible(chromedp.CSS(`a[href="/staff/reports"]`))); err != nil {
		t.Fatalf("sign in as the coordinator: %v", err)
	}
	pages := []string{"/staff/reports"}
	for _, s := range report.List() {
		pages = append(pages, "/staff/reports/"+s.Name)
	}
	pages = append(pages, "/staff/reports/national-standards?agency=kirkton-cab", "/staff/reports/sent-back?agency=kc-welfare-rights")
	for _, p := range pages {
		for _, width := range []int64{1280, 320} {
			if err := chromedp.Do(ctx, chromedp.EmulateViewport(width, 800), chromedp.Navigate(tb.srv.URL+p), chromedp.WaitVisible(chromedp.CSS("main"))); err != nil {
				t.Fatalf("open %s: %v", p, err)
			}
			name := p + " at " + map[int64]string{1280: "1280px", 320: "320px"}[width]
			if width == 1280 {
				audit(name)
				bad, err := chromedp.Run(ctx, chromedp.Evaluate[[]string](jsContrast))
				if err != nil {
					t.Fatalf("%s: contrast: %v", name, err)
				}
				for _, b := range bad {
					t.Errorf("%s: %s below the contrast it needs", name, b)
				}
			}
			bad, err := chromedp.Run(ctx, chromedp.Evaluate[[]string](jsReflow))
			if err != nil {
				t.Fatalf("%s: reflow: %v", name, err)
			}
			for _, b := range bad {
				t.Errorf("%s: %s", name, b)
			}
		}
	}
	// The pack prints without the site's header and the filter form.
	if err := chromedp.Do(ctx, chromedp.EmulateViewport(1280, 800), chromedp.Navigate(tb.srv.URL+"/staff/reports/national-standards?agency=kirkton-cab"),
		chromedp.WaitVisible(chromedp.CSS("main"))); err != nil {
		t.Fatal(err)
	}
	printed, err := chromedp.Run(ctx, chromedp.Evaluate[string](`[...document.styleSheets].flatMap(s => [...s.cssRules]).filter(r => r.media && r.media.mediaText === "print").map(r => r.cssText).join(" ")`))
	if err != nil || !strings.Contains(printed, "header.site") || !strings.Contains(printed, ".report-filter") {
		t.Errorf("no print styles hiding the header and filter: %q %v", printed, err)
	}
}
