package bot

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/onward-network/onward/core/coretest"
	"github.com/onward-network/onward/core/report"
)

// The demand map's page passes axe-core's WCAG A and AA rules in Chromium,
// and the map is drawn with a size (it reflows inside the page).
func TestBrowserDemandMap(t *testing.T) {
	t.Parallel()
	path := coretest.Chromium(t)
	tb := newTestBot(t)
	ctx := context.Background()
	tb.selfReferral("map-browser-1", false)
	tb.selfReferral("map-browser-2", false)
	if _, err := tb.Engine.ImportPostcodes(ctx, strings.NewReader("pcds,lat,long\nKY1 1AB,56.112,-3.160\n")); err != nil {
		t.Fatal(err)
	}
	if _, err := report.New(tb.Engine.Pool(), tb.Engine.Clock()).Refresh(ctx); err != nil {
		t.Fatal(err)
	}
	bctx := startChromium(t, path, 2*time.Minute)
	if err := chromedp.Do(bctx, chromedp.Navigate(tb.local(tb.link(tb.Net.Coordinator))),
		chromedp.WaitVisible(chromedp.CSS(`main form button[type=submit]`)),
		chromedp.Click(chromedp.CSS(`main form button[type=submit]`)),
		chromedp.WaitVisible(chromedp.CSS(`a[href="/staff/directory"]`))); err != nil {
		t.Fatalf("sign in: %v", err)
	}
	if err := chromedp.Do(bctx, chromedp.Navigate(tb.srv.URL+"/staff/reports/demand-district"),
		chromedp.WaitVisible(chromedp.CSS(`figure.map svg circle`))); err != nil {
		t.Fatalf("open the demand map: %v", err)
	}
	w, err := chromedp.Run(bctx, chromedp.Evaluate[float64](`document.querySelector("figure.map svg").getBoundingClientRect().width`))
	if err != nil || w < 100 {
		t.Errorf("the map is %v px wide (%v)", w, err)
	}
	axeAuditor(t, bctx)("demand map")
}
