package report

import (
	"context"
	"slices"
	"strings"

	"github.com/onward-network/onward/core"
)

// agencyTimes is what the times reports read per receiving agency.
type agencyTimes struct {
	received, acked, contacted int64
	ack, con                   Histogram
}

// timesByAgency sums referral counts and time histograms per receiving
// agency (legs still in triage have no agency and are left out).
func (q *reportQuery) timesByAgency(ctx context.Context) (map[core.AgencyID]*agencyTimes, error) {
	ackCols, conCols := histogramColumns("ack"), histogramColumns("con")
	cols := append([]string{"n", "acked", "contacted"}, append(ackCols, conCols...)...)
	sub, args := q.facts(agencyRollup, "to_agency, "+strings.Join(cols, ", "), q.f.From, q.f.To)
	rows, _ := q.db.Query(ctx, `SELECT to_agency, `+sums(cols...)+` FROM `+sub+` f
		WHERE to_agency <> 0 GROUP BY to_agency`, args...)
	out := map[core.AgencyID]*agencyTimes{}
	for rows.Next() {
		var id core.AgencyID
		t := &agencyTimes{}
		dst := append([]any{&id, &t.received, &t.acked, &t.contacted}, anyPtrs(histogramTargets(&t.ack))...)
		dst = append(dst, anyPtrs(histogramTargets(&t.con))...)
		if err := rows.Scan(dst...); err != nil {
			rows.Close()
			return nil, err
		}
		out[id] = t
	}
	return out, rows.Err()
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
// The percentiles are estimated from the rollups' histograms (see
// Histogram.Percentile); hours are calendar hours (elapsed time, nights
// and weekends included), not the working hours targets are set in, and
// every column, series and unit says so.
func responseTimesReport(ctx context.Context, q *reportQuery) (Report, error) {
	byAgency, err := q.timesByAgency(ctx)
	if err != nil {
		return Report{}, err
	}
	r := Report{Chart: ChartBar, Unit: "calendar hours", Columns: []string{"Agency", "Referrals received", "Acknowledged",
		"Median calendar hours to acknowledge", "90th percentile calendar hours to acknowledge", "Client contacted",
		"Median calendar hours to contact", "90th percentile calendar hours to contact"}}
	ackSeries, conSeries := Series{Name: "Median calendar hours to acknowledge"}, Series{Name: "Median calendar hours to contact"}
	var all agencyTimes
	row := func(label string, t *agencyTimes) []Cell {
		return []Cell{textCell(label), q.count(t.received), q.count(t.acked), q.hours(t.ack, 0.5), q.hours(t.ack, 0.9),
			q.count(t.contacted), q.hours(t.con, 0.5), q.hours(t.con, 0.9)}
	}
	for _, id := range sortedAgencies(q, byAgency) {
		t := byAgency[id]
		all.received += t.received
		all.acked += t.acked
		all.contacted += t.contacted
		all.ack.Add(t.ack)
		all.con.Add(t.con)
		name := q.agencyName(id)
		cells := row(name, t)
		r.Rows = append(r.Rows, cells)
		ackSeries.Points = append(ackSeries.Points, point(name, cells[3]))
		conSeries.Points = append(conSeries.Points, point(name, cells[6]))
	}
	total := row("All agencies", &all)
	q.addsDown(total, r.Rows...)
	r.Rows = append(r.Rows, total)
	r.Series = []Series{ackSeries, conSeries}
	r.Notes = append(r.Notes, calendarHoursNote, "Percentiles are estimated from counts in time bands (5 minutes up to 30 days, each band at most about twice as long as the one before) and are accurate to within the band they fall in.")
	return r, nil
}
