package report

import (
	"context"
	"strings"
	"time"
)

// crisisReport gives, per month, new referrals (new demand: see
// new_demand.go) and how many were crisis referrals, how many referral legs went through triage and were
// assigned, and the median and 90th percentile hours from a referral
// arriving to a coordinator assigning it to an agency. A crisis referral
// is any marked as one — by the client's words in a self-referral, or by
// the adviser or partner system that made it — as the crisis clock and
// alerts treat them all alike, and the share is of all new referrals.
func crisisReport(ctx context.Context, q *reportQuery) (Report, error) {
	triCols := histogramColumns("tri")
	sub, args := q.facts(mainRollup, "day, crisis, n_new, triaged, assigned, "+strings.Join(triCols, ", "), q.f.From, q.f.To)
	rows, _ := q.db.Query(ctx, `SELECT date_trunc('month', day)::date,
		coalesce(sum(n_new), 0)::bigint, coalesce(sum(n_new) FILTER (WHERE crisis), 0)::bigint, `+sums("triaged", "assigned")+`, `+sums(triCols...)+`
		FROM `+sub+` f GROUP BY 1 ORDER BY 1`, args...)
	type month struct {
		start                        time.Time
		n, crisis, triaged, assigned int64
		tri                          Histogram
	}
	var months []month
	for rows.Next() {
		var m month
		dst := append([]any{&m.start, &m.n, &m.crisis, &m.triaged, &m.assigned}, anyPtrs(histogramTargets(&m.tri))...)
		if err := rows.Scan(dst...); err != nil {
			rows.Close()
			return Report{}, err
		}
		months = append(months, m)
	}
	if err := rows.Err(); err != nil {
		return Report{}, err
	}
	r := Report{Chart: ChartBar, Unit: "crisis referrals", Columns: []string{"Month", "New referrals", "Crisis referrals",
		"Crisis share (%)", "Through triage", "Assigned from triage", "Median calendar hours to assign", "90th percentile calendar hours to assign"}}
	s := Series{Name: "Crisis referrals"}
	var all month
	row := func(label string, m month) []Cell {
		n, crisis := q.count(m.n), q.count(m.crisis)
		return []Cell{textCell(label), n, crisis, q.share(crisis, n), q.count(m.triaged),
			q.count(m.assigned), q.hours(m.tri, 0.5), q.hours(m.tri, 0.9)}
	}
	for _, m := range months {
		label := m.start.Format("Jan 2006")
		cells := row(label, m)
		r.Rows = append(r.Rows, cells)
		s.Points = append(s.Points, point(label, cells[2]))
		all.n += m.n
		all.crisis += m.crisis
		all.triaged += m.triaged
		all.assigned += m.assigned
		all.tri.Add(m.tri)
	}
	total := row("Total", all)
	q.addsDown(total, r.Rows...)
	r.Rows = append(r.Rows, total)
	r.Series = []Series{s}
	r.Notes = append(r.Notes, calendarHoursNote)
	return r, nil
}
