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
		n, _ := scoreStats(s.scores)
		scored, yes, no := q.count(n), q.count(s.recYes), q.count(s.recNo)
		return []Cell{textCell(label), scored, q.meanScore(s.scores, scored), yes, no,
			q.share(yes, q.count(s.recYes+s.recNo), no), q.count(s.comments)}
	}
	series := Series{Name: "Recommend rate (%)"}
	var all satisfaction
	for _, id := range sortedAgencies(q, byAgency) {
		s := *byAgency[id]
		all.add(s)
		cells := row(q.agencyName(id), s)
		r.Rows = append(r.Rows, cells)
		series.Points = append(series.Points, point(q.agencyName(id), cells[5]))
	}
	total := row("All agencies", all)
	q.addsDown(total, r.Rows...)
	r.Rows = append(r.Rows, total)
	r.Series = []Series{series}
	r.Notes = append(r.Notes, "Answers count by the day the referral was made. Clients' comments are counted here; their words stay with the referral.")
	return r, nil
}
