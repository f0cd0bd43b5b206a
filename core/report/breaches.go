package report

import (
	"context"
	"fmt"
	"strings"

	"github.com/jackc/pgx/v5"

	"github.com/onward-network/onward/core"
)

// A referral breaches its acknowledgement deadline (the agency's target in
// working hours from when it reached the agency, stored as ack_due_at)
// when it is acknowledged — accepted, rejected, redirected or put on the
// agency's waiting list — after the deadline, or not acknowledged by it:
// closed unacknowledged after the deadline, or still waiting past it now.
// The rule is core's (acknowledged_at, stamped by the actions that
// acknowledge), which the inbox's overdue flag and the reminders follow
// too: a referral put on the waiting list in time is not a breach.

// sqlWaitingPastDeadline counts, live, the referral legs still waiting
// for acknowledgement past their deadline: the only figure that changes
// with the clock rather than with a change to a referral, so the rollups
// cannot hold it. A partial index of the waiting legs (migration 027),
// ordered by created_at and carrying every column read here, answers it
// by an index-only scan of the report's days, never the referrals table.
const sqlWaitingPastDeadline = `
SELECT coalesce(r.to_agency_id, 0), count(*) FROM referrals r
LEFT JOIN referrals p ON p.id = r.parent_id
WHERE r.acknowledged_at IS NULL AND r.closed_at IS NULL AND r.ack_due_at IS NOT NULL AND r.ack_due_at < $1
  AND r.created_at >= $2 AND r.created_at < $3`

// waitingPastDeadline counts per receiving agency the legs waiting past
// their deadline now: with the filter's agency, those it received or
// referred (see referrer.go).
func (q *reportQuery) waitingPastDeadline(ctx context.Context) (map[core.AgencyID]int64, error) {
	lo, hi := q.span()
	args := []any{q.now, lo, hi}
	var sql strings.Builder
	sql.WriteString(sqlWaitingPastDeadline)
	if q.f.Need != "" {
		args = append(args, string(q.f.Need))
		fmt.Fprintf(&sql, " AND $%d = ANY(r.needs)", len(args))
	}
	if q.f.Agency != 0 {
		args = append(args, int64(q.f.Agency))
		fmt.Fprintf(&sql, " AND (r.to_agency_id = $%d OR %s)", len(args), sqlLegReferredBy(len(args)))
	}
	sql.WriteString(" GROUP BY 1")
	rows, _ := q.db.Query(ctx, sql.String(), args...)
	out := map[core.AgencyID]int64{}
	var id core.AgencyID
	var n int64
	_, err := pgx.ForEachRow(rows, []any{&id, &n}, func() error {
		out[id] = n
		return nil
	})
	return out, err
}

type agencyBreaches struct{ due, ontime, late, missed, waiting int64 }

func (b agencyBreaches) breaches() int64 { return b.late + b.missed + b.waiting }

// breachesByAgency sums the deadline counters per receiving agency.
func (q *reportQuery) breachesByAgency(ctx context.Context) (map[core.AgencyID]*agencyBreaches, error) {
	sub, args := q.facts(agencyRollup, "to_agency, due, ontime, late, missed", q.f.From, q.f.To)
	rows, _ := q.db.Query(ctx, `SELECT to_agency, `+sums("due", "ontime", "late", "missed")+` FROM `+sub+` f
		WHERE to_agency <> 0 GROUP BY 1`, args...)
	out := map[core.AgencyID]*agencyBreaches{}
	var id core.AgencyID
	var b agencyBreaches
	if _, err := pgx.ForEachRow(rows, []any{&id, &b.due, &b.ontime, &b.late, &b.missed}, func() error {
		c := b
		out[id] = &c
		return nil
	}); err != nil {
		return nil, err
	}
	waiting, err := q.waitingPastDeadline(ctx)
	if err != nil {
		return nil, err
	}
	for id, n := range waiting {
		if out[id] == nil {
			out[id] = &agencyBreaches{}
		}
		out[id].waiting = n
	}
	return out, nil
}

// breachesReport lists, per agency, referrals with a deadline and how many
// breached it.
func breachesReport(ctx context.Context, q *reportQuery) (Report, error) {
	byAgency, err := q.breachesByAgency(ctx)
	if err != nil {
		return Report{}, err
	}
	r := Report{Chart: ChartBar, Unit: "breaches", Columns: []string{"Agency", "Referrals with a deadline",
		"Acknowledged in time", "Acknowledged late", "Closed without acknowledgement", "Waiting past deadline now",
		"Breaches", "Breach rate (%)"}}
	s := Series{Name: "Breaches"}
	var all agencyBreaches
	row := func(label string, b agencyBreaches) []Cell {
		due, late, missed, waiting, breaches := q.count(b.due), q.count(b.late), q.count(b.missed), q.count(b.waiting), q.count(b.breaches())
		q.adds(breaches, late, missed, waiting)
		return []Cell{textCell(label), due, q.count(b.ontime), late, missed, waiting, breaches, q.share(breaches, due)}
	}
	for _, id := range sortedAgencies(q, byAgency) {
		b := *byAgency[id]
		cells := row(q.agencyName(id), b)
		r.Rows = append(r.Rows, cells)
		s.Points = append(s.Points, point(q.agencyName(id), cells[6]))
		all.due += b.due
		all.ontime += b.ontime
		all.late += b.late
		all.missed += b.missed
		all.waiting += b.waiting
	}
	total := row("All agencies", all)
	q.addsDown(total, r.Rows...)
	r.Rows = append(r.Rows, total)
	r.Series = []Series{s}
	return r, nil
}
