package report

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/onward-network/onward/core"
)

// agencyTimes is what the times reports read per receiving agency: legs
// received, acknowledged and with the client contacted (from the
// rollups), and the times to acknowledge and to contact (see
// percentile.go).
type agencyTimes struct {
	received, acked, contacted int64
	ack, con                   timeStats
}

// timesByAgency gives referral counts and times per receiving agency, and
// over all of them together (legs still in triage have no agency and are
// left out); exact says whether the times are exact or estimated (see
// exactTimes).
func (q *reportQuery) timesByAgency(ctx context.Context) (byAgency map[core.AgencyID]*agencyTimes, all *agencyTimes, exact bool, err error) {
	ackCols, conCols := histogramColumns("ack"), histogramColumns("con")
	cols := append([]string{"n", "acked", "contacted"}, append(ackCols, conCols...)...)
	sub, args := q.facts(agencyRollup, "to_agency, "+strings.Join(cols, ", "), q.f.From, q.f.To)
	rows, _ := q.db.Query(ctx, `SELECT to_agency, `+sums(cols...)+` FROM `+sub+` f
		WHERE to_agency <> 0 GROUP BY to_agency`, args...)
	byAgency, all = map[core.AgencyID]*agencyTimes{}, &agencyTimes{}
	var allAck, allCon Histogram
	for rows.Next() {
		var id core.AgencyID
		var ack, con Histogram
		t := &agencyTimes{}
		dst := append([]any{&id, &t.received, &t.acked, &t.contacted}, anyPtrs(histogramTargets(&ack))...)
		dst = append(dst, anyPtrs(histogramTargets(&con))...)
		if err := rows.Scan(dst...); err != nil {
			rows.Close()
			return nil, nil, false, err
		}
		t.ack, t.con = estimate(ack), estimate(con)
		allAck.Add(ack)
		allCon.Add(con)
		all.received += t.received
		all.acked += t.acked
		all.contacted += t.contacted
		byAgency[id] = t
	}
	if err := rows.Err(); err != nil {
		return nil, nil, false, err
	}
	all.ack, all.con = estimate(allAck), estimate(allCon)
	if exact, err = q.exactTimes(ctx); err != nil || !exact {
		return byAgency, all, exact, err
	}
	groups, total, err := q.legTimes(ctx, func(func(any) string) string { return "r.to_agency_id" }, timeAck, timeCon)
	if err != nil {
		return nil, nil, false, err
	}
	for id, t := range byAgency {
		g := groups[fmt.Sprint(int64(id))]
		if g == nil {
			g = make([]timeStats, 2)
		}
		t.ack, t.con = g[0], g[1]
	}
	all.ack, all.con = total[0], total[1]
	return byAgency, all, true, nil
}

func anyPtrs(ps []*int64) []any {
	out := make([]any, len(ps))
	for i, p := range ps {
		out[i] = p
	}
	return out
}

// sortedAgencies returns the map's agencies in name order.
func sortedAgencies[T any](q *reportQuery, m map[core.AgencyID]T) []core.AgencyID {
	ids := make([]core.AgencyID, 0, len(m))
	for id := range m {
		ids = append(ids, id)
	}
	slices.SortFunc(ids, q.agencyLess)
	return ids
}

// calendarHoursNote says what the hours of the times reports are, beside
// targets set in working hours.
const calendarHoursNote = "Hours in this report are calendar hours: all the time that passed, nights, weekends and holidays included. Acknowledgement targets are set in working hours, so a median of more hours than a target can still be within it."

// responseTimesReport gives, per agency and for all of them together, the
// median and 90th percentile hours to acknowledge a referral and to
// contact the client, counted from when the referral reached the agency.
// The percentiles are exact (see percentile.go); hours are calendar hours
// (elapsed time, nights and weekends included), not the working hours
// targets are set in, and every column, series and unit says so.
func responseTimesReport(ctx context.Context, q *reportQuery) (Report, error) {
	byAgency, all, exact, err := q.timesByAgency(ctx)
	if err != nil {
		return Report{}, err
	}
	r := Report{Chart: ChartBar, Unit: "calendar hours", Columns: []string{"Agency", "Referrals received", "Acknowledged",
		"Median calendar hours to acknowledge", "90th percentile calendar hours to acknowledge", "Client contacted",
		"Median calendar hours to contact", "90th percentile calendar hours to contact"}}
	ackSeries, conSeries := Series{Name: "Median calendar hours to acknowledge"}, Series{Name: "Median calendar hours to contact"}
	row := func(label string, t *agencyTimes) []Cell {
		return []Cell{textCell(label), q.count(t.received), q.count(t.acked), q.hours(t.ack, 0.5), q.hours(t.ack, 0.9),
			q.count(t.contacted), q.hours(t.con, 0.5), q.hours(t.con, 0.9)}
	}
	for _, id := range sortedAgencies(q, byAgency) {
		name := q.agencyName(id)
		cells := row(name, byAgency[id])
		r.Rows = append(r.Rows, cells)
		ackSeries.Points = append(ackSeries.Points, point(name, cells[3]))
		conSeries.Points = append(conSeries.Points, point(name, cells[6]))
	}
	total := row("All agencies", all)
	q.addsDown(total, r.Rows...)
	r.Rows = append(r.Rows, total)
	r.Series = []Series{ackSeries, conSeries}
	r.Notes = append(r.Notes, calendarHoursNote, timesNote(exact))
	return r, nil
}
