package report

import (
	"context"
	"slices"

	"github.com/jackc/pgx/v5"

	"github.com/onward-network/onward/core"
)

// partnersReport is the from × to matrix of referrals between partners.
// A row is who referred a leg (see referrer.go): an agency, for the
// referrals it made; the same agency again, "(redirects)", for the
// referrals it redirected on to another agency; or, for legs no agency
// referred, where they came from — a client's own text or web form, a
// partner system, or Onward re-routing a client after an agency turned
// their self-referral down (never counted as that agency's referral). A
// column is the agency it went to, or the triage queue while no agency
// has it. Each leg of a redirected referral counts once.
func partnersReport(ctx context.Context, q *reportQuery) (Report, error) {
	sub, args := q.facts(mainRollup, "from_agency, leg_kind, source, to_agency, n", q.f.From, q.f.To)
	rows, _ := q.db.Query(ctx, `SELECT from_agency, leg_kind, source, to_agency, sum(n)::bigint FROM `+sub+` f
		GROUP BY 1, 2, 3, 4`, args...)
	counts := map[referrerKey]map[core.AgencyID]int64{}
	toTotals := map[core.AgencyID]int64{}
	var agency, to core.AgencyID
	var leg legKind
	var source core.Source
	var n int64
	_, err := pgx.ForEachRow(rows, []any{&agency, &leg, &source, &to, &n}, func() error {
		key := referrerOf(agency, leg, source)
		if counts[key] == nil {
			counts[key] = map[core.AgencyID]int64{}
		}
		counts[key][to] += n
		toTotals[to] += n
		return nil
	})
	if err != nil {
		return Report{}, err
	}
	froms := make([]referrerKey, 0, len(counts))
	for f := range counts {
		froms = append(froms, f)
	}
	slices.SortFunc(froms, func(a, b referrerKey) int { return q.referrerLess(a, b, true) })
	tos := make([]core.AgencyID, 0, len(toTotals))
	for t := range toTotals {
		tos = append(tos, t)
	}
	slices.SortFunc(tos, q.agencyLess)

	r := Report{Chart: ChartMatrix, Unit: "referrals", Columns: []string{"From \\ To"}}
	for _, t := range tos {
		r.Columns = append(r.Columns, q.agencyName(t))
	}
	r.Columns = append(r.Columns, "Total")
	// row is a sender's (or the total's) counts, then their total.
	row := func(label string, n func(core.AgencyID) int64) []Cell {
		cells := []Cell{textCell(label)}
		var sum int64
		for _, t := range tos {
			cells = append(cells, q.count(n(t)))
			sum += n(t)
		}
		total := q.count(sum)
		q.adds(total, cells[1:]...)
		return append(cells, total)
	}
	for _, f := range froms {
		label := q.referrerName(f)
		cells := row(label, func(t core.AgencyID) int64 { return counts[f][t] })
		s := Series{Name: label}
		for i, t := range tos {
			s.Points = append(s.Points, point(q.agencyName(t), cells[1+i]))
		}
		r.Rows = append(r.Rows, cells)
		r.Series = append(r.Series, s)
	}
	totals := row("Total", func(t core.AgencyID) int64 { return toTotals[t] })
	q.addsDown(totals, r.Rows...)
	r.Rows = append(r.Rows, totals)
	return r, nil
}
