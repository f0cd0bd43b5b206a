package report

import (
	"context"
	"fmt"

	"github.com/jackc/pgx/v5"

	"github.com/onward-network/onward/core"
)

// simdQuintileLabels name the rows of demand-simd, quintile 1 first.
var simdQuintileLabels = [5]string{"Quintile 1 (most deprived)", "Quintile 2", "Quintile 3", "Quintile 4", "Quintile 5 (least deprived)"}

// notKnown names the row of referrals whose area is not known.
const notKnown = "Not known"

// demandSIMDReport counts new referrals (new demand: see new_demand.go)
// by the SIMD quintile of the client's postcode, as the referral kept it
// when it was made (core.SIMDQuintile: the Scottish Government's
// fifths of data zones by rank). A referral with no postcode, or one the
// postcode file did not have, counts under Not known.
func demandSIMDReport(ctx context.Context, q *reportQuery) (Report, error) {
	sub, args := q.facts(areaRollup, "simd_decile, n_new", q.f.From, q.f.To)
	rows, _ := q.db.Query(ctx, `SELECT simd_decile, sum(n_new)::bigint FROM `+sub+` f GROUP BY 1`, args...)
	var byQuintile [6]int64 // 0 = not known
	var total int64
	var decile int16
	var n int64
	if _, err := pgx.ForEachRow(rows, []any{&decile, &n}, func() error {
		byQuintile[core.SIMDQuintile(int(decile))] += n
		total += n
		return nil
	}); err != nil {
		return Report{}, err
	}
	r := Report{Chart: ChartBar, Unit: "new referrals", Columns: []string{"SIMD quintile", "New referrals", "Share (%)"}}
	s := Series{Name: "New referrals"}
	all := q.count(total)
	var cells []Cell
	row := func(label string, n int64) Cell {
		c := q.count(n)
		cells = append(cells, c)
		share := q.share(c, all)
		r.Rows = append(r.Rows, []Cell{textCell(label), c, share})
		s.Points = append(s.Points, point(label, c))
		return share
	}
	var first Cell // quintile 1's share, for the note
	for i, label := range simdQuintileLabels {
		if share := row(label, byQuintile[i+1]); i == 0 {
			first = share
		}
	}
	row(notKnown, byQuintile[0])
	q.adds(all, cells...)
	r.Rows = append(r.Rows, []Cell{textCell("Total"), all, emptyCell()})
	r.Series = []Series{s}
	switch {
	case total == 0:
	case q.suppress:
		// The share is in the table, where suppression decides whether
		// it can be shown; a note written now could give a hidden count
		// back.
		r.Notes = append(r.Notes, "The share of new referrals from the most deprived 20% of Scotland's data zones is Quintile 1's share in the table.")
	default:
		r.Notes = append(r.Notes, fmt.Sprintf("%s%% of new referrals (%d of %d) came from the most deprived 20%% of Scotland's data zones (SIMD quintile 1).",
			first.Text, byQuintile[1], total))
	}
	r.Notes = append(r.Notes, simdNote)
	return r, nil
}

// simdNote says where the quintiles come from.
const simdNote = "Quintiles are the Scottish Government's: SIMD 2020 ranks Scotland's 6,976 data zones from 1 (most deprived) to 6,976, and quintile 1 is the fifth ranked most deprived. Each referral keeps the quintile of the client's postcode as the postcode file had it when the referral was made; a referral with no postcode, or one the postcode file does not have (from outside Scotland, or before the file was imported), is Not known."

// demandWardReport counts new referrals (new demand: see new_demand.go)
// by the electoral ward of the client's postcode, as the referral kept it
// when it was made, named from the ward names file when it has been
// imported (else by code).
func demandWardReport(ctx context.Context, q *reportQuery) (Report, error) {
	sub, args := q.facts(areaRollup, "ward_code, n_new", q.f.From, q.f.To)
	rows, _ := q.db.Query(ctx, `SELECT f.ward_code, coalesce(w.name, ''), sum(f.n_new)::bigint FROM `+sub+` f
		LEFT JOIN wards w ON w.code = f.ward_code
		GROUP BY 1, 2 HAVING sum(f.n_new) > 0 ORDER BY f.ward_code = '', 3 DESC, 2, 1`, args...)
	type wardCount struct {
		code, name string
		n          int64
	}
	var ws []wardCount
	var total int64
	var w wardCount
	unnamed := false
	if _, err := pgx.ForEachRow(rows, []any{&w.code, &w.name, &w.n}, func() error {
		ws = append(ws, w)
		total += w.n
		unnamed = unnamed || (w.code != "" && w.name == "")
		return nil
	}); err != nil {
		return Report{}, err
	}
	r := Report{Chart: ChartBar, Unit: "new referrals", Columns: []string{"Ward", "Ward code", "New referrals", "Share (%)"},
		TextColumns: []string{"Ward code"}}
	s := Series{Name: "New referrals"}
	all := q.count(total)
	var cells []Cell
	for _, w := range ws {
		label := w.name
		switch {
		case w.code == "":
			label = notKnown
		case label == "":
			label = w.code
		}
		c := q.count(w.n)
		cells = append(cells, c)
		r.Rows = append(r.Rows, []Cell{textCell(label), textCell(w.code), c, q.share(c, all)})
		s.Points = append(s.Points, point(label, c))
	}
	q.adds(all, cells...)
	r.Rows = append(r.Rows, []Cell{textCell("Total"), textCell(""), all, emptyCell()})
	r.Series = []Series{s}
	if unnamed {
		r.Notes = append(r.Notes, "A ward the ward names file does not name, or any ward before that file is imported (onward postcodes import --ward-names), is shown by its code.")
	}
	return r, nil
}
