package main

import (
	"context"
	"fmt"
	"io"
	"net/url"
	"os"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/onward-network/onward/core"
	"github.com/onward-network/onward/core/demo"
	"github.com/onward-network/onward/core/report"
)

// The reports benchmark runs every report over ten million referrals
// (ONWARD_BENCH_REPORTS_N sets another number, a million for a quicker
// measure). The database (demo network + `demo --history` up to n) takes
// the better part of an hour to build at ten million on a small machine,
// so it is built once and kept under a name that carries n; a later run
// reuses it when it holds the right number of referrals, bringing its
// schema forward with the migrations this binary carries, and rebuilds it
// only when it does not. Databases kept for other sizes are left alone.
const (
	benchReportsN    = 10_000_000
	benchReportsRuns = 20
	benchReportsDays = 90
)

// benchReportsSize reads ONWARD_BENCH_REPORTS_N: how many referrals the
// benchmark's database holds.
func benchReportsSize() (int, error) {
	v := os.Getenv("ONWARD_BENCH_REPORTS_N")
	if v == "" {
		return benchReportsN, nil
	}
	n, err := strconv.Atoi(strings.ReplaceAll(v, "_", ""))
	if err != nil || n < 10_000 {
		return 0, fmt.Errorf("ONWARD_BENCH_REPORTS_N must be a whole number of referrals, at least 10000, got %q", v)
	}
	return n, nil
}

// benchReportsDB names the kept database for n referrals:
// onward_bench_reports_10m, onward_bench_reports_1m, onward_bench_reports_250000.
func benchReportsDB(n int) string {
	if n%1_000_000 == 0 {
		return fmt.Sprintf("onward_bench_reports_%dm", n/1_000_000)
	}
	return fmt.Sprintf("onward_bench_reports_%d", n)
}

func init() { registerBench("reports", benchReports) }

func benchReports(ctx context.Context, stdout io.Writer) error {
	size, err := benchReportsSize()
	if err != nil {
		return err
	}
	url, err := benchReportsDatabase(ctx, stdout, size)
	if err != nil {
		return err
	}
	cfg, err := pgxpool.ParseConfig(url)
	if err != nil {
		return err
	}
	cfg.MaxConns = 4
	// A refresh from scratch over ten million referrals is one long query.
	cfg.ConnConfig.RuntimeParams["statement_timeout"] = "0"
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return err
	}
	defer pool.Close()
	rp := report.New(pool, core.SystemClock{})
	start := time.Now()
	res, err := rp.Refresh(ctx)
	if err != nil {
		return err
	}
	if res.Full {
		fmt.Fprintf(stdout, "reports: rollups built from scratch (%d days) in %s\n", res.Days, time.Since(start).Round(time.Millisecond))
	}
	start = time.Now()
	if _, err := rp.Refresh(ctx); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "reports: refresh with nothing changed took %s\n", time.Since(start).Round(100*time.Microsecond))

	var n int
	var first, last time.Time
	if err := pool.QueryRow(ctx, `SELECT count(*), min(created_at), max(created_at) FROM referrals`).Scan(&n, &first, &last); err != nil {
		return err
	}
	day := func(t time.Time) time.Time { return time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, time.UTC) }
	ranges := []struct {
		name string
		f    report.Filter
	}{
		{"all", report.Filter{From: day(first), To: day(last)}},
		{fmt.Sprintf("last%d", benchReportsDays), report.Filter{From: day(last).AddDate(0, 0, 1-benchReportsDays), To: day(last)}},
	}
	var worst50, worst99 time.Duration
	for _, spec := range report.List() {
		line := "reports-" + spec.Name + ":"
		for _, rg := range ranges {
			took := make([]time.Duration, 0, benchReportsRuns)
			for range benchReportsRuns {
				t0 := time.Now()
				if _, err := rp.Run(ctx, spec.Name, rg.f, report.Viewer{}); err != nil {
					return err
				}
				took = append(took, time.Since(t0))
			}
			slices.Sort(took)
			p50, p99 := percentile(took, 50), percentile(took, 99)
			worst50, worst99 = max(worst50, p50), max(worst99, p99)
			line += fmt.Sprintf(" %s p50=%sms p99=%sms", rg.name, ms(p50), ms(p99))
		}
		fmt.Fprintln(stdout, line)
	}
	fmt.Fprintf(stdout, "reports: n=%d worst_p50=%sms worst_p99=%sms\n", n, ms(worst50), ms(worst99))
	return nil
}

// benchReportsDatabase returns the URL of the kept benchmark database for
// size referrals, building it first when it is missing, was left
// half-built or holds another number of referrals.
func benchReportsDatabase(ctx context.Context, stdout io.Writer, size int) (string, error) {
	cfg, err := loadDBConfig()
	if err != nil {
		return "", err
	}
	admin, err := pgx.Connect(ctx, cfg.DatabaseURL)
	if err != nil {
		return "", fmt.Errorf("connect to ONWARD_DATABASE_URL: %w", err)
	}
	defer admin.Close(context.Background())
	name := benchReportsDB(size)
	u, err := url.Parse(cfg.DatabaseURL)
	if err != nil {
		return "", fmt.Errorf("ONWARD_DATABASE_URL must be a URL for benchmarks: %w", err)
	}
	u.Path = "/" + name
	ready := fmt.Sprintf("onward bench reports: ready, n=%d", size)
	var comment *string
	err = admin.QueryRow(ctx, `SELECT shobj_description(oid, 'pg_database') FROM pg_database WHERE datname = $1`, name).Scan(&comment)
	if err == nil && comment != nil && *comment == ready {
		ok, err := benchReportsReuse(ctx, u.String(), size)
		if err != nil {
			return "", err
		}
		if ok {
			fmt.Fprintf(stdout, "reports: using the kept database %s\n", name)
			return u.String(), nil
		}
	}
	// Old benchmark databases (the million-referral ones named by schema
	// hash, or this one half-built) go; those kept for other sizes stay.
	rows, _ := admin.Query(ctx, `SELECT datname FROM pg_database
WHERE datname = $1 OR datname ~ '^onward_bench_reports_[0-9a-f]{10}$'`, name)
	old, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		return "", err
	}
	for _, o := range old {
		if _, err := admin.Exec(ctx, "DROP DATABASE IF EXISTS "+pgx.Identifier{o}.Sanitize()+" WITH (FORCE)"); err != nil {
			return "", fmt.Errorf("drop old benchmark database %s: %w", o, err)
		}
	}
	fmt.Fprintf(stdout, "reports: building %s with the demo network and %d referrals (kept for later runs)\n", name, size)
	// Gigabytes kept for later runs belong on disk, in the server's
	// default tablespace, even where template1 was moved to memory for
	// the tests (.ci/run puts it on /dev/shm).
	if _, err := admin.Exec(ctx, "CREATE DATABASE "+name+" TABLESPACE pg_default"); err != nil {
		return "", fmt.Errorf("create benchmark database: %w", err)
	}
	pcfg, err := pgxpool.ParseConfig(u.String())
	if err != nil {
		return "", err
	}
	pcfg.ConnConfig.RuntimeParams["statement_timeout"] = "0"
	pool, err := pgxpool.NewWithConfig(ctx, pcfg)
	if err != nil {
		return "", err
	}
	defer pool.Close()
	if _, err := core.Migrate(ctx, pool); err != nil {
		return "", err
	}
	crypt, err := core.NewCrypter(randomKey(), nil, nil)
	if err != nil {
		return "", err
	}
	start := time.Now()
	// The demo network with a month of engine-made referrals, then bulk
	// history (COPY, in chunks) up to exactly ten million referrals.
	if _, err := demo.Seed(ctx, pool, crypt, demo.Options{Months: 1, Seed: 1}, io.Discard); err != nil {
		return "", err
	}
	var seeded int
	if err := pool.QueryRow(ctx, `SELECT count(*) FROM referrals`).Scan(&seeded); err != nil {
		return "", err
	}
	fmt.Fprintf(stdout, "reports: demo network seeded in %s\n", time.Since(start).Round(time.Second))
	// Loading is several times faster with the referrals' secondary
	// indexes built once at the end rather than kept row by row.
	indexes, err := benchDropIndexes(ctx, pool, "referrals")
	if err != nil {
		return "", err
	}
	if err := demo.History(ctx, pool, crypt, demo.HistoryOptions{N: size - seeded, Seed: 1}, os.Stderr); err != nil {
		return "", err
	}
	fmt.Fprintf(stdout, "reports: %d referrals loaded in %s\n", size, time.Since(start).Round(time.Second))
	for _, def := range indexes {
		if _, err := pool.Exec(ctx, def); err != nil {
			return "", fmt.Errorf("rebuild index: %w", err)
		}
	}
	fmt.Fprintf(stdout, "reports: %d indexes rebuilt, %s so far\n", len(indexes), time.Since(start).Round(time.Second))
	if _, err := pool.Exec(ctx, "VACUUM ANALYZE"); err != nil {
		return "", err
	}
	if _, err := admin.Exec(ctx, fmt.Sprintf("COMMENT ON DATABASE %s IS '%s'", name, ready)); err != nil {
		return "", err
	}
	fmt.Fprintf(stdout, "reports: database built in %s\n", time.Since(start).Round(time.Second))
	return u.String(), nil
}

// benchReportsReuse brings a kept database's schema forward and says
// whether it still holds exactly size referrals.
func benchReportsReuse(ctx context.Context, dbURL string, size int) (bool, error) {
	pool, err := pgxpool.New(ctx, dbURL)
	if err != nil {
		return false, err
	}
	defer pool.Close()
	if _, err := core.Migrate(ctx, pool); err != nil {
		return false, fmt.Errorf("bring the kept benchmark database forward: %w", err)
	}
	var n int
	if err := pool.QueryRow(ctx, `SELECT count(*) FROM referrals`).Scan(&n); err != nil {
		return false, err
	}
	return n == size, nil
}

// benchDropIndexes drops a table's indexes other than those behind its
// constraints and returns the statements that build them again.
func benchDropIndexes(ctx context.Context, pool *pgxpool.Pool, table string) ([]string, error) {
	rows, _ := pool.Query(ctx, `
SELECT i.indexrelid::regclass::text, pg_get_indexdef(i.indexrelid)
FROM pg_index i
WHERE i.indrelid = $1::regclass
  AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = i.indexrelid)`, table)
	type index struct{ Name, Def string }
	found, err := pgx.CollectRows(rows, pgx.RowToStructByPos[index])
	if err != nil {
		return nil, fmt.Errorf("list %s indexes: %w", table, err)
	}
	defs := make([]string, 0, len(found))
	for _, ix := range found {
		if _, err := pool.Exec(ctx, "DROP INDEX "+ix.Name); err != nil {
			return nil, fmt.Errorf("drop index %s: %w", ix.Name, err)
		}
		defs = append(defs, ix.Def)
	}
	return defs, nil
}
