package report

import (
	"context"
	"fmt"

	"github.com/jackc/pgx/v5"

	"github.com/onward-network/onward/core"
)

// feedbackScores sums the 1–5 score counts per receiving agency.
func (q *reportQuery) feedbackScores(ctx context.Context) (map[core.AgencyID]*[5]int64, error) {
	sub, args := q.facts(agencyRollup, "to_agency, fb1, fb2, fb3, fb4, fb5", q.f.From, q.f.To)
	rows, _ := q.db.Query(ctx, `SELECT to_agency, `+sums("fb1", "fb2", "fb3", "fb4", "fb5")+` FROM `+sub+` f
		WHERE to_agency <> 0 GROUP BY 1 HAVING sum(fb1 + fb2 + fb3 + fb4 + fb5) > 0`, args...)
	out := map[core.AgencyID]*[5]int64{}
	var id core.AgencyID
	var s [5]int64
	_, err := pgx.ForEachRow(rows, []any{&id, &s[0], &s[1], &s[2], &s[3], &s[4]}, func() error {
		c := s
		out[id] = &c
		return nil
	})
	return out, err
}

// scoreStats returns how many scores there are and their mean.
func scoreStats(s [5]int64) (int64, float64) {
	var n, sum int64
	for i, c := range s {
		n += c
		sum += int64(i+1) * c
	}
	if n == 0 {
		return 0, 0
	}
	return n, float64(sum) / float64(n)
}

// feedbackReport gives, per agency and for all, how many clients gave
// each score and the mean score. Scores are counted by when the referral
// was made, not when the score arrived. The mean and the number of
// responses would give back a hidden score count, so the mean is too few
// to show wherever one is hidden.
func feedbackReport(ctx context.Context, q *reportQuery) (Report, error) {
	byAgency, err := q.feedbackScores(ctx)
	if err != nil {
		return Report{}, err
	}
	r := Report{Chart: ChartBar, Unit: "clients", Columns: []string{"Agency", "Score 1", "Score 2", "Score 3",
		"Score 4", "Score 5", "Responses", "Mean score"}}
	var all [5]int64
	row := func(label string, s [5]int64) []Cell {
		cells := []Cell{textCell(label)}
		for _, c := range s {
			cells = append(cells, q.count(c))
		}
		n, _ := scoreStats(s)
		responses := q.count(n)
		q.adds(responses, cells[1:]...)
		return append(cells, responses, q.meanScore(s, append(cells[1:], responses)...))
	}
	for _, id := range sortedAgencies(q, byAgency) {
		s := *byAgency[id]
		r.Rows = append(r.Rows, row(q.agencyName(id), s))
		for i := range all {
			all[i] += s[i]
		}
	}
	total := row("All agencies", all)
	q.addsDown(total, r.Rows...)
	r.Rows = append(r.Rows, total)
	dist := Series{Name: "Clients"}
	for i := range all {
		dist.Points = append(dist.Points, point(fmt.Sprintf("Score %d", i+1), total[1+i]))
	}
	r.Series = []Series{dist}
	return r, nil
}
