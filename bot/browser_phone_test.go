package bot

import (
	"fmt"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/onward-network/onward/core/coretest"
)

// brokenWords lists the words of the list tables' cells that the browser
// broke across lines (a cell narrower than a word), and the elements of
// main reaching past the screen's right edge.
const brokenWords = `(() => {
  const broken = [];
  for (const cell of document.querySelectorAll("table.rows th, table.rows td")) {
    const walk = document.createTreeWalker(cell, NodeFilter.SHOW_TEXT);
    for (let n = walk.nextNode(); n; n = walk.nextNode()) {
      for (const m of n.data.matchAll(/\S+/g)) {
        const r = document.createRange();
        r.setStart(n, m.index); r.setEnd(n, m.index + m[0].length);
        const lines = new Set(Array.from(r.getClientRects()).filter(x => x.width > 0).map(x => Math.round(x.top)));
        if (lines.size > 1) broken.push(m[0]);
      }
    }
  }
  const wide = Array.from(document.querySelectorAll("main *")).filter(e => e.getBoundingClientRect().right > innerWidth + 0.5)
    .map(e => e.tagName.toLowerCase() + (e.id ? "#" + e.id : ""));
  return {broken: broken.slice(0, 10), wide: wide.slice(0, 10), rows: document.querySelectorAll("table.rows tbody tr").length};
})()`

// TestBrowserListsOnAPhone: on a 375-px-wide phone the inbox and the
// referrals an agency sent show each referral legibly: no word in the
// lists is broken letter by letter across lines, and neither the
// filters nor the rows reach past the screen's edge.
func TestBrowserListsOnAPhone(t *testing.T) {
	t.Parallel()
	path := coretest.Chromium(t)
	tb := newTestBot(t)
	for i := range 3 {
		tb.selfReferral(fmt.Sprintf("phone-%d", i), i == 0)
	}
	tb.staffReferral("phone-sent") // Welfare sends one to CAB
	ctx := startChromium(t, path, 2*time.Minute)
	for _, c := range []struct{ who, path string }{{"adviser", "/staff/"}, {"welfare", "/staff/sent"}} {
		staff := tb.Net.Adviser
		if c.who == "welfare" {
			staff = tb.Net.WelfareAdviser
		}
		if err := chromedp.Do(ctx, chromedp.EmulateViewport(375, 812), tb.signInSteps(staff),
			chromedp.Navigate(tb.srv.URL+c.path),
			chromedp.WaitVisible(chromedp.CSS(`table.rows`))); err != nil {
			t.Fatalf("open %s: %v", c.path, err)
		}
		type result struct {
			Broken, Wide []string
			Rows         int
		}
		got, err := chromedp.Run(ctx, chromedp.Evaluate[result](brokenWords))
		if err != nil {
			t.Fatal(err)
		}
		if got.Rows == 0 {
			t.Fatalf("%s lists no referrals", c.path)
		}
		if len(got.Broken) > 0 {
			t.Errorf("%s at 375 px breaks words across lines: %q", c.path, got.Broken)
		}
		if len(got.Wide) > 0 {
			t.Errorf("%s at 375 px: these reach past the screen's edge: %v", c.path, got.Wide)
		}
	}
}
