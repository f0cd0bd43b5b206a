package report_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/onward-network/onward/core"
	"github.com/onward-network/onward/core/coretest"
	"github.com/onward-network/onward/core/report"
)

// TestFiguresAsOf reproduces review R1's finding 14: reports lag the
// referrals by up to a refresh and never said so. A report says when its
// figures were counted — the refresh its rollups come from, in the
// network's time zone — on the report, in JSON and in CSV; a change made
// since leaves both the figures and that time as they were until the
// next refresh moves them together.
func TestFiguresAsOf(t *testing.T) {
	t.Parallel()
	env := coretest.NewEnv(t)
	s := newReportSeed(t, env)
	ctx := context.Background()
	rp := report.New(env.Engine.Pool(), env.Engine.Clock())
	f := report.Filter{From: day("2026-06-01", 0), To: day("2026-06-30", 0)}
	run := func() report.Report {
		t.Helper()
		r, err := rp.Run(ctx, "outcomes", f, report.ViewerFor(env.Net.Coordinator))
		if err != nil {
			t.Fatal(err)
		}
		return r
	}
	if r := run(); !r.AsOf.IsZero() || writeJSON(t, r)["as_of"] != nil || !strings.Contains(r.AsOfText(), "not counted yet") {
		t.Errorf("before any refresh: as of %v (%q), JSON %v; want none", r.AsOf, r.AsOfText(), writeJSON(t, r)["as_of"])
	}

	// Refreshed at 10:42 UTC on 1 June, 11:42 in London's summer time.
	s.staff(day("2026-06-01", 0), env.Net.Adviser, env.Net.Welfare, core.NeedBenefits)
	env.Clock.Set(day("2026-06-01", 42*time.Minute))
	if _, err := rp.Refresh(ctx); err != nil {
		t.Fatal(err)
	}
	// A referral made after the refresh is not counted, and the time
	// says the figures are older than it.
	s.staff(day("2026-06-01", time.Hour), env.Net.Adviser, env.Net.Welfare, core.NeedBenefits)
	r := run()
	total, _ := cellAt(r, "Total", "Referrals")
	if total.Text != "1" || !r.AsOf.Equal(day("2026-06-01", 42*time.Minute)) || r.AsOf.Location().String() != "Europe/London" {
		t.Errorf("after one refresh: total %s as of %v; want 1 as of 11:42 in London", total.Text, r.AsOf)
	}
	if want := "Figures as of 11:42 BST on 1 June 2026."; r.AsOfText() != want {
		t.Errorf("as-of text %q, want %q", r.AsOfText(), want)
	}
	if got := writeJSON(t, r)["as_of"]; got != "2026-06-01T11:42:00+01:00" {
		t.Errorf("JSON as_of = %v", got)
	}
	// The CSV stays a table: its last line is the total row.
	_, recs := writeCSV(t, r)
	if last := recs[len(recs)-1]; last[0] != "Total" {
		t.Errorf("CSV's last line %q; want the total row", last)
	}

	env.Clock.Set(day("2026-06-01", 2*time.Hour))
	if _, err := rp.Refresh(ctx); err != nil {
		t.Fatal(err)
	}
	r = run()
	total, _ = cellAt(r, "Total", "Referrals")
	if total.Text != "2" || r.AsOfText() != "Figures as of 13:00 BST on 1 June 2026." {
		t.Errorf("after the next refresh: total %s, %q; want 2 as of 13:00", total.Text, r.AsOfText())
	}
}
