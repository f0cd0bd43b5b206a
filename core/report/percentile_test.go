package report_test

import (
	"context"
	"fmt"
	"math"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/onward-network/onward/core/report"
)

// sqlExactTimes is every percentile the times reports show, straight from
// the referrals with PostgreSQL's percentile_cont: per receiving agency
// and in all, to acknowledge and to contact (from the referral reaching
// the agency), and per month and in all, to assign from triage. Rows are
// (report, row, column, hours, how many legs).
const sqlExactTimes = `
WITH t AS (
    SELECT a.name, to_char(r.created_at AT TIME ZONE 'Europe/London', 'Mon YYYY') AS month,
        extract(epoch FROM r.acknowledged_at - coalesce(r.assigned_at, r.created_at)) / 3600 AS ack,
        extract(epoch FROM r.contacted_at - coalesce(r.assigned_at, r.created_at)) / 3600 AS con,
        extract(epoch FROM r.assigned_at - r.created_at) / 3600 AS tri
    FROM referrals r LEFT JOIN agencies a ON a.id = r.to_agency_id
), p(label, pct) AS (VALUES ('Median', 0.5::float8), ('90th percentile', 0.9::float8))
SELECT 'response-times', coalesce(name, 'All agencies'), p.label || ' calendar hours to acknowledge',
    percentile_cont(p.pct) WITHIN GROUP (ORDER BY ack), count(ack)
FROM t, p WHERE name IS NOT NULL GROUP BY GROUPING SETS ((name, p.label, p.pct), (p.label, p.pct)) HAVING count(ack) > 0
UNION ALL
SELECT 'response-times', coalesce(name, 'All agencies'), p.label || ' calendar hours to contact',
    percentile_cont(p.pct) WITHIN GROUP (ORDER BY con), count(con)
FROM t, p WHERE name IS NOT NULL GROUP BY GROUPING SETS ((name, p.label, p.pct), (p.label, p.pct)) HAVING count(con) > 0
UNION ALL
SELECT 'crisis', coalesce(month, 'Total'), p.label || ' calendar hours to assign',
    percentile_cont(p.pct) WITHIN GROUP (ORDER BY tri), count(tri)
FROM t, p GROUP BY GROUPING SETS ((month, p.label, p.pct), (p.label, p.pct)) HAVING count(tri) > 0`

// TestPercentilesAreExact reproduces a review's finding: medians and 90th
// percentiles were interpolated across whole time bands, so an agency's
// median of six times to acknowledge showed 6.0 hours where the middle two
// were 4.45 and 40.01 (exactly 22.2), and a 90th percentile of two waits
// lay beyond the longer of them. Every median and 90th percentile of the
// response times and crisis reports is now percentile_cont over the legs'
// own times, to the tenth of an hour shown; and none is ever beyond the
// longest real wait.
func TestPercentilesAreExact(t *testing.T) {
	t.Parallel()
	env, rp := seededReports(t)
	ctx := context.Background()
	// One agency's acknowledgements as the review found them: six times
	// whose middle two are far apart.
	hours := []float64{0.23, 3.60, 4.45, 40.01, 50.96, 139.81}
	agency := env.Net.CAB
	tag, err := env.Pool.Exec(ctx, `
WITH six AS (SELECT id, row_number() OVER (ORDER BY id) AS k FROM referrals
    WHERE to_agency_id = $1 AND acknowledged_at IS NOT NULL ORDER BY id LIMIT 6)
UPDATE referrals r SET acknowledged_at = coalesce(r.assigned_at, r.created_at) + make_interval(secs => ($2::float8[])[six.k] * 3600)
FROM six WHERE six.id = r.id`, agency, hours)
	if err != nil || tag.RowsAffected() != 6 {
		t.Fatalf("set six times to acknowledge: %v, %d referrals", err, tag.RowsAffected())
	}
	if _, err := env.Pool.Exec(ctx, `UPDATE referrals SET acknowledged_at = NULL, status = 'requested', closed_at = NULL
		WHERE to_agency_id = $1 AND acknowledged_at IS NOT NULL AND id NOT IN (
			SELECT id FROM referrals WHERE to_agency_id = $1 AND acknowledged_at IS NOT NULL ORDER BY id LIMIT 6)`, agency); err != nil {
		t.Fatal(err)
	}
	if err := report.Invalidate(ctx, env.Pool); err != nil {
		t.Fatal(err)
	}
	if _, err := rp.Refresh(ctx); err != nil {
		t.Fatal(err)
	}
	f := report.Filter{From: time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC), To: time.Date(2026, 11, 30, 0, 0, 0, 0, time.UTC)}
	reports := map[string]report.Report{}
	for _, name := range []string{"response-times", "crisis"} {
		r, err := rp.Run(ctx, name, f, report.Viewer{Network: true})
		if err != nil {
			t.Fatal(err)
		}
		if notes := strings.Join(r.Notes, " "); !strings.Contains(notes, "exact") || strings.Contains(notes, "within the band") {
			t.Errorf("%s: the notes should say the percentiles are exact: %q", name, r.Notes)
		}
		reports[name] = r
	}
	if c, _ := cellAt(reports["response-times"], "Kirkton Citizens Advice", "Median calendar hours to acknowledge"); c.Text != "22.2" {
		t.Errorf("Kirkton Citizens Advice's median of %v hours to acknowledge shows %q, want 22.2 (halfway between 4.45 and 40.01)", hours, c.Text)
	}
	rows, _ := env.Pool.Query(ctx, sqlExactTimes)
	var name, row, col string
	var exact float64
	var n int64
	checked := 0
	if _, err := pgx.ForEachRow(rows, []any{&name, &row, &col, &exact, &n}, func() error {
		c, ok := cellAt(reports[name], row, col)
		if !ok || c.Value == nil {
			return fmt.Errorf("%s: %s / %s: no figure (%q) for %d referrals", name, row, col, c.Text, n)
		}
		if want := math.Round(exact*10) / 10; *c.Value != want {
			t.Errorf("%s: %s / %s shows %s, exact %.1f (percentile_cont of %d)", name, row, col, c.Text, want, n)
		}
		checked++
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	if checked < 20 {
		t.Fatalf("only %d percentiles checked", checked)
	}
	// Nothing is beyond the longest real wait.
	var longest float64
	if err := env.Pool.QueryRow(ctx, `SELECT max(extract(epoch FROM contacted_at - coalesce(assigned_at, created_at)) / 3600) FROM referrals`).Scan(&longest); err != nil {
		t.Fatal(err)
	}
	if c, _ := cellAt(reports["response-times"], "All agencies", "90th percentile calendar hours to contact"); c.Value == nil || *c.Value > math.Round(longest*10)/10 {
		t.Errorf("the 90th percentile to contact %q is beyond the longest wait, %.1f hours", c.Text, longest)
	}
}

// TestPercentilesOverManyReferralsSayTheyAreEstimates: over dates holding
// more referrals than a report reads one by one, the times come from the
// rollups' bands, and the report says they are estimates rather than
// passing them off as exact; the pack leaves contact within target out
// rather than estimate it.
func TestPercentilesOverManyReferralsSayTheyAreEstimates(t *testing.T) {
	// Not in parallel: it changes the package's limit of exact
	// times, which the package's other tests read.
	env, rp := seededReports(t)
	ctx := context.Background()
	report.SetExactTimesLimit(t, 10)
	f := report.Filter{From: time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC), To: time.Date(2026, 11, 30, 0, 0, 0, 0, time.UTC)}
	for _, name := range []string{"response-times", "crisis", "national-standards"} {
		r, err := rp.Run(ctx, name, f, report.Viewer{Network: true})
		if err != nil {
			t.Fatal(err)
		}
		if notes := strings.Join(r.Notes, " "); !strings.Contains(notes, "estimates") || strings.Contains(notes, "are exact") {
			t.Errorf("%s: over more than the limit, the notes should say the percentiles are estimates: %q", name, r.Notes)
		}
	}
	r, err := rp.Run(ctx, "national-standards", report.Filter{From: f.From, To: f.To, Agency: env.Net.CAB}, report.Viewer{Network: true})
	if err != nil {
		t.Fatal(err)
	}
	row := "Acknowledgement and contact against the network's targets › Clients contacted within target (%)"
	if c, _ := cellAt(r, row, "Figure"); c.Text != "" {
		t.Errorf("contact within target over too many referrals shows %q, want none", c.Text)
	}
	if c, _ := cellAt(r, row, "Target"); !strings.Contains(c.Text, "Not worked out") {
		t.Errorf("contact within target over too many referrals should say it was not worked out: %q", c.Text)
	}
}
