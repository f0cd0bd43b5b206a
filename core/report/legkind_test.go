package report_test

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"maps"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/onward-network/onward/core"
	"github.com/onward-network/onward/core/coretest"
	"github.com/onward-network/onward/core/report"
)

// sqlTestLegKinds counts the referral legs straight from the referrals
// table by how each came about — Onward made it on a redirect or a
// rejection (it carries its parent's consent), or someone made it — and
// by the referral's own source.
const sqlTestLegKinds = `
SELECT CASE WHEN p.consent_id = r.consent_id AND p.reason = 'redirected' THEN 'redirected'
            WHEN p.consent_id = r.consent_id THEN 'rerouted' ELSE 'made' END || ' ' || r.source, count(*)
FROM referrals r LEFT JOIN referrals p ON p.id = r.parent_id GROUP BY 1`

// sqlRollupLegKinds sums a rollup's legs (need ”, every referral once)
// the same way.
const sqlRollupLegKinds = `SELECT leg_kind || ' ' || source, sum(n)::bigint FROM %s WHERE need = '' GROUP BY 1`

// sqlRollupSources lists every source the main rollups hold.
const sqlRollupSources = `SELECT source FROM report_daily UNION SELECT source FROM report_monthly`

func countsBy(t *testing.T, env *coretest.Env, sql string) map[string]int64 {
	t.Helper()
	rows, _ := env.Pool.Query(context.Background(), sql)
	out := map[string]int64{}
	var k string
	var n int64
	if _, err := pgx.ForEachRow(rows, []any{&k, &n}, func() error { out[k] = n; return nil }); err != nil {
		t.Fatal(err)
	}
	return out
}

// checkRollupSources fails the test when a main rollup's source is
// anything but where a referral came from: never how a leg came about.
func checkRollupSources(t *testing.T, env *coretest.Env) {
	t.Helper()
	rows, _ := env.Pool.Query(context.Background(), sqlRollupSources)
	sources, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		t.Fatal(err)
	}
	if len(sources) == 0 {
		t.Fatal("the rollups hold no rows")
	}
	for _, s := range sources {
		switch core.Source(s) {
		case core.SourceSMS, core.SourceWeb, core.SourceStaff, core.SourceAPI:
		default:
			t.Errorf("the rollups hold source %q, which is not where any referral came from", s)
		}
	}
}

// TestLegKindIsNotASource checks that a redirected or re-routed leg is
// counted under its referral's own source, with how it came about in a
// column of its own, and that the reports still count it as a redirect
// or a re-route. The seed has a web self-referral that an agency
// redirects and a text that an agency turns down, so Onward re-routes it.
func TestLegKindIsNotASource(t *testing.T) {
	t.Parallel()
	env, rp := seededReports(t)
	ctx := context.Background()
	checkRollupSources(t, env)

	direct := countsBy(t, env, sqlTestLegKinds)
	if direct["redirected web"] != 1 || direct["rerouted sms"] != 1 {
		t.Fatalf("the seed should have one redirected web leg and one re-routed text: %v", direct)
	}
	for _, table := range []string{"report_daily", "report_monthly"} {
		if got := countsBy(t, env, fmt.Sprintf(sqlRollupLegKinds, table)); !maps.Equal(got, direct) {
			t.Errorf("%s by leg kind and source:\n got %v\nwant %v", table, got, direct)
		}
	}

	// The referrers the partners report lists: the redirect is its
	// agency's, the re-route Onward's, and no row is named after a
	// marker as if it were a source.
	f := report.Filter{From: time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC), To: time.Date(2026, 11, 20, 0, 0, 0, 0, time.UTC)}
	r, err := rp.Run(ctx, "partners", f, report.Viewer{Network: true})
	if err != nil {
		t.Fatal(err)
	}
	var redirects, reroutes int
	for _, row := range r.Rows {
		label, total := row[0].Text, row[len(row)-1].Text
		switch {
		case strings.HasPrefix(label, "Other ("):
			t.Errorf("partners lists a referrer %q", label)
		case strings.HasSuffix(label, " (redirects)"):
			redirects++
			if total != "1" {
				t.Errorf("partners: %s total %s, want 1", label, total)
			}
		case label == "Re-routed by Onward after a rejection":
			reroutes++
			if total != "1" {
				t.Errorf("partners: %s total %s, want 1", label, total)
			}
		}
	}
	if redirects != 1 || reroutes != 1 {
		t.Errorf("partners has %d rows of redirects and %d of re-routes, want 1 and 1", redirects, reroutes)
	}
}

// reportFigures is every report's table as text, for the network and for
// one agency, to compare the figures before and after a change.
func reportFigures(t *testing.T, rp *report.Reports, agency core.AgencyID) map[string]string {
	t.Helper()
	ctx := context.Background()
	out := map[string]string{}
	f := report.Filter{From: time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC), To: time.Date(2026, 11, 20, 0, 0, 0, 0, time.UTC)}
	for _, spec := range report.List() {
		for _, a := range []core.AgencyID{0, agency} {
			f.Agency = a
			key := fmt.Sprintf("%s, agency %d", spec.Name, a)
			r, err := rp.Run(ctx, spec.Name, f, report.Viewer{Network: true})
			if err != nil {
				out[key] = "error: " + err.Error()
				continue
			}
			var b strings.Builder
			b.WriteString(strings.Join(r.Columns, " | "))
			for _, row := range r.Rows {
				b.WriteString("\n")
				for _, c := range row {
					b.WriteString(c.Text + " | ")
				}
			}
			if r.Listing != nil {
				for _, row := range r.Listing.Rows {
					b.WriteString("\n" + strings.Join(row, " | "))
				}
			}
			out[key] = b.String()
		}
	}
	return out
}

// TestMigrationMovesLegMarkersOutOfSource puts the main rollups back in
// the shape they had before migration 034 — the redirect and re-route
// markers in source, no leg_kind — and applies the migration: every
// report shows the same figures at once, a refresher that does not set
// leg_kind cannot write, and the rebuild the migration asks for leaves
// only real sources with the same figures again.
func TestMigrationMovesLegMarkersOutOfSource(t *testing.T) {
	t.Parallel()
	env, rp := seededReports(t)
	ctx := context.Background()
	names, err := fs.Glob(core.Migrations(), "034_*.sql")
	if err != nil || len(names) != 1 {
		t.Fatalf("migration 034: %v %v", names, err)
	}
	migration, err := fs.ReadFile(core.Migrations(), names[0])
	if err != nil {
		t.Fatal(err)
	}
	want := reportFigures(t, rp, env.Net.CAB)
	if !strings.Contains(want["partners, agency 0"], "(redirects)") {
		t.Fatalf("the seed's partners report has no redirects:\n%s", want["partners, agency 0"])
	}

	const oldShape = `
UPDATE report_daily SET source = leg_kind WHERE leg_kind <> 'made';
UPDATE report_monthly SET source = leg_kind WHERE leg_kind <> 'made';
ALTER TABLE report_daily DROP COLUMN leg_kind;
ALTER TABLE report_monthly DROP COLUMN leg_kind;`
	if _, err := env.Pool.Exec(ctx, oldShape); err != nil {
		t.Fatalf("put the rollups in their old shape: %v", err)
	}
	var markers int
	if err := env.Pool.QueryRow(ctx, `SELECT count(*) FROM report_daily WHERE source IN ('redirected', 'rerouted')`).Scan(&markers); err != nil || markers == 0 {
		t.Fatalf("the old shape has %d rows with a marker in source (%v)", markers, err)
	}
	if _, err := env.Pool.Exec(ctx, string(migration)); err != nil {
		t.Fatalf("apply %s: %v", names[0], err)
	}

	if got := reportFigures(t, rp, env.Net.CAB); !maps.Equal(got, want) {
		for k := range want {
			if got[k] != want[k] {
				t.Errorf("%s right after the migration:\n got %s\nwant %s", k, got[k], want[k])
			}
		}
	}

	_, err = env.Pool.Exec(ctx, `INSERT INTO report_daily (day, need, to_agency, from_agency, source, leaflet, crisis, n)
		VALUES ('2026-11-01', '', 0, 0, 'sms', '', false, 1)`)
	if pgErr := (*pgconn.PgError)(nil); !errors.As(err, &pgErr) || pgErr.Code != "23502" {
		t.Errorf("a rollup row without leg_kind: %v, want a not-null violation", err)
	}

	res, err := rp.Refresh(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if !res.Full {
		t.Errorf("the first refresh after the migration: %+v, want a rebuild", res)
	}
	checkRollupSources(t, env)
	if got := reportFigures(t, rp, env.Net.CAB); !maps.Equal(got, want) {
		for k := range want {
			if got[k] != want[k] {
				t.Errorf("%s after the rebuild:\n got %s\nwant %s", k, got[k], want[k])
			}
		}
	}
}
