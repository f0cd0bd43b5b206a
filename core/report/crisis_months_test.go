package report_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/onward-network/onward/core/report"
)

// TestCrisisReportShowsEveryMonth reproduces a review's finding: the
// crisis report over July to September printed August and September only,
// while seasonality showed July as 0. Every month of the dates has a row,
// 0 when nobody was referred in it, as seasonality by month shows it.
func TestCrisisReportShowsEveryMonth(t *testing.T) {
	t.Parallel()
	_, rp := seededReports(t)
	ctx := context.Background()
	f := report.Filter{From: time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC), To: time.Date(2025, 8, 31, 0, 0, 0, 0, time.UTC)}
	r, err := rp.Run(ctx, "crisis", f, report.Viewer{Network: true})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, row := range r.Rows {
		got = append(got, row[0].Text)
	}
	want := []string{"Jan 2025", "Feb 2025", "Mar 2025", "Apr 2025", "May 2025", "Jun 2025", "Jul 2025", "Aug 2025", "Total"}
	if strings.Join(got, "|") != strings.Join(want, "|") {
		t.Fatalf("crisis report rows %q, want %q", got, want)
	}
	season, err := rp.Run(ctx, "seasonality-monthly", f, report.Viewer{Network: true})
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range []string{"Mar", "Aug"} {
		c, _ := cellAt(r, m+" 2025", "New referrals")
		s, _ := cellAt(season, m, "2025")
		if c.Text != "0" || s.Text != "0" {
			t.Errorf("%s 2025, with nobody referred: crisis report %q, seasonality %q, want 0 in both", m, c.Text, s.Text)
		}
	}
}
