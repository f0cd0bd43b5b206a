package report_test

import (
	"context"
	"strconv"
	"testing"
	"time"

	"github.com/onward-network/onward/core"
	"github.com/onward-network/onward/core/coretest"
	"github.com/onward-network/onward/core/report"
)

// TestSentBackListingAgreesWithItsTotals: a referral sent back after the
// rollups were last refreshed is in neither the totals nor the listing of
// feedback under them until the next refresh counts it, so a report (and
// its CSV) never says 1 sent back above two rows of feedback.
func TestSentBackListingAgreesWithItsTotals(t *testing.T) {
	t.Parallel()
	env := coretest.NewEnv(t)
	s := newReportSeed(t, env)
	ctx := context.Background()
	cab := env.Net.Adviser
	at := day("2026-03-02", 0)
	first := s.staff(at, cab, env.Net.Welfare, core.NeedBenefits)
	second := s.staff(at.Add(time.Hour), cab, env.Net.Welfare, core.NeedBenefits)
	s.act(first, time.Hour, core.ActionReject, env.Net.WelfareAdviser, reject(core.ReasonNotEligible, "Outside our area of benefit"))
	rp := report.New(env.Engine.Pool(), env.Engine.Clock())
	if _, err := rp.Refresh(ctx); err != nil {
		t.Fatal(err)
	}
	env.Clock.Advance(time.Minute)
	s.act(second, time.Hour, core.ActionReject, env.Net.WelfareAdviser, reject(core.ReasonNotEligible, "Not in our area either"))

	f := report.Filter{From: day("2026-03-01", 0), To: day("2026-03-31", 0)}
	check := func(when string, want int) {
		t.Helper()
		r, err := rp.Run(ctx, "sent-back", f, report.ViewerFor(env.Net.Coordinator))
		if err != nil {
			t.Fatal(err)
		}
		total := r.Rows[len(r.Rows)-1]
		if total[0].Text != "All referrers" || total[4].Text != strconv.Itoa(want) || r.Listing == nil || len(r.Listing.Rows) != want {
			rows := -1
			if r.Listing != nil {
				rows = len(r.Listing.Rows)
			}
			t.Errorf("%s: %s sent back in all, %d rows of feedback; want %d and %d", when, total[4].Text, rows, want, want)
		}
	}
	check("before the refresh", 1)
	if _, err := rp.Refresh(ctx); err != nil {
		t.Fatal(err)
	}
	check("after it", 2)
}

// TestReportReadsOneSnapshot: every query of one report sees the database
// at one moment, so a change committed between a report's first query
// and its last (a refresh of the rollups, a referral) cannot make its
// totals and its rows disagree.
func TestReportReadsOneSnapshot(t *testing.T) {
	// Not in parallel: it adds a report to the package's list,
	// which the package's other tests read.
	env := coretest.NewEnv(t)
	ctx := context.Background()
	pool := env.Engine.Pool()
	count := func(db core.DB) (n int) {
		t.Helper()
		if err := db.QueryRow(ctx, `SELECT count(*) FROM referrals`).Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}
	var before, after int
	report.AddSpec(t, "test-snapshot", func(ctx context.Context, db core.DB) (report.Report, error) {
		before = count(db)
		// Committed elsewhere between this report's two queries.
		if _, err := env.Engine.SelfRefer(ctx, coretest.SelfReferral("snapshot-between")); err != nil {
			t.Fatal(err)
		}
		after = count(db)
		return report.Report{}, nil
	})
	f := report.Filter{From: day("2026-01-01", 0), To: day("2026-12-31", 0)}
	if _, err := report.New(pool, env.Engine.Clock()).Run(ctx, "test-snapshot", f, report.Viewer{Network: true}); err != nil {
		t.Fatal(err)
	}
	if before != after || count(pool) != before+1 {
		t.Errorf("one report counted %d referrals, then %d (%d now), want the same count twice", before, after, count(pool))
	}
}

// TestReportPlannerSettings: every query of a report is planned for its
// own period (plan_cache_mode) and runs without PostgreSQL's JIT
// compiler, and only the report's: the pool's connections keep the
// server's settings afterwards.
func TestReportPlannerSettings(t *testing.T) {
	// Not in parallel: it adds a report to the package's list,
	// which the package's other tests read.
	env := coretest.NewEnv(t)
	ctx := context.Background()
	pool := env.Engine.Pool()
	const sqlSettings = `SELECT current_setting('plan_cache_mode') || ' ' || current_setting('jit')`
	var inReport string
	report.AddSpec(t, "test-settings", func(ctx context.Context, db core.DB) (report.Report, error) {
		if err := db.QueryRow(ctx, sqlSettings).Scan(&inReport); err != nil {
			t.Fatal(err)
		}
		return report.Report{}, nil
	})
	f := report.Filter{From: day("2026-01-01", 0), To: day("2026-12-31", 0)}
	if _, err := report.New(pool, env.Engine.Clock()).Run(ctx, "test-settings", f, report.Viewer{Network: true}); err != nil {
		t.Fatal(err)
	}
	if want := "force_custom_plan off"; inReport != want {
		t.Errorf("a report's queries ran with plan_cache_mode and jit %q, want %q", inReport, want)
	}
	var server, after string
	if err := pool.QueryRow(ctx, `SELECT string_agg(reset_val, ' ' ORDER BY name DESC) FROM pg_settings WHERE name IN ('plan_cache_mode', 'jit')`).Scan(&server); err != nil {
		t.Fatal(err)
	}
	if err := pool.QueryRow(ctx, sqlSettings).Scan(&after); err != nil {
		t.Fatal(err)
	}
	if after != server {
		t.Errorf("after the report the pool's connections have plan_cache_mode and jit %q, want the server's %q", after, server)
	}
}
