package report

import (
	"context"
	"slices"

	"github.com/jackc/pgx/v5"

	"github.com/onward-network/onward/core"
)

// demandDistrictReport counts new referrals (new demand: see
// new_demand.go) by the client's postcode district.
func demandDistrictReport(ctx context.Context, q *reportQuery) (Report, error) {
	sub, args := q.facts(districtRollup, "district, n_new", q.f.From, q.f.To)
	rows, _ := q.db.Query(ctx, `SELECT f.district, coalesce(d.town, ''), sum(f.n_new)::bigint FROM `+sub+` f
		LEFT JOIN postcode_districts d ON d.district = f.district
		GROUP BY 1, 2 HAVING sum(f.n_new) > 0 ORDER BY 3 DESC, 1`, args...)
	type districtCount struct {
		district, town string
		n              int64
	}
	var ds []districtCount
	var total int64
	var d districtCount
	if _, err := pgx.ForEachRow(rows, []any{&d.district, &d.town, &d.n}, func() error {
		ds = append(ds, d)
		total += d.n
		return nil
	}); err != nil {
		return Report{}, err
	}
	r := Report{Chart: ChartBar, Unit: "new referrals", Columns: []string{"Postcode district", "Town", "New referrals", "Share (%)"},
		TextColumns: []string{"Town"}}
	s := Series{Name: "New referrals"}
	all := q.count(total)
	var cells []Cell
	for _, d := range ds {
		name := d.district
		if name == "" {
			name = notKnown
		}
		c := q.count(d.n)
		cells = append(cells, c)
		r.Rows = append(r.Rows, []Cell{textCell(name), textCell(d.town), c, q.share(c, all)})
		s.Points = append(s.Points, point(name, c))
	}
	q.adds(all, cells...)
	r.Rows = append(r.Rows, []Cell{textCell("Total"), textCell(""), all, emptyCell()})
	r.Series = []Series{s}
	return r, nil
}

// demandNeedReport counts new referrals (new demand: see new_demand.go)
// by need. A referral asking for
// debt and benefits advice counts under both, so the needs add up to more
// than the total; the share is of all new referrals.
func demandNeedReport(ctx context.Context, q *reportQuery) (Report, error) {
	sub, args := q.facts(rollup{daily: "report_daily", coarse: "report_monthly", byNeed: true}, "need, n_new", q.f.From, q.f.To)
	rows, _ := q.db.Query(ctx, `SELECT need, sum(n_new)::bigint FROM `+sub+` f GROUP BY 1`, args...)
	counts := map[core.Need]int64{}
	var need string
	var n int64
	if _, err := pgx.ForEachRow(rows, []any{&need, &n}, func() error {
		counts[core.Need(need)] = n
		return nil
	}); err != nil {
		return Report{}, err
	}
	total := counts[""] // the all-referrals rows, read when no need is chosen
	needs := slices.Clone(core.Needs)
	if q.f.Need != "" {
		needs = []core.Need{q.f.Need}
		total = counts[q.f.Need]
	}
	r := Report{Chart: ChartBar, Unit: "new referrals", Columns: []string{"Need", "New referrals", "Share of new referrals (%)"}}
	s := Series{Name: "New referrals"}
	all := q.count(total) // not their sum: a referral may ask for two needs
	for _, nd := range needs {
		c := q.count(counts[nd])
		r.Rows = append(r.Rows, []Cell{textCell(nd.Label()), c, q.share(c, all)})
		s.Points = append(s.Points, point(nd.Label(), c))
	}
	r.Rows = append(r.Rows, []Cell{textCell("All new referrals"), all, emptyCell()})
	r.Series = []Series{s}
	return r, nil
}
