package report

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/onward-network/onward/core"
)

// reportQuery is one report being answered: the filter, whether it is
// suppressed, and what the reports need to name things.
type reportQuery struct {
	rp       *Reports
	db       core.DB // the replica or the primary (see core.Readers)
	f        Filter
	suppress bool
	now      time.Time
	loc      *time.Location
	// asOf is when the rollups were last refreshed, in loc (see
	// Report.AsOf).
	asOf     time.Time
	agencies map[core.AgencyID]reportAgency
	// cells and sums are the counts and figures the report made and which
	// counts add up to which, for protect (see cells.go).
	cells []cellInfo
	sums  []sumLine
	// exact caches whether the report's times are read exactly from the
	// legs (see exactTimes).
	exact *bool
}

type reportAgency struct {
	ID   core.AgencyID `db:"id"`
	Slug string        `db:"slug"`
	Name string        `db:"name"`
}

const sqlAgencies = `SELECT id, slug, name FROM agencies ORDER BY name`

// sqlRefreshedAt is when the rollups were last refreshed: read in the
// report's snapshot, it is the moment the figures it reads were counted.
const sqlRefreshedAt = `SELECT refreshed_at FROM report_refresh`

func (rp *Reports) newQuery(ctx context.Context, db core.DB, f Filter, v Viewer) (*reportQuery, error) {
	q := &reportQuery{rp: rp, db: db, f: f, suppress: v.Suppressed(f), now: rp.clock.Now(), agencies: map[core.AgencyID]reportAgency{}}
	q.f.From, q.f.To = dateOnly(f.From), dateOnly(f.To)
	rows, _ := db.Query(ctx, sqlAgencies)
	as, err := pgx.CollectRows(rows, pgx.RowToStructByName[reportAgency])
	if err != nil {
		return nil, fmt.Errorf("list agencies: %w", err)
	}
	for _, a := range as {
		q.agencies[a.ID] = a
	}
	var zone string
	if err := db.QueryRow(ctx, sqlNetworkZone).Scan(&zone); err != nil {
		return nil, fmt.Errorf("read network time zone: %w", err)
	}
	if q.loc, err = time.LoadLocation(zone); err != nil {
		return nil, fmt.Errorf("network time zone %q: %w", zone, err)
	}
	var refreshed *time.Time
	if err := db.QueryRow(ctx, sqlRefreshedAt).Scan(&refreshed); err != nil {
		return nil, fmt.Errorf("read when the rollups were refreshed: %w", err)
	}
	if refreshed != nil {
		q.asOf = refreshed.In(q.loc)
	}
	return q, nil
}

// dateOnly keeps the calendar date of t, as UTC midnight.
func dateOnly(t time.Time) time.Time {
	return time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, time.UTC)
}

// agencyName names an agency for a report; 0 is the triage queue.
func (q *reportQuery) agencyName(id core.AgencyID) string {
	if id == 0 {
		return "Triage (no agency yet)"
	}
	if a, ok := q.agencies[id]; ok {
		return a.Name
	}
	return fmt.Sprintf("Agency %d", id)
}

// agencyOrder sorts agency ids by name, the triage queue last.
func (q *reportQuery) agencyLess(a, b core.AgencyID) int {
	switch {
	case a == b:
		return 0
	case a == 0:
		return 1
	case b == 0:
		return -1
	}
	return strings.Compare(q.agencyName(a), q.agencyName(b))
}

// rollup picks which rollup tables a report reads: days at the edges of
// the range and a coarser table (months, or ISO weeks) for the whole
// periods inside it.
type rollup struct {
	daily, coarse string
	// weeks means coarse holds ISO weeks (Mondays) rather than months.
	weeks bool
	// byNeed reads the rows of every need instead of the need filter's
	// (or the all-referrals rows): for reports grouped by need.
	byNeed bool
}

var (
	mainRollup     = rollup{daily: "report_daily", coarse: "report_monthly"}
	districtRollup = rollup{daily: "report_district", coarse: "report_district_monthly"}
	areaRollup     = rollup{daily: "report_area", coarse: "report_area_monthly"}
	closureRollup  = rollup{daily: "report_closure", coarse: "report_closure_monthly"}
	weeklyRollup   = rollup{daily: "report_daily", coarse: "report_weekly", weeks: true}
	// agencyRollup is for reports grouped by receiving agency: its rows
	// are not split by source, leaflet or crisis (see agencyMetrics).
	agencyRollup = rollup{daily: "report_agency", coarse: "report_agency_monthly"}
)

// monday is the Monday starting d's ISO week.
func monday(d time.Time) time.Time { return d.AddDate(0, 0, -((int(d.Weekday()) + 6) % 7)) }

// facts returns a subquery over the rollup rows the filter selects, for
// days from..to inclusive, with its arguments: with an agency, the legs
// it received and those it referred (made or redirected: see
// referrer.go), never a leg Onward re-routed after it turned a client
// down. Whole periods are read from
// the coarse table and the days at either edge from the daily one, so a
// report over five years reads sixty months, not eighteen hundred days.
func (q *reportQuery) facts(src rollup, cols string, from, to time.Time) (string, []any) {
	var args []any
	arg := func(v any) string {
		args = append(args, v)
		return fmt.Sprintf("$%d", len(args))
	}
	var where []string
	if !src.byNeed || q.f.Need != "" {
		where = append(where, "need = "+arg(string(q.f.Need)))
	}
	if q.f.Agency != 0 {
		a := arg(int64(q.f.Agency))
		where = append(where, "(to_agency = "+a+" OR from_agency = "+a+")")
	}
	filter := ""
	if len(where) > 0 {
		filter = " AND " + strings.Join(where, " AND ")
	}
	end := to.AddDate(0, 0, 1)
	var pStart, pEnd time.Time // whole periods: [pStart, pEnd)
	if src.weeks {
		pStart, pEnd = monday(from), monday(end)
		if !pStart.Equal(from) {
			pStart = pStart.AddDate(0, 0, 7)
		}
	} else {
		pStart = time.Date(from.Year(), from.Month(), 1, 0, 0, 0, 0, time.UTC)
		if !pStart.Equal(from) {
			pStart = pStart.AddDate(0, 1, 0)
		}
		pEnd = time.Date(end.Year(), end.Month(), 1, 0, 0, 0, 0, time.UTC)
	}
	if !pStart.Before(pEnd) {
		return fmt.Sprintf("(SELECT %s FROM %s WHERE day >= %s AND day < %s%s)",
			cols, src.daily, arg(from), arg(end), filter), args
	}
	return fmt.Sprintf(`(SELECT %[1]s FROM %[2]s WHERE day >= %[4]s AND day < %[5]s%[8]s
UNION ALL SELECT %[1]s FROM %[3]s WHERE ((day >= %[6]s AND day < %[4]s) OR (day >= %[5]s AND day < %[7]s))%[8]s)`,
		cols, src.coarse, src.daily, arg(pStart), arg(pEnd), arg(from), arg(end), filter), args
}

// sums is "sum(c)::bigint" for each column, comma-separated.
func sums(cols ...string) string {
	out := make([]string, len(cols))
	for i, c := range cols {
		out[i] = "sum(" + c + ")::bigint"
	}
	return strings.Join(out, ", ")
}

// histogramTargets returns scan targets for a histogram's buckets.
func histogramTargets(h *Histogram) []*int64 {
	out := make([]*int64, histogramBuckets)
	for i := range h {
		out[i] = &h[i]
	}
	return out
}

// span is the filter's range in instants, for queries on referrals.
func (q *reportQuery) span() (time.Time, time.Time) {
	return dayStart(q.f.From, q.loc), dayStart(q.f.To.AddDate(0, 0, 1), q.loc)
}
