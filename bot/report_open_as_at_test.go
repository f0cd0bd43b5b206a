package bot

import (
	"encoding/json"
	"strings"
	"testing"
)

// TestOpenAsAtPageSaysTheMoment: the open-as-at page and its JSON say the
// moment the caseload stands at, in the network's time zone: the end of
// the dates' last day, or, while that day is not over, the latest count.
func TestOpenAsAtPageSaysTheMoment(t *testing.T) {
	t.Parallel()
	tb := reportsBot(t) // the figures were counted at 20:00 on 23 November 2026
	c := tb.signedIn(tb.Net.Coordinator)
	for _, tc := range []struct{ to, want, asAt string }{
		{"2026-11-22", "As at 23:59 GMT on 22 November 2026, the end of the dates.", "2026-11-23T00:00:00Z"},
		{"2026-11-23", "As at 20:00 GMT on 23 November 2026, the latest count: the dates are not over yet.", "2026-11-23T20:00:00Z"},
	} {
		resp, body := c.get("/staff/reports/open-as-at?from=2026-01-01&to=" + tc.to)
		if resp.StatusCode != 200 {
			t.Fatalf("to %s: %d", tc.to, resp.StatusCode)
		}
		if !strings.Contains(body, `<p class="as-at"><strong>`+tc.want+`</strong></p>`) {
			t.Errorf("to %s: the page does not say %q", tc.to, tc.want)
		}
		if !strings.Contains(body, `<th scope="col">On the waiting list</th>`) {
			t.Errorf("to %s: the page has no table of where the referrals stood", tc.to)
		}
		_, body = c.get("/staff/reports/open-as-at/json?from=2026-01-01&to=" + tc.to)
		var doc struct {
			AsAt string `json:"as_at"`
		}
		if err := json.Unmarshal([]byte(body), &doc); err != nil || doc.AsAt != tc.asAt {
			t.Errorf("to %s: JSON as_at %q (%v), want %s", tc.to, doc.AsAt, err, tc.asAt)
		}
	}
	// Every other report counts what happened in its dates: no moment.
	_, body := c.get("/staff/reports/outcomes?from=2026-01-01&to=2026-11-22")
	if strings.Contains(body, `class="as-at"`) {
		t.Error("the outcomes page says a moment it stands at")
	}
}
