package report

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/onward-network/onward/core"
)

// The open caseload as at a moment: how many referrals stood open at each
// agency at the end of the report's dates, where each stood then, and how
// long each had been open. Coordinators and agencies give funders these
// figures "as at 31 March"; every other report counts what happened in
// the dates, this one what stood open at their end.
//
// The moment is the end of the filter's last day (midnight in the
// network's time zone, shown as 23:59 of that day), or, while that day is
// not over, the moment the other reports' figures were counted (the last
// refresh: Report.AsOf), or now before the first refresh. A referral is
// open at the moment when it was made before it and had not closed by it
// (completed, could not contact, turned down, redirected, sent back or
// cancelled): closed_at at or after the moment. Where it stood is its
// status just before the moment, read from the audit log (the last event
// of the referral that set a status: made, each transition, assignment),
// not its status now, so that a referral on the waiting list then and
// accepted since counts as on the waiting list, and a completion undone
// within the undo window counts as closed while it stood. Referrals
// written without events (the demo's bulk history) are placed by their
// times instead: contacted, else acknowledged (accepted), else waiting.
// Which agency held it is the referral's own: a referral made into triage
// was in triage until its assigned_at.
//
// A redirect closes one referral and makes another, for the new agency,
// at the same instant, so a client redirected is open at one agency or
// the other at any moment, never both. A client with two referrals open
// at one agency at the same moment (two referrers asking for them) counts
// once there, under the one furthest on.
//
// It is read from the referrals and the audit log, not the rollups: they
// count referrals by the day they were made, and a referral open on 31
// March may have been made in any year. The referrals open at the moment
// are found by migration 054's index of the span each was open
// (sqlOpenSpan), without reading the others, and each is then read on its
// own with its last status event (events_referral_idx): the report costs
// time in proportion to the referrals open at the moment. Past
// openAsAtLimit of them across the network it counts none, and says so,
// as the whole-wait report does past its limit.

// Where an open referral stood at the moment: the report's stage columns,
// in order.
var openStages = []struct {
	column string
	sql    string // true for a referral o (sqlOpenAsAt's rows) at that stage
}{
	{"In triage (waiting for a coordinator)", "o.agency = 0"},
	{"Waiting for the agency's answer", "o.agency <> 0 AND o.status = 'requested'"},
	{"On the waiting list", "o.agency <> 0 AND o.status = 'on-hold'"},
	{"Accepted, client not yet contacted", "o.agency <> 0 AND o.status = 'accepted'"},
	{"Client contacted (in progress)", "o.agency <> 0 AND o.status = 'in-progress'"},
}

// openAgeBands are how long a referral had been open at the moment, in
// the network's working days (openAgeBounds): the report's age columns.
// A band's bounds are the whole working days it starts at; the last has
// none above.
var openAgeBands = []struct {
	column string
	from   int
}{
	{"Open under 5 working days", 0},
	{"Open 5–10 working days", 5},
	{"Open 11–20 working days", 11},
	{"Open over 20 working days", 21},
}

// sqlOpenSpan is the span a referral r was open: after it was made, up
// to and including the moment it closed (none yet: still open). "Open at
// the moment m" is this span containing m; migration 054's index of it
// finds the referrals open at a moment without reading the others. A
// referral closed at a time before it was made (two servers' clocks
// disagreeing) has an empty span, never open: least() keeps the range
// valid, and leaves an open one's (no closed_at) start as it is.
const sqlOpenSpan = `tstzrange(least(r.created_at, r.closed_at), r.closed_at, '(]')`

// sqlOpenAsAt selects the referrals open just before the moment $1 — one
// per client per agency, the one furthest on, then the oldest — with the
// agency holding each (0: triage), who referred it (see referrer.go), its
// status then and when it was made. The referrals open are found across
// the network first, at most $2 of them (see openAsAtLimit), as open, and
// none is read when $2 were found: past the limit nothing is counted, so
// reading their rows and histories (a third of a second for 20,000)
// would be thrown away. The filter's conditions follow: %[1]s on the
// referral r (its need), %[2]s on the row o (its agency), before a
// client's referrals at one agency are made one. The
// inner query is kept apart (OFFSET 0) so that each referral's status is
// read from the audit log once, not again for the condition on it.
const sqlOpenAsAt = `
SELECT DISTINCT ON (o.agency, o.client_id) o.agency, o.referrer, o.status, o.created_at
FROM (
    SELECT CASE WHEN r.to_agency_id IS NULL OR r.assigned_at >= $1 THEN 0 ELSE r.to_agency_id END AS agency,
        coalesce(` + sqlLegReferrer + `, 0) AS referrer, r.client_id, r.created_at,
        coalesce(
            (SELECT (array_agg(ev.to_status ORDER BY ev.created_at DESC, ev.id DESC))[1] FROM events ev
             WHERE ev.referral_id = r.id AND ev.to_status <> '' AND ev.created_at < $1),
            CASE WHEN r.status_at < $1 THEN r.status
                 WHEN r.contacted_at < $1 THEN 'in-progress'
                 WHEN r.acknowledged_at < $1 THEN 'accepted'
                 ELSE 'requested' END) AS status
    FROM open JOIN referrals r ON r.id = open.id LEFT JOIN referrals p ON p.id = r.parent_id
    WHERE (SELECT count(*) FROM open) < $2%[1]s
    OFFSET 0
) o
WHERE o.status IN ('requested', 'on-hold', 'accepted', 'in-progress')%[2]s
ORDER BY o.agency, o.client_id,
    array_position(ARRAY['in-progress', 'accepted', 'on-hold', 'requested'], o.status), o.created_at`

// sqlOpenCandidates is the referrals open at $1 across the network, at
// most $2 of them.
const sqlOpenCandidates = `
WITH open AS MATERIALIZED (
    SELECT r.id FROM referrals r WHERE ` + sqlOpenSpan + ` @> $1::timestamptz LIMIT $2
)`

// openAsAtLimit is the most referrals open across the network at the
// moment for the report to count them: each is read on its own (its row
// and its history), so counting them costs time in proportion to how
// many there are, and past this many a report would take seconds. It is
// the limit the exact times use (exactTimesLimit): far more than any
// network holds open at once (the largest in Scotland makes a few
// thousand referrals a year). Over the benchmark's million referrals,
// whose synthetic history leaves more than this open from 2025 on, a
// moment with 8,000 to 15,000 open is counted in 60 to 170 ms and one
// past the limit refused in 120 to 300 ms, on a busy two-core machine.
func openAsAtLimit() int64 { return exactTimesLimit }

// openCounts are one agency's figures: by stage (openStages' order) and
// by age (openAgeBands').
type openCounts struct {
	open   int64
	stages [5]int64
	ages   [4]int64
}

// asAt is the moment the report counts at, in the network's time zone,
// and whether it was cut short of the end of the dates because they are
// not over yet (see above).
func (q *reportQuery) asAt() (time.Time, bool) {
	end := dayStart(q.f.To.AddDate(0, 0, 1), q.loc)
	latest := q.now
	if !q.asOf.IsZero() {
		latest = q.asOf
	}
	if end.After(latest) {
		return latest.In(q.loc), true
	}
	return end, false
}

// openAgeBounds are, for each age band after the first, the latest
// moment a referral can have been made and have been open at least the
// band's working days at the moment at: made at or before it, it had
// been. "Open n working days" is the one rule of core's calendar
// (Calendar.AddWorkingDays, which reminders and contact targets count
// by): n working days from when it was made, on the network's working
// days and bank holidays, had passed by the moment. That moment moves
// only forward as the referral is made later, so the latest time that
// passes is found by halving, to the microsecond PostgreSQL keeps.
func openAgeBounds(cal core.Calendar, at time.Time) []time.Time {
	out := make([]time.Time, 0, len(openAgeBands)-1)
	for _, b := range openAgeBands[1:] {
		n := b.from
		passed := func(made time.Time) bool { return !cal.AddWorkingDays(made, n).After(at) }
		// A working week of one day and a bank holiday a week would
		// still pass n working days within n weeks and a half.
		lo, hi := at.AddDate(0, 0, -8*n-14), at
		if !passed(lo) {
			out = append(out, lo)
			continue
		}
		for hi.Sub(lo) > time.Microsecond {
			mid := lo.Add(hi.Sub(lo) / 2).Truncate(time.Microsecond)
			if mid.Equal(lo) {
				break
			}
			if passed(mid) {
				lo = mid
			} else {
				hi = mid
			}
		}
		out = append(out, lo)
	}
	return out
}

// openAsAt counts, per agency holding them (0: triage), the referrals
// open at the moment at that the filter selects: asking for its need,
// and with an agency, those the agency held then and those it had
// referred that were open elsewhere. tooMany says more than
// openAsAtLimit referrals were open across the network, and nothing was
// counted.
func (q *reportQuery) openAsAt(ctx context.Context, at time.Time, bounds []time.Time) (byAgency map[core.AgencyID]*openCounts, tooMany bool, err error) {
	limit := openAsAtLimit()
	args := []any{at, limit + 1}
	need, agency := "", ""
	if q.f.Need != "" {
		args = append(args, string(q.f.Need))
		need = fmt.Sprintf(" AND $%d = ANY(r.needs)", len(args))
	}
	if q.f.Agency != 0 {
		args = append(args, int64(q.f.Agency))
		agency = fmt.Sprintf(" AND (o.agency = $%[1]d OR o.referrer = $%[1]d)", len(args))
	}
	var sql strings.Builder
	sql.WriteString(sqlOpenCandidates)
	sql.WriteString("\nSELECT grouping(o.agency) = 1, coalesce(o.agency, 0), (SELECT count(*) FROM open), count(*)")
	for _, s := range openStages {
		fmt.Fprintf(&sql, ", count(*) FILTER (WHERE %s)", s.sql)
	}
	// Band i holds the referrals made after bound i (not yet open the
	// next band's days) and at or before bound i-1.
	for i := range openAgeBands {
		var conds []string
		if i > 0 {
			args = append(args, bounds[i-1])
			conds = append(conds, fmt.Sprintf("o.created_at <= $%d", len(args)))
		}
		if i < len(bounds) {
			args = append(args, bounds[i])
			conds = append(conds, fmt.Sprintf("o.created_at > $%d", len(args)))
		}
		fmt.Fprintf(&sql, ", count(*) FILTER (WHERE %s)", strings.Join(conds, " AND "))
	}
	fmt.Fprintf(&sql, "\nFROM (%s) o", fmt.Sprintf(sqlOpenAsAt, need, agency))
	// The grand total's row is there even when nothing is open: it says
	// how many were found across the network.
	sql.WriteString("\nGROUP BY GROUPING SETS ((o.agency), ())")
	rows, _ := q.db.Query(ctx, sql.String(), args...)
	byAgency = map[core.AgencyID]*openCounts{}
	var total bool
	var id core.AgencyID
	var found int64
	var c openCounts
	targets := []any{&total, &id, &found, &c.open}
	for i := range c.stages {
		targets = append(targets, &c.stages[i])
	}
	for i := range c.ages {
		targets = append(targets, &c.ages[i])
	}
	if _, err := pgx.ForEachRow(rows, targets, func() error {
		if found > limit {
			tooMany = true
		}
		if !total {
			cc := c
			byAgency[id] = &cc
		}
		return nil
	}); err != nil {
		return nil, false, fmt.Errorf("count the referrals open at %s: %w", at.Format(time.RFC3339), err)
	}
	if tooMany {
		return nil, true, nil
	}
	return byAgency, false, nil
}

// openAsAtTooMany says why the open caseload is not counted at a moment
// more than openAsAtLimit referrals were open across the network.
func openAsAtTooMany() string {
	return fmt.Sprintf("Not counted: more than %d referrals were open across the network at that moment. Each open referral's "+
		"history is read to place it, so the report counts up to that many, far more than a network holds open at once.", openAsAtLimit())
}

// openAsAtCounts says in one line what the open-as-at report counts.
const openAsAtCounts = "Referrals open at the moment shown (made before it, and not yet completed, closed as could not contact, turned down, redirected, sent back or cancelled by it), each under the agency that held it then (or triage), by where it stood then and how long it had been open; a redirected client counts at the agency it had been redirected to from the moment of the redirect, never at both, and a client with two referrals open at one agency counts once there. The total adds up the agencies' rows, so a client open at two agencies counts under each. The start of the dates does not matter: only their end."

// openAsAtNote says how the ages are counted.
const openAsAtNote = "How long a referral had been open is counted from when it was made (a redirected one's from the redirect) in working days, as Onward's reminders count them: the network's working days, bank holidays left out. A referral had been open 5 working days once the same time of day 5 working days after it was made had passed."

// openAsAtReport gives, per agency, the referrals open at the end of the
// dates, by where they stood and how long they had been open.
func openAsAtReport(ctx context.Context, q *reportQuery) (Report, error) {
	at, cut := q.asAt()
	cal, err := q.reportCalendar(ctx)
	if err != nil {
		return Report{}, err
	}
	byAgency, tooMany, err := q.openAsAt(ctx, at, openAgeBounds(cal, at))
	if err != nil {
		return Report{}, err
	}
	r := Report{Chart: ChartBar, Unit: "referrals", At: at, Columns: []string{"Agency", "Open"}}
	for _, s := range openStages {
		r.Columns = append(r.Columns, s.column)
	}
	for _, b := range openAgeBands {
		r.Columns = append(r.Columns, b.column)
	}
	if tooMany {
		r.Notes = append(r.Notes, openAsAtTooMany())
		return r, nil
	}
	open, old := Series{Name: "Open"}, Series{Name: openAgeBands[len(openAgeBands)-1].column}
	row := func(label string, c openCounts) []Cell {
		cells := []Cell{textCell(label), q.count(c.open)}
		for _, n := range c.stages {
			cells = append(cells, q.count(n))
		}
		q.adds(cells[1], cells[2:2+len(c.stages)]...)
		for _, n := range c.ages {
			cells = append(cells, q.count(n))
		}
		q.adds(cells[1], cells[2+len(c.stages):]...)
		return cells
	}
	var all openCounts
	for _, id := range sortedAgencies(q, byAgency) {
		c := *byAgency[id]
		cells := row(q.agencyName(id), c)
		r.Rows = append(r.Rows, cells)
		open.Points = append(open.Points, point(cells[0].Text, cells[1]))
		old.Points = append(old.Points, point(cells[0].Text, cells[len(cells)-1]))
		all.open += c.open
		for i, n := range c.stages {
			all.stages[i] += n
		}
		for i, n := range c.ages {
			all.ages[i] += n
		}
	}
	total := row("Total", all)
	q.addsDown(total, r.Rows...)
	r.Rows = append(r.Rows, total)
	r.Series = []Series{open, old}
	if cut {
		r.Notes = append(r.Notes, fmt.Sprintf("These dates end on %s, which is not over yet, so the figures are as at the latest count of the referrals, %s.",
			q.f.To.Format("2 January 2006"), at.Format("15:04 MST on 2 January 2006")))
	}
	r.Notes = append(r.Notes, openAsAtNote)
	return r, nil
}
