package report

import (
	"context"
	"fmt"
)

// The whole wait is how long a client waited in all for their request for
// help (new_demand.go) to be answered: from the request's first referral
// being made — the client asking, or an adviser or partner system asking
// for them — to the first time any referral carrying that request records
// the client contacted, and to the first time one records the request
// acknowledged (acknowledged_at, as the response-times report's
// "acknowledge": an agency accepting it, putting it on hold, turning it
// down or redirecting it — the agency answered, whatever it answered). A
// request is carried by its first referral and by the
// referrals Onward made from it when an agency redirected it or turned it
// down (re-routed, to the next agency or back to triage): the legs that
// are not new demand. A "Refer this client on" is a new request of its
// own, with its own wait, and stops the chain.
//
// The response-times report measures each referral from reaching its
// agency; a client sent on twice waited through all three, and a funder
// asks how long that was. So this is a report of its own, counting
// requests where response-times counts referrals, with its own line of
// what it counts.
//
// It is read from the referrals themselves, not the rollups: the rollups
// count each referral on the day it was made, and a request's wait spans
// referrals made on other days. Its medians and 90th percentiles are
// therefore always exact (percentile_cont, as percentile.go's), over
// requests found by referrals_created_idx and their moves by
// referrals_parent_idx; the rollups' bands hold no whole waits to
// estimate them from. The legs read are those the rollups last counted
// (sqlRolledUp), so the figures are as of the same moment as every other
// report's.

// sqlWholeWaits is one row per request for help made in [$1, $2): whether
// it moved on (its referrals number more than one), whether one of its
// referrals is still open, and its whole times in
// minutes to the client's first contact and first acknowledgement, NULL
// when there has been none. The chain is bounded at depth 50, as the
// timeline's is. %[1]s holds further conditions on the request's first
// referral r (its need); %[2]s a HAVING condition over the request's legs
// r with parent p (its agency).
const sqlWholeWaits = `
WITH RECURSIVE request (root, id, asked_at, depth) AS (
    SELECT r.id, r.id, r.created_at, 0
    FROM referrals r LEFT JOIN referrals p ON p.id = r.parent_id
    WHERE r.created_at >= $1 AND r.created_at < $2 AND %[3]s AND %[4]s%[1]s
    UNION ALL
    SELECT request.root, r.id, request.asked_at, request.depth + 1
    FROM request JOIN referrals r ON r.parent_id = request.id JOIN referrals p ON p.id = r.parent_id
    WHERE request.depth < 50 AND NOT %[3]s AND %[4]s
)
SELECT count(*) > 1 AS moved, bool_or(r.closed_at IS NULL) AS open,
    extract(epoch FROM min(r.contacted_at) - min(request.asked_at)) / 60 AS con,
    extract(epoch FROM min(r.acknowledged_at) - min(request.asked_at)) / 60 AS ack
FROM request JOIN referrals r ON r.id = request.id LEFT JOIN referrals p ON p.id = r.parent_id
GROUP BY request.root%[2]s`

// wholeWaits are the figures of a group of requests.
type wholeWaits struct {
	// waiting are the requests not contacted whose last referral is still
	// open; closed, those that ended without a contact (cancelled, the
	// client not reached, turned down with nowhere left to go).
	requests, contacted, waiting, closed, acked int64
	con, ack                                    timeStats
}

// wholeWaitsByMoved gives the figures of the requests made in the
// filter's days (asking for its need, with a referral to or referred by
// its agency) that never moved on, those that moved on at least once, and
// all of them together.
func (q *reportQuery) wholeWaitsByMoved(ctx context.Context) (stayed, moved, all wholeWaits, err error) {
	lo, hi := q.span()
	args := []any{lo, hi}
	anchor, having := "", ""
	if q.f.Need != "" {
		args = append(args, string(q.f.Need))
		anchor = fmt.Sprintf(" AND $%d = ANY(r.needs)", len(args))
	}
	if q.f.Agency != 0 {
		args = append(args, int64(q.f.Agency))
		having = fmt.Sprintf(" HAVING bool_or(r.to_agency_id = $%d OR %s)", len(args), sqlLegReferredBy(len(args)))
	}
	sql := `SELECT grouping(moved), coalesce(moved, false), count(*), count(con),
		count(*) FILTER (WHERE con IS NULL AND open), count(*) FILTER (WHERE con IS NULL AND NOT open), count(ack),
		percentile_cont('{0.5,0.9}'::float8[]) WITHIN GROUP (ORDER BY con),
		percentile_cont('{0.5,0.9}'::float8[]) WITHIN GROUP (ORDER BY ack)
		FROM (` + fmt.Sprintf(sqlWholeWaits, anchor, having, sqlNewDemand, sqlRolledUp) + `) w
		GROUP BY GROUPING SETS ((moved), ())`
	rows, err := q.db.Query(ctx, sql, args...)
	if err != nil {
		return stayed, moved, all, fmt.Errorf("work out whole waits from the referrals: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var total int
		var isMoved bool
		var w wholeWaits
		var con, ack []float64
		if err := rows.Scan(&total, &isMoved, &w.requests, &w.contacted, &w.waiting, &w.closed, &w.acked, &con, &ack); err != nil {
			return stayed, moved, all, fmt.Errorf("work out whole waits from the referrals: %w", err)
		}
		w.con, w.ack = timeStats{n: w.contacted}, timeStats{n: w.acked}
		if len(con) == 2 {
			w.con.p50, w.con.p90 = con[0], con[1]
		}
		if len(ack) == 2 {
			w.ack.p50, w.ack.p90 = ack[0], ack[1]
		}
		switch {
		case total == 1:
			all = w
		case isMoved:
			moved = w
		default:
			stayed = w
		}
	}
	if err := rows.Err(); err != nil {
		return stayed, moved, all, fmt.Errorf("work out whole waits from the referrals: %w", err)
	}
	return stayed, moved, all, nil
}

// Row labels of the whole-wait report.
const (
	wholeWaitStayed = "Stayed where first sent"
	wholeWaitMoved  = "Moved on at least once (redirected, or re-routed after a rejection)"
	wholeWaitAll    = "All requests"
)

// wholeWaitCounts says in one line what the whole-wait report counts.
const wholeWaitCounts = "New requests for help made in these dates (each client's first referral and each “Refer this client on”, as the demand reports count them), each once however often it was redirected or re-routed after a rejection, timed from the request being made to the first contact with the client by any agency it went to, and to the first acknowledgement (an agency accepting it, putting it on hold, turning it down or redirecting it, as response times count it); a request with no contact recorded counts as still waiting while one of its referrals is open, and as closed without contact once none is (cancelled, the client not reached, turned down); neither is in the medians. Hours are calendar hours."

// wholeWaitNote says how the whole wait's medians are worked out.
const wholeWaitNote = "Medians and 90th percentiles are exact, worked out from every request's own wait (PostgreSQL's percentile_cont): the median is the middle wait, or halfway between the two middle ones. A request's wait runs from its first referral being made, through triage and every agency that redirected it or turned it down, to the first contact recorded by any of them; the response-times report instead times each referral from reaching its agency, so its hours are shorter for a client who waited in triage or was sent on."

// wholeWaitTooMany says why the whole wait is not worked out over dates
// holding more than exactTimesLimit referrals, and what to do.
func wholeWaitTooMany() string {
	return fmt.Sprintf("Not worked out: these dates hold more than %d referrals across the network. The whole wait is read from "+
		"every request's own referrals (no running total holds it), so it is worked out over dates holding up to that many, "+
		"such as a quarter or a year of most networks. Choose fewer dates.", exactTimesLimit)
}

// wholeWaitReport gives, for the requests for help made in the dates,
// the median and 90th percentile calendar hours the client waited in all
// to be contacted and to be acknowledged, how many are still waiting for
// contact and how many ended without one, split by whether the request moved on between agencies.
func wholeWaitReport(ctx context.Context, q *reportQuery) (Report, error) {
	r := Report{Chart: ChartBar, Unit: "calendar hours", Columns: []string{"Requests for help", "Requests",
		"Client contacted", "Still waiting for contact", "Closed without contact",
		"Median calendar hours to contact", "90th percentile calendar hours to contact",
		"Acknowledged", "Median calendar hours to acknowledge", "90th percentile calendar hours to acknowledge"}}
	// Every request's own referrals are read, as no rollup holds a whole
	// wait; over more than exactTimesLimit referrals that would take
	// seconds, so the report says to choose fewer dates instead.
	if exact, err := q.exactTimes(ctx); err != nil {
		return Report{}, err
	} else if !exact {
		r.Notes = append(r.Notes, wholeWaitTooMany())
		return r, nil
	}
	stayed, moved, all, err := q.wholeWaitsByMoved(ctx)
	if err != nil {
		return Report{}, err
	}
	median, p90 := Series{Name: "Median calendar hours to contact"}, Series{Name: "90th percentile calendar hours to contact"}
	row := func(label string, w wholeWaits) []Cell {
		n, contacted, waiting, closed := q.count(w.requests), q.count(w.contacted), q.count(w.waiting), q.count(w.closed)
		q.adds(n, contacted, waiting, closed)
		return []Cell{textCell(label), n, contacted, waiting, closed, q.hours(w.con, 0.5), q.hours(w.con, 0.9),
			q.count(w.acked), q.hours(w.ack, 0.5), q.hours(w.ack, 0.9)}
	}
	for _, g := range []struct {
		label string
		w     wholeWaits
	}{{wholeWaitStayed, stayed}, {wholeWaitMoved, moved}} {
		cells := row(g.label, g.w)
		r.Rows = append(r.Rows, cells)
	}
	total := row(wholeWaitAll, all)
	q.addsDown(total, r.Rows...)
	r.Rows = append(r.Rows, total)
	for _, cells := range r.Rows {
		median.Points = append(median.Points, point(cells[0].Text, cells[5]))
		p90.Points = append(p90.Points, point(cells[0].Text, cells[6]))
	}
	r.Series = []Series{median, p90}
	r.Notes = append(r.Notes, calendarHoursNote, wholeWaitNote)
	return r, nil
}
