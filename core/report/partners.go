package report

import (
	"context"
	"fmt"
	"slices"

	"github.com/jackc/pgx/v5"

	"github.com/onward-network/onward/core"
)

// partnersReport is the from × to matrix of referrals between partners.
// A row is who sent a referral: an agency (the referring agency, or the
// agency that redirected or rerouted it on), or, for referrals no agency
// sent, how they came in — a client's own text or web form, or a partner
// system. A column is the agency it went to, or the triage queue while no
// agency has it. Each leg of a redirected referral counts once.
func partnersReport(ctx context.Context, q *reportQuery) (Report, error) {
	sub, args := q.facts(mainRollup, "from_agency, source, to_agency, n", q.f.From, q.f.To)
	rows, _ := q.db.Query(ctx, `SELECT from_agency, source, to_agency, sum(n)::bigint FROM `+sub+` f
		GROUP BY 1, 2, 3`, args...)
	type from struct {
		agency core.AgencyID
		source core.Source
	}
	counts := map[from]map[core.AgencyID]int64{}
	toTotals := map[core.AgencyID]int64{}
	var k from
	var to core.AgencyID
	var n int64
	_, err := pgx.ForEachRow(rows, []any{&k.agency, &k.source, &to, &n}, func() error {
		key := k
		if key.agency != 0 {
			key.source = ""
		}
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
	froms := make([]from, 0, len(counts))
	for f := range counts {
		froms = append(froms, f)
	}
	sourceOrder := map[core.Source]int{core.SourceSMS: 0, core.SourceWeb: 1, core.SourceAPI: 2, core.SourceStaff: 3}
	slices.SortFunc(froms, func(a, b from) int {
		switch {
		case a.agency == 0 && b.agency == 0:
			return sourceOrder[a.source] - sourceOrder[b.source]
		case a.agency == 0:
			return -1
		case b.agency == 0:
			return 1
		}
		return q.agencyLess(a.agency, b.agency)
	})
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
		label := referrerLabel(f.source)
		if f.agency != 0 {
			label = q.agencyName(f.agency)
		}
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

// referrerLabel names where a referral no agency sent came from.
func referrerLabel(s core.Source) string {
	switch s {
	case core.SourceSMS:
		return "Self-referral (SMS)"
	case core.SourceWeb:
		return "Self-referral (web)"
	case core.SourceAPI:
		return "Partner system (API)"
	case core.SourceStaff:
		return "Staff (no agency recorded)"
	}
	return fmt.Sprintf("Other (%s)", s)
}
