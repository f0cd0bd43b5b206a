package report_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/onward-network/onward/core/report"
)

// TestRedirectsAreNotRejectionsInOutcomes reproduces a review's finding:
// the outcomes report's "Rejected" held the redirects, and neither it nor
// the rejection reasons said so. Redirects have a row of their own in
// the outcomes report, and both reports' lines say where they count.
func TestRedirectsAreNotRejectionsInOutcomes(t *testing.T) {
	t.Parallel()
	env, rp := seededReports(t)
	ctx := context.Background()
	var rejected, redirected int64
	if err := env.Pool.QueryRow(ctx, `SELECT count(*) FILTER (WHERE reason IS DISTINCT FROM 'redirected'), count(*) FILTER (WHERE reason = 'redirected')
		FROM referrals WHERE status = 'rejected'`).Scan(&rejected, &redirected); err != nil {
		t.Fatal(err)
	}
	if redirected == 0 {
		t.Fatal("the seed should hold redirects")
	}
	f := report.Filter{From: time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC), To: time.Date(2026, 11, 30, 0, 0, 0, 0, time.UTC)}
	r, err := rp.Run(ctx, "outcomes", f, report.Viewer{Network: true})
	if err != nil {
		t.Fatal(err)
	}
	for row, want := range map[string]int64{"Rejected (turned down)": rejected, "Redirected to another agency": redirected} {
		if c, _ := cellAt(r, row, "Referrals"); c.Value == nil || int64(*c.Value) != want {
			t.Errorf("outcomes: %s shows %q, direct count %d", row, c.Text, want)
		}
	}
	if !strings.Contains(r.Counts, "Redirected to another agency") {
		t.Errorf("the outcomes report's line should say where redirects count: %q", r.Counts)
	}
	rj, err := rp.Run(ctx, "rejections", f, report.Viewer{Network: true})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(rj.Counts, "redirects are counted here") {
		t.Errorf("the rejection reasons report's line should say it counts redirects: %q", rj.Counts)
	}
}
