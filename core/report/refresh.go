package report

import (
	"context"
	"fmt"
	"log/slog"
	"slices"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/onward-network/onward/core"
	"github.com/onward-network/onward/internal/outage"
)

// refreshMargin is how far before its last run the refresher looks again.
// A referral's status_at is stamped before its transaction commits, so a
// change committed just after a refresh read the table may carry a time
// older than the watermark that refresh recorded. Such a change was
// stamped less than a transaction's length before the refresh started, so
// the next refresh looks at everything stamped since the earlier of its
// watermark and the last refresh's start less this margin (which also
// absorbs a little disagreement between the clocks of several servers).
// On a quiet network that is just the watermark: nothing is recounted.
const refreshMargin = 5 * time.Minute

// refreshLock keeps refreshers of several processes from working at once.
// It is an advisory lock: it never touches a row the referral write path
// uses.
const refreshLock = int64(0x6f6e77617264_07) // "onward", issue 7

// RefreshResult says what a refresh did.
type RefreshResult struct {
	// Full means every day was rebuilt (first build, bulk load, changed
	// time zone).
	Full bool
	// Days is how many days were recomputed.
	Days int
	// Skipped means another process was refreshing, so this one did not.
	Skipped bool
}

// Refresh brings the rollups up to date, waiting for a refresh running
// elsewhere to finish first. Use it before answering a report that must be
// current (the command line); the background worker uses TryRefresh.
func (rp *Reports) Refresh(ctx context.Context) (RefreshResult, error) {
	return rp.refresh(ctx, true)
}

// TryRefresh is Refresh that does nothing when another process is
// already refreshing.
func (rp *Reports) TryRefresh(ctx context.Context) (RefreshResult, error) {
	return rp.refresh(ctx, false)
}

// RunRefresher refreshes the rollups every interval until ctx ends. It is
// the background worker `onward serve` runs; failures are retried on the
// next tick. A spell of failures (PostgreSQL down for an hour fails every
// tick) is logged once when it starts, with the cause, and once when a
// refresh works again; the ticks between go to the debug log.
func (rp *Reports) RunRefresher(ctx context.Context, every time.Duration, log *slog.Logger) error {
	t := time.NewTicker(every)
	defer t.Stop()
	var spell outage.Log
	for {
		start := time.Now()
		res, err := rp.TryRefresh(ctx)
		switch {
		case ctx.Err() != nil:
			return ctx.Err()
		case err != nil:
			log.Debug("refresh report rollups", "err", err)
			spell.Failed(log, slog.LevelWarn, partRefresh, err, "reports", "show the figures of the last refresh until it works again")
		default:
			spell.Answered(log, partRefresh)
			if res.Full {
				log.Info("report rollups rebuilt", "days", res.Days, "took", time.Since(start).Round(time.Millisecond))
			} else if res.Days > 0 {
				log.Debug("report rollups refreshed", "days", res.Days, "took", time.Since(start).Round(time.Millisecond))
			}
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-t.C:
		}
	}
}

// partRefresh names the refresher in the log of its outages.
const partRefresh = "report rollups refresh"

// sqlRolledUp keeps, in a query on referrals r beside the rollups, the
// referrals as the rollups last counted them: changed no later than the
// refresh's watermark (the newest change it saw: see refresh). A report
// that lists referrals under totals from the rollups, or counts them
// from the referrals themselves beside them, reads them through it in
// the same snapshot (readSnapshot), so its rows and its totals agree
// until the next refresh counts the rest. Before the first refresh (no
// watermark) nothing is held back.
const sqlRolledUp = `r.status_at <= coalesce((SELECT watermark FROM report_refresh), 'infinity')`

const sqlInvalidate = `UPDATE report_refresh SET watermark = NULL`

// Invalidate makes the next refresh rebuild every rollup from
// scratch. Bulk loads that write referrals behind the engine's back (with
// times older than the refresher's watermark) call it.
func Invalidate(ctx context.Context, db core.DB) error {
	if _, err := db.Exec(ctx, sqlInvalidate); err != nil {
		return fmt.Errorf("invalidate report rollups: %w", err)
	}
	return nil
}

const (
	sqlRefreshState  = `SELECT watermark, timezone, refreshed_at FROM report_refresh FOR UPDATE`
	sqlNetworkZone   = `SELECT coalesce((SELECT timezone FROM network_settings), 'Europe/London')`
	sqlHighWatermark = `SELECT greatest((SELECT max(status_at) FROM referrals), (SELECT max(feedback_at) FROM referrals))`
	sqlChangedDays   = `
SELECT DISTINCT (created_at AT TIME ZONE $1)::date FROM referrals
WHERE status_at > $2 OR feedback_at > $2`
	sqlCreatedSpan = `SELECT min(created_at), max(created_at) FROM referrals`
	sqlSaveState   = `UPDATE report_refresh SET watermark = $1, timezone = $2, refreshed_at = $3`
)

// Tables the rollups live in: daily first, then the ones summed from them.
var (
	dailyRollups   = []string{"report_daily", "report_district", "report_area", "report_closure", "report_agency"}
	monthlyRollups = []string{"report_monthly", "report_district_monthly", "report_area_monthly", "report_closure_monthly", "report_agency_monthly"}
	weeklyRollups  = []string{"report_weekly"}
)

func (rp *Reports) refresh(ctx context.Context, wait bool) (RefreshResult, error) {
	var res RefreshResult
	started := rp.clock.Now()
	// The lock is the connection's, taken before the transaction begins:
	// the transaction is REPEATABLE READ, so that the watermark it saves
	// is the newest change of exactly the referrals its rollups counted
	// (sqlRolledUp relies on it), and a snapshot taken while waiting for
	// another refresher would not see that refresher's rollups.
	conn, err := rp.pool.Acquire(ctx)
	if err != nil {
		return RefreshResult{}, fmt.Errorf("refresh report rollups: %w", err)
	}
	defer conn.Release()
	if wait {
		_, err = conn.Exec(ctx, `SELECT pg_advisory_lock($1)`, refreshLock)
	} else {
		var got bool
		if err = conn.QueryRow(ctx, `SELECT pg_try_advisory_lock($1)`, refreshLock).Scan(&got); err == nil && !got {
			return RefreshResult{Skipped: true}, nil
		}
	}
	if err != nil {
		return RefreshResult{}, fmt.Errorf("refresh report rollups: lock: %w", err)
	}
	defer func() {
		if _, err := conn.Exec(context.WithoutCancel(ctx), `SELECT pg_advisory_unlock($1)`, refreshLock); err != nil {
			// The lock must not stay with a connection back in the pool:
			// closing it ends the session, and the lock with it.
			_ = conn.Conn().Close(context.WithoutCancel(ctx))
		}
	}()
	err = pgx.BeginTxFunc(ctx, conn, pgx.TxOptions{IsoLevel: pgx.RepeatableRead}, func(tx pgx.Tx) error {
		// The rollup statements are large but run on modest row counts:
		// compiling them with JIT costs more than it saves.
		if _, err := tx.Exec(ctx, `SET LOCAL jit = off`); err != nil {
			return err
		}
		var watermark, lastRun *time.Time
		var oldZone, zone string
		if err := tx.QueryRow(ctx, sqlRefreshState).Scan(&watermark, &oldZone, &lastRun); err != nil {
			return fmt.Errorf("read refresh state: %w", err)
		}
		if err := tx.QueryRow(ctx, sqlNetworkZone).Scan(&zone); err != nil {
			return fmt.Errorf("read network time zone: %w", err)
		}
		loc, err := time.LoadLocation(zone)
		if err != nil {
			return fmt.Errorf("network time zone %q: %w", zone, err)
		}
		var high *time.Time
		if err := tx.QueryRow(ctx, sqlHighWatermark).Scan(&high); err != nil {
			return fmt.Errorf("read newest change: %w", err)
		}
		next := time.Unix(0, 0).UTC()
		if high != nil {
			next = *high
		}
		if watermark == nil || zone != oldZone {
			res.Full = true
			res.Days, err = rebuildAll(ctx, tx, loc)
		} else {
			since := watermark.Add(-refreshMargin)
			if lastRun != nil && lastRun.Add(-refreshMargin).After(*watermark) {
				since = *watermark
			} else if lastRun != nil {
				since = lastRun.Add(-refreshMargin)
			}
			res.Days, err = refreshChanged(ctx, tx, loc, since)
		}
		if err != nil {
			return err
		}
		_, err = tx.Exec(ctx, sqlSaveState, next, zone, started)
		return err
	})
	if err != nil {
		return RefreshResult{}, fmt.Errorf("refresh report rollups: %w", err)
	}
	if res.Full {
		// Fresh statistics, so the planner knows the rollups' new size.
		for _, t := range slices.Concat(dailyRollups, monthlyRollups, weeklyRollups) {
			if _, err := rp.pool.Exec(ctx, "ANALYZE "+t); err != nil {
				return res, fmt.Errorf("analyze %s: %w", t, err)
			}
		}
	}
	return res, nil
}

// rebuildAll recomputes every rollup, a month of referrals per statement so
// that no single aggregation has to hold a million referrals at once.
func rebuildAll(ctx context.Context, tx pgx.Tx, loc *time.Location) (int, error) {
	for _, t := range slices.Concat(dailyRollups, monthlyRollups, weeklyRollups) {
		if _, err := tx.Exec(ctx, "DELETE FROM "+t); err != nil {
			return 0, fmt.Errorf("clear %s: %w", t, err)
		}
	}
	var first, last *time.Time
	if err := tx.QueryRow(ctx, sqlCreatedSpan).Scan(&first, &last); err != nil {
		return 0, fmt.Errorf("read referral span: %w", err)
	}
	if first == nil {
		return 0, nil
	}
	start := localDay(*first, loc)
	start = time.Date(start.Year(), start.Month(), 1, 0, 0, 0, 0, time.UTC)
	end := localDay(*last, loc).AddDate(0, 0, 1)
	for m := start; m.Before(end); m = m.AddDate(0, 1, 0) {
		if err := rollupDays(ctx, tx, loc, []dayRange{{m, m.AddDate(0, 1, 0)}}); err != nil {
			return 0, err
		}
	}
	if err := rollupMonths(ctx, tx, []dayRange{{start, end}}); err != nil {
		return 0, err
	}
	if err := rollupWeeks(ctx, tx, []dayRange{{monday(start), monday(end.AddDate(0, 0, 6))}}); err != nil {
		return 0, err
	}
	return int(end.Sub(start).Hours() / 24), nil
}

// refreshChanged recomputes the days (by created day) of every referral
// changed since the watermark, then the months holding them.
func refreshChanged(ctx context.Context, tx pgx.Tx, loc *time.Location, since time.Time) (int, error) {
	rows, _ := tx.Query(ctx, sqlChangedDays, loc.String(), since)
	days, err := pgx.CollectRows(rows, pgx.RowTo[time.Time])
	if err != nil {
		return 0, fmt.Errorf("find changed days: %w", err)
	}
	if len(days) == 0 {
		return 0, nil
	}
	slices.SortFunc(days, func(a, b time.Time) int { return a.Compare(b) })
	var months, weeks []time.Time
	for _, d := range days {
		m := time.Date(d.Year(), d.Month(), 1, 0, 0, 0, 0, time.UTC)
		if len(months) == 0 || !months[len(months)-1].Equal(m) {
			months = append(months, m)
		}
		if w := monday(d); len(weeks) == 0 || !weeks[len(weeks)-1].Equal(w) {
			weeks = append(weeks, w)
		}
	}
	for _, t := range dailyRollups {
		if _, err := tx.Exec(ctx, "DELETE FROM "+t+" WHERE day = ANY($1)", days); err != nil {
			return 0, fmt.Errorf("clear changed days of %s: %w", t, err)
		}
	}
	if err := rollupDays(ctx, tx, loc, runs(days, func(t time.Time) time.Time { return t.AddDate(0, 0, 1) })); err != nil {
		return 0, err
	}
	if err := rollupMonths(ctx, tx, runs(months, func(t time.Time) time.Time { return t.AddDate(0, 1, 0) })); err != nil {
		return 0, err
	}
	if err := rollupWeeks(ctx, tx, runs(weeks, func(t time.Time) time.Time { return t.AddDate(0, 0, 7) })); err != nil {
		return 0, err
	}
	return len(days), nil
}

// dayRange is a half-open range of days [from, to), as dates (UTC
// midnight standing for the network's local day).
type dayRange struct{ from, to time.Time }

// runs merges sorted days (or months) into ranges of consecutive ones.
func runs(sorted []time.Time, next func(time.Time) time.Time) []dayRange {
	var out []dayRange
	for _, d := range sorted {
		if n := len(out); n > 0 && out[n-1].to.Equal(d) {
			out[n-1].to = next(d)
			continue
		}
		out = append(out, dayRange{d, next(d)})
	}
	return out
}

// localDay is the date (as UTC midnight) of t in loc.
func localDay(t time.Time, loc *time.Location) time.Time {
	l := t.In(loc)
	return time.Date(l.Year(), l.Month(), l.Day(), 0, 0, 0, 0, time.UTC)
}

// dayStart is the instant a date starts in loc.
func dayStart(d time.Time, loc *time.Location) time.Time {
	return time.Date(d.Year(), d.Month(), d.Day(), 0, 0, 0, 0, loc)
}

// rollupDays aggregates the referrals created in the ranges into the daily
// rollups (whose rows for those days must already be gone), then sums
// report_daily's new rows into report_agency.
func rollupDays(ctx context.Context, tx pgx.Tx, loc *time.Location, rs []dayRange) error {
	lo, hi := make([]time.Time, len(rs)), make([]time.Time, len(rs))
	days, ends := make([]time.Time, len(rs)), make([]time.Time, len(rs))
	for i, r := range rs {
		lo[i], hi[i] = dayStart(r.from, loc), dayStart(r.to, loc)
		days[i], ends[i] = r.from, r.to
	}
	if _, err := tx.Exec(ctx, sqlRollupInsert, loc.String(), lo, hi); err != nil {
		return fmt.Errorf("aggregate referrals into daily rollups: %w", err)
	}
	if _, err := tx.Exec(ctx, sqlRollupAgencyDays, days, ends); err != nil {
		return fmt.Errorf("aggregate daily rollups by agency: %w", err)
	}
	return nil
}

// rollupMonths re-sums whole months of the daily rollups into the monthly
// ones. The ranges start on the first of a month.
func rollupMonths(ctx context.Context, tx pgx.Tx, rs []dayRange) error {
	for _, r := range rs {
		for _, t := range monthlyRollups {
			if _, err := tx.Exec(ctx, "DELETE FROM "+t+" WHERE day >= $1 AND day < $2", r.from, r.to); err != nil {
				return fmt.Errorf("clear months of %s: %w", t, err)
			}
		}
		if _, err := tx.Exec(ctx, sqlRollupMonths, r.from, r.to); err != nil {
			return fmt.Errorf("aggregate monthly rollups: %w", err)
		}
	}
	return nil
}

// rollupWeeks re-sums whole ISO weeks of the daily rollup into the weekly
// one. The ranges start on a Monday.
func rollupWeeks(ctx context.Context, tx pgx.Tx, rs []dayRange) error {
	for _, r := range rs {
		if _, err := tx.Exec(ctx, "DELETE FROM report_weekly WHERE day >= $1 AND day < $2", r.from, r.to); err != nil {
			return fmt.Errorf("clear weeks of report_weekly: %w", err)
		}
		if _, err := tx.Exec(ctx, sqlRollupWeeks, r.from, r.to); err != nil {
			return fmt.Errorf("aggregate weekly rollup: %w", err)
		}
	}
	return nil
}
