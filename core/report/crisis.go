package report

import (
	"context"
	"strings"
	"time"
)

// crisisReport gives, per month, new referrals (new demand: see
// new_demand.go) and how many were crisis referrals, how many referral legs went through triage and were
// assigned, and the median and 90th percentile hours from a referral
// arriving to a coordinator assigning it to an agency (see percentile.go).
// A crisis referral
// is any marked as one — by the client's words in a self-referral, or by
// the adviser or partner system that made it — as the crisis clock and
// alerts treat them all alike, and the share is of all new referrals.
// Every month of the dates has a row (see monthsOfYear), 0 when nobody
// was referred in it.
func crisisReport(ctx context.Context, q *reportQuery) (Report, error) {
	triCols := histogramColumns("tri")
	sub, args := q.facts(mainRollup, "day, crisis, n_new, triaged, assigned, "+strings.Join(triCols, ", "), q.f.From, q.f.To)
	rows, _ := q.db.Query(ctx, `SELECT to_char(day, 'YYYY-MM'),
		coalesce(sum(n_new), 0)::bigint, coalesce(sum(n_new) FILTER (WHERE crisis), 0)::bigint, `+sums("triaged", "assigned")+`, `+sums(triCols...)+`
		FROM `+sub+` f GROUP BY 1`, args...)
	type month struct {
		n, crisis, triaged, assigned int64
		hist                         Histogram
		tri                          timeStats
	}
	months := map[string]*month{}
	var all month
	for rows.Next() {
		var key string
		m := &month{}
		dst := append([]any{&key, &m.n, &m.crisis, &m.triaged, &m.assigned}, anyPtrs(histogramTargets(&m.hist))...)
		if err := rows.Scan(dst...); err != nil {
			rows.Close()
			return Report{}, err
		}
		m.tri = estimate(m.hist)
		months[key] = m
		all.n += m.n
		all.crisis += m.crisis
		all.triaged += m.triaged
		all.assigned += m.assigned
		all.hist.Add(m.hist)
	}
	if err := rows.Err(); err != nil {
		return Report{}, err
	}
	all.tri = estimate(all.hist)
	exact, err := q.exactTimes(ctx)
	if err != nil {
		return Report{}, err
	}
	if exact {
		byMonth, total, err := q.legTimes(ctx, func(arg func(any) string) string {
			return "CASE WHEN r.assigned_at IS NOT NULL THEN to_char(r.created_at AT TIME ZONE " + arg(q.loc.String()) + ", 'YYYY-MM') END"
		}, timeTri)
		if err != nil {
			return Report{}, err
		}
		for key, m := range months {
			m.tri = timeStats{}
			if s := byMonth[key]; s != nil {
				m.tri = s[0]
			}
		}
		all.tri = total[0]
	}
	r := Report{Chart: ChartBar, Unit: "crisis referrals", Columns: []string{"Month", "New referrals", "Crisis referrals",
		"Crisis share (%)", "Through triage", "Assigned from triage", "Median calendar hours to assign", "90th percentile calendar hours to assign"}}
	s := Series{Name: "Crisis referrals"}
	row := func(label string, m *month) []Cell {
		n, crisis := q.count(m.n), q.count(m.crisis)
		return []Cell{textCell(label), n, crisis, q.share(crisis, n), q.count(m.triaged),
			q.count(m.assigned), q.hours(m.tri, 0.5), q.hours(m.tri, 0.9)}
	}
	for y := q.f.From.Year(); y <= q.f.To.Year(); y++ {
		p := q.monthsOfYear(y)
		for i := p.first; i <= p.last; i++ {
			start := time.Date(y, time.Month(i), 1, 0, 0, 0, 0, time.UTC)
			m := months[start.Format("2006-01")]
			if m == nil {
				m = &month{}
			}
			label := start.Format("Jan 2006")
			cells := row(label, m)
			r.Rows = append(r.Rows, cells)
			s.Points = append(s.Points, point(label, cells[2]))
		}
	}
	total := row("Total", &all)
	q.addsDown(total, r.Rows...)
	r.Rows = append(r.Rows, total)
	r.Series = []Series{s}
	r.Notes = append(r.Notes, calendarHoursNote, timesNote(exact))
	return r, nil
}
