package report

import (
	"context"
	"fmt"
	"strings"
)

// The times the reports give — to acknowledge a referral, to contact the
// client, to assign from triage — as medians and 90th percentiles. They
// are exact: PostgreSQL's percentile_cont over every leg's time, the one
// definition in every report that shows them (response times, crisis, the
// National Standards pack, an agency's summary). The median is the middle
// time, or halfway between the two middle ones; the 90th percentile lies
// likewise between the two times around 90% of the way along, so neither
// is ever beyond the longest real wait.
//
// They are read from the referrals themselves (the legs made in the
// report's days, found by referrals_created_idx), not from the rollups:
// the rollups keep the times only as counts in bands, and a percentile
// interpolated across a band could be days away from the true one. Reading
// the legs costs time in proportion to how many the dates hold (each is a
// read of its row: about a millisecond for every thousand on a small
// machine), so over dates holding more than exactTimesLimit legs across
// the network — a quarter or a year of any network is far fewer; the
// largest in Scotland makes that many in a few years — the figures are
// estimated from the rollups' bands instead (Histogram.Percentile), and
// the report says so in a note.

// legTime is one of the times reports measure, per referral leg.
type legTime string

const (
	timeAck legTime = "ack" // from reaching the agency to its acknowledgement
	timeCon legTime = "con" // from reaching the agency to the client being contacted
	timeTri legTime = "tri" // from being made to being assigned from triage
)

// sql is the time of leg r in minutes, NULL when it has none (not yet
// acknowledged, contacted or assigned): the one definition the exact
// figures and the rollups' bands both use. Times to acknowledge and to
// contact run from when the referral reached the agency (assignment from
// triage, else creation).
func (t legTime) sql() string {
	switch t {
	case timeAck:
		return "extract(epoch FROM r.acknowledged_at - coalesce(r.assigned_at, r.created_at)) / 60"
	case timeCon:
		return "extract(epoch FROM r.contacted_at - coalesce(r.assigned_at, r.created_at)) / 60"
	case timeTri:
		return "extract(epoch FROM r.assigned_at - r.created_at) / 60"
	}
	panic("report: unknown time " + string(t))
}

// exactTimesLimit is the most referral legs the report's dates may hold,
// across the network, for its times to be read exactly from the legs (see
// above), keeping a report that reads them within the reports' target
// (onward-bench reports: p50 under 300 ms).
var exactTimesLimit int64 = 20_000

// timeStats are a time's figures over a group of legs: how many legs have
// the time, and its median and 90th percentile in minutes.
type timeStats struct {
	n        int64
	p50, p90 float64
	// estimated: from the rollups' bands, not from the legs' times.
	estimated bool
}

// at is the percentile p (0.5 or 0.9) in minutes.
func (s timeStats) at(p float64) float64 {
	if p == 0.5 {
		return s.p50
	}
	return s.p90
}

// estimate is a histogram's figures, estimated within its bands.
func estimate(h Histogram) timeStats {
	s := timeStats{n: h.Count(), estimated: true}
	s.p50, _ = h.Percentile(0.5)
	s.p90, _ = h.Percentile(0.9)
	return s
}

// exactTimes reports whether the report's times are read exactly from the
// legs: whether the dates hold at most exactTimesLimit legs across the
// whole network (whatever the filter, as the legs are found by their day
// before the filter is applied). The count comes from the rollups.
func (q *reportQuery) exactTimes(ctx context.Context) (bool, error) {
	if q.exact != nil {
		return *q.exact, nil
	}
	all := reportQuery{f: Filter{From: q.f.From, To: q.f.To}}
	sub, args := all.facts(agencyRollup, "n", q.f.From, q.f.To)
	var n int64
	if err := q.db.QueryRow(ctx, `SELECT coalesce(sum(n), 0)::bigint FROM `+sub+` f`, args...).Scan(&n); err != nil {
		return false, fmt.Errorf("count the referrals in the dates: %w", err)
	}
	exact := n <= exactTimesLimit
	q.exact = &exact
	return exact, nil
}

// legTimes computes, over the legs made in the filter's days (to or
// referred by the filter's agency, asking for its need; see referrer.go),
// as the rollups last counted them (sqlRolledUp), each time's exact
// figures per group and over all the groups together. group is an SQL
// expression over leg r, NULL for a leg that belongs to no group (left
// out); arg adds an argument for it and returns its placeholder.
func (q *reportQuery) legTimes(ctx context.Context, group func(arg func(any) string) string, times ...legTime) (map[string][]timeStats, []timeStats, error) {
	lo, hi := q.span()
	args := []any{lo, hi}
	arg := func(v any) string {
		args = append(args, v)
		return fmt.Sprintf("$%d", len(args))
	}
	g := group(arg)
	where := []string{"r.created_at >= $1 AND r.created_at < $2", g + " IS NOT NULL", sqlRolledUp}
	join := ""
	if q.f.Need != "" {
		where = append(where, arg(string(q.f.Need))+" = ANY(r.needs)")
	}
	if q.f.Agency != 0 {
		a := arg(int64(q.f.Agency))
		join = " LEFT JOIN referrals p ON p.id = r.parent_id"
		where = append(where, "(r.to_agency_id = "+a+" OR "+sqlLegReferredBy(len(args))+")")
	}
	sel := []string{"(" + g + ")::text AS g"}
	aggs := []string{"grouping(g)", "coalesce(g, '')"}
	for i, t := range times {
		sel = append(sel, fmt.Sprintf("%s AS t%d", t.sql(), i))
		aggs = append(aggs, fmt.Sprintf("count(t%d)", i),
			fmt.Sprintf("percentile_cont('{0.5,0.9}'::float8[]) WITHIN GROUP (ORDER BY t%d)", i))
	}
	sql := "SELECT " + strings.Join(aggs, ", ") + " FROM (SELECT " + strings.Join(sel, ", ") + " FROM referrals r" + join +
		" WHERE " + strings.Join(where, " AND ") + ") x GROUP BY GROUPING SETS ((g), ())"
	rows, err := q.db.Query(ctx, sql, args...)
	if err != nil {
		return nil, nil, fmt.Errorf("work out times from the referrals: %w", err)
	}
	defer rows.Close()
	groups := map[string][]timeStats{}
	all := make([]timeStats, len(times))
	for rows.Next() {
		var total int
		var key string
		ns := make([]int64, len(times))
		ps := make([][]float64, len(times))
		dst := []any{&total, &key}
		for i := range times {
			dst = append(dst, &ns[i], &ps[i])
		}
		if err := rows.Scan(dst...); err != nil {
			return nil, nil, fmt.Errorf("work out times from the referrals: %w", err)
		}
		stats := make([]timeStats, len(times))
		for i := range times {
			stats[i].n = ns[i]
			if len(ps[i]) == 2 {
				stats[i].p50, stats[i].p90 = ps[i][0], ps[i][1]
			}
		}
		if total == 1 {
			all = stats
		} else {
			groups[key] = stats
		}
	}
	if err := rows.Err(); err != nil {
		return nil, nil, fmt.Errorf("work out times from the referrals: %w", err)
	}
	return groups, all, nil
}

// timesNote says how the report's medians and 90th percentiles were
// worked out: exactly, or (over dates holding more legs than
// exactTimesLimit) estimated from bands.
func timesNote(exact bool) string {
	if exact {
		return "Medians and 90th percentiles are exact, worked out from every referral's time: the median is the middle time, or halfway between the two middle ones, and the 90th percentile lies in the same way between the two times around nine tenths of the way along (PostgreSQL's percentile_cont), so neither is ever beyond the longest real wait."
	}
	return fmt.Sprintf("These dates hold more than %d referrals across the network, too many to read one by one for a report, so medians and 90th percentiles are estimates from counts in time bands (5 minutes up to 30 days, each band at most about twice as long as the one before), taking the times in a band as spread evenly across it: an estimate may be off by as much as the width of its band, days for the longest waits, and a 90th percentile may even exceed the longest real wait. Choose shorter dates for exact figures.", exactTimesLimit)
}
