package report

import (
	"context"

	"github.com/jackc/pgx/v5"

	"github.com/onward-network/onward/core"
)

// satisfaction is what clients said of one agency: their 1–5 scores,
// whether they would recommend it, and how many left a comment.
type satisfaction struct {
	scores        [5]int64
	recYes, recNo int64
	comments      int64
}

func (s *satisfaction) add(o satisfaction) {
	for i := range s.scores {
		s.scores[i] += o.scores[i]
	}
	s.recYes += o.recYes
	s.recNo += o.recNo
	s.comments += o.comments
}

// satisfactionByAgency sums clients' answers per receiving agency.
func (q *reportQuery) satisfactionByAgency(ctx context.Context) (map[core.AgencyID]*satisfaction, error) {
	sub, args := q.facts(agencyRollup, "to_agency, fb1, fb2, fb3, fb4, fb5, rec_yes, rec_no, comments", q.f.From, q.f.To)
	rows, _ := q.db.Query(ctx, `SELECT to_agency, `+sums("fb1", "fb2", "fb3", "fb4", "fb5", "rec_yes", "rec_no", "comments")+` FROM `+sub+` f
		WHERE to_agency <> 0 GROUP BY 1 HAVING sum(fb1 + fb2 + fb3 + fb4 + fb5 + rec_yes + rec_no + comments) > 0`, args...)
	out := map[core.AgencyID]*satisfaction{}
	var id core.AgencyID
	var s satisfaction
	_, err := pgx.ForEachRow(rows, []any{&id, &s.scores[0], &s.scores[1], &s.scores[2], &s.scores[3], &s.scores[4], &s.recYes, &s.recNo, &s.comments}, func() error {
		c := s
		out[id] = &c
		return nil
	})
	return out, err
}

// satisfactionReport gives per agency how many clients scored the help,
// their mean score, how many would recommend the agency and the rate,
// and how many left a comment. The comments themselves are the client's
// own words, sealed on the referral; reports count them and never print
// them.
func satisfactionReport(ctx context.Context, q *reportQuery) (Report, error) {
	byAgency, err := q.satisfactionByAgency(ctx)
	if err != nil {
		return Report{}, err
	}
	r := Report{Chart: ChartBar, Unit: "per cent", Columns: []string{"Agency", "Scores given", "Mean score (1–5)",
		"Would recommend", "Would not recommend", "Recommend rate (%)", "Comments left"}}
	row := func(label string, s satisfaction) []Cell {
		n, mean := scoreStats(s.scores)
		answered := s.recYes + s.recNo
		return []Cell{textCell(label), q.count(n), q.figure(mean, n, 2), q.count(s.recYes), q.count(s.recNo),
			q.share(s.recYes, answered), q.count(s.comments)}
	}
	series := Series{Name: "Recommend rate (%)"}
	var all satisfaction
	for _, id := range sortedAgencies(q, byAgency) {
		s := *byAgency[id]
		all.add(s)
		r.Rows = append(r.Rows, row(q.agencyName(id), s))
		answered := s.recYes + s.recNo
		rate := 0.0
		if answered > 0 {
			rate = 100 * float64(s.recYes) / float64(answered)
		}
		series.Points = append(series.Points, q.figurePoint(q.agencyName(id), rate, answered))
	}
	r.Rows = append(r.Rows, row("All agencies", all))
	r.Series = []Series{series}
	r.Notes = append(r.Notes, "Answers count by the day the referral was made. Clients' comments are counted here; their words stay with the referral.")
	return r, nil
}
