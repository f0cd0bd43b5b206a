package report

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/onward-network/onward/core"
)

// What changed for the client: outcomes, financial gains and the advice
// given, read from report_closure (migration 022), which holds the legs
// with an outcome and the completed ones without.

// gains is what report_closure sums for a group of legs.
type gains struct {
	n, gained                           int64
	weekly, oneOff, writtenOff, managed int64 // pence
}

func (g *gains) add(o gains) {
	g.n += o.n
	g.gained += o.gained
	g.weekly += o.weekly
	g.oneOff += o.oneOff
	g.writtenOff += o.writtenOff
	g.managed += o.managed
}

// weeksInYear turns a weekly income gain into a yearly one, as advice
// agencies report "financial gain": a year of the new income, plus
// one-off sums, plus debt written off. Debt managed is shown on its own:
// the client still owes it.
const weeksInYear = 52

// total is the financial gain in pence: a year of weekly income gained,
// one-off income and debt written off.
func (g gains) total() int64 { return weeksInYear*g.weekly + g.oneOff + g.writtenOff }

// closureGroup is one group of report_closure rows: its keys as text and
// its sums.
type closureGroup struct {
	keys []string
	gains
}

// closures sums report_closure over the filter, grouped by the key
// expressions (columns of report_closure, as text). byNeed reads the rows
// of every need rather than the need filter's, for grouping by need.
// received keeps only legs sent to the filter's agency (what it did for
// clients), rather than legs to or from it.
func (q *reportQuery) closures(ctx context.Context, byNeed, received bool, keys ...string) ([]closureGroup, error) {
	src := closureRollup
	src.byNeed = byNeed
	sub, args := q.facts(src, "day, need, to_agency, from_agency, outcome, advice_type, advice_topic, "+closureMetrics, q.f.From, q.f.To)
	where := ""
	if byNeed {
		where = " WHERE need <> ''"
	}
	if received && q.f.Agency != 0 {
		args = append(args, int64(q.f.Agency))
		where += map[bool]string{true: " AND", false: " WHERE"}[where != ""] + fmt.Sprintf(" to_agency = $%d", len(args))
	}
	sel := make([]string, len(keys))
	for i, k := range keys {
		sel[i] = "(" + k + ")::text"
	}
	group := make([]string, len(keys))
	for i := range keys {
		group[i] = fmt.Sprint(i + 1)
	}
	sql := `SELECT ` + strings.Join(sel, ", ") + `, ` + sums("n", "gained", "weekly_pence", "one_off_pence", "written_off_pence", "managed_pence") +
		` FROM ` + sub + ` f` + where + ` GROUP BY ` + strings.Join(group, ", ")
	rows, err := q.db.Query(ctx, sql, args...)
	if err != nil {
		return nil, fmt.Errorf("sum outcomes: %w", err)
	}
	defer rows.Close()
	var out []closureGroup
	for rows.Next() {
		g := closureGroup{keys: make([]string, len(keys))}
		dst := make([]any, 0, len(keys)+6)
		for i := range g.keys {
			dst = append(dst, &g.keys[i])
		}
		dst = append(dst, &g.n, &g.gained, &g.weekly, &g.oneOff, &g.writtenOff, &g.managed)
		if err := rows.Scan(dst...); err != nil {
			return nil, fmt.Errorf("sum outcomes: %w", err)
		}
		out = append(out, g)
	}
	return out, rows.Err()
}

// agencyKey reads an agency id written as text by closures.
func agencyKey(s string) core.AgencyID {
	var id int64
	fmt.Sscan(s, &id)
	return core.AgencyID(id)
}

// outcomeLabel names an outcome in reports; "" is a completed referral
// closed before outcomes were recorded.
func outcomeLabel(o string) string {
	if o == "" {
		return "Not recorded"
	}
	return core.Outcome(o).Label()
}

// outcomeOrder is the outcomes a report's columns show: the fixed
// vocabulary in its order, any other the data holds, then "not recorded".
func outcomeOrder(seen map[string]bool) []string {
	var out []string
	for _, o := range core.Outcomes {
		out = append(out, string(o))
	}
	var extra []string
	for o := range seen {
		if o != "" && !slices.Contains(out, o) {
			extra = append(extra, o)
		}
	}
	slices.Sort(extra)
	return append(append(out, extra...), "")
}

// needRowLabel labels a need's row in reports grouped by agency and need.
func needRowLabel(n string) string { return "Need: " + core.Need(n).Label() }

// outcomesByAgencyReport counts referral legs by outcome, per receiving
// agency and per need: what became of the clients each agency saw.
func outcomesByAgencyReport(ctx context.Context, q *reportQuery) (Report, error) {
	byAgency, err := q.closures(ctx, false, false, "to_agency", "outcome")
	if err != nil {
		return Report{}, err
	}
	byNeed, err := q.closures(ctx, true, false, "need", "outcome")
	if err != nil {
		return Report{}, err
	}
	seen := map[string]bool{}
	agencies := map[core.AgencyID]map[string]int64{}
	for _, g := range byAgency {
		seen[g.keys[1]] = true
		id := agencyKey(g.keys[0])
		if agencies[id] == nil {
			agencies[id] = map[string]int64{}
		}
		agencies[id][g.keys[1]] += g.n
	}
	needs := map[string]map[string]int64{}
	for _, g := range byNeed {
		seen[g.keys[1]] = true
		if needs[g.keys[0]] == nil {
			needs[g.keys[0]] = map[string]int64{}
		}
		needs[g.keys[0]][g.keys[1]] += g.n
	}
	order := outcomeOrder(seen)
	r := Report{Chart: ChartBar, Unit: "referrals", Sections: true,
		Columns: []string{"Section", "Agency or need"}, TextColumns: []string{"Agency or need"}}
	for _, o := range order {
		r.Columns = append(r.Columns, outcomeLabel(o))
	}
	r.Columns = append(r.Columns, "Total", "Help given (%)")
	row := func(section, label string, counts map[string]int64) []Cell {
		cells := []Cell{textCell(section), textCell(label)}
		var total int64
		for _, o := range order {
			cells = append(cells, q.count(counts[o]))
			total += counts[o]
		}
		return append(cells, q.count(total), q.share(counts[string(core.OutcomeHelpGiven)], total))
	}
	all := map[string]int64{}
	for _, id := range sortedAgencies(q, agencies) {
		r.Rows = append(r.Rows, row("By agency", q.agencyName(id), agencies[id]))
		for o, n := range agencies[id] {
			all[o] += n
		}
	}
	r.Rows = append(r.Rows, row("By agency", "All agencies", all))
	for _, n := range core.Needs {
		if c, ok := needs[string(n)]; ok {
			r.Rows = append(r.Rows, row("By need", n.Label(), c))
		}
	}
	s := Series{Name: "Referrals"}
	for _, o := range order {
		s.Points = append(s.Points, q.countPoint(outcomeLabel(o), all[o]))
	}
	r.Series = []Series{s}
	r.Notes = append(r.Notes, "Referrals count under the agency they were sent to, by the day they were made; a referral asking for two needs counts under both needs.")
	return r, nil
}

// pounds turns pence into pounds.
func pounds(pence int64) float64 { return float64(pence) / 100 }

// gainsReport sums the financial gains recorded at closure: in total, per
// client with a gain, by agency, by need and by month.
func gainsReport(ctx context.Context, q *reportQuery) (Report, error) {
	byAgency, err := q.closures(ctx, false, false, "to_agency")
	if err != nil {
		return Report{}, err
	}
	byNeed, err := q.closures(ctx, true, false, "need")
	if err != nil {
		return Report{}, err
	}
	byMonth, err := q.closures(ctx, false, false, "to_char(day, 'YYYY-MM')")
	if err != nil {
		return Report{}, err
	}
	r := Report{Chart: ChartBar, Unit: "pounds", Sections: true,
		Columns: []string{"Section", "Agency, need or month", "Clients with a gain", "Weekly income gained (£)",
			"One-off income gained (£)", "Debt written off (£)", "Total financial gain (£)", "Gain per client (£)", "Debt managed (£)"},
		TextColumns: []string{"Agency, need or month"}}
	row := func(section, label string, g gains) []Cell {
		per := 0.0
		if g.gained > 0 {
			per = pounds(g.total()) / float64(g.gained)
		}
		return []Cell{textCell(section), textCell(label), q.count(g.gained),
			q.figure(pounds(g.weekly), g.gained, 2), q.figure(pounds(g.oneOff), g.gained, 2),
			q.figure(pounds(g.writtenOff), g.gained, 2), q.figure(pounds(g.total()), g.gained, 2),
			q.figure(per, g.gained, 2), q.figure(pounds(g.managed), g.gained, 2)}
	}
	agencies := map[core.AgencyID]gains{}
	for _, g := range byAgency {
		id := agencyKey(g.keys[0])
		a := agencies[id]
		a.add(g.gains)
		agencies[id] = a
	}
	var all gains
	s := Series{Name: "Total financial gain (£)"}
	for _, id := range sortedAgencies(q, agencies) {
		g := agencies[id]
		if g.gained == 0 {
			continue
		}
		all.add(g)
		r.Rows = append(r.Rows, row("By agency", q.agencyName(id), g))
		s.Points = append(s.Points, q.figurePoint(q.agencyName(id), pounds(g.total()), g.gained))
	}
	r.Rows = append(r.Rows, row("By agency", "All agencies", all))
	needs := map[string]gains{}
	for _, g := range byNeed {
		needs[g.keys[0]] = g.gains
	}
	for _, n := range core.Needs {
		if g, ok := needs[string(n)]; ok && g.gained > 0 {
			r.Rows = append(r.Rows, row("By need", n.Label(), g))
		}
	}
	slices.SortFunc(byMonth, func(a, b closureGroup) int { return strings.Compare(a.keys[0], b.keys[0]) })
	for _, g := range byMonth {
		if g.gained == 0 {
			continue
		}
		m, err := time.Parse("2006-01", g.keys[0])
		if err != nil {
			return Report{}, fmt.Errorf("month %q: %w", g.keys[0], err)
		}
		r.Rows = append(r.Rows, row("By month", m.Format("Jan 2006"), g.gains))
	}
	r.Series = []Series{s}
	r.Notes = append(r.Notes, "Total financial gain is a year (52 weeks) of weekly income gained, plus one-off income, plus debt written off. Debt managed is shown apart: the client still owes it. Gains count by the day the referral was made.")
	return r, nil
}

// advice type labels, as the Scottish National Standards name them.
var adviceTypeLabels = map[string]string{
	"type-1": "Type I: information and signposting",
	"type-2": "Type II: casework",
	"type-3": "Type III: advocacy and representation",
	"":       "Not recorded",
}

// adviceTopicLabel names an advice topic slug ("debt-management" →
// "Debt management").
func adviceTopicLabel(t string) string {
	if t == "" {
		return "Not recorded"
	}
	s := strings.ReplaceAll(t, "-", " ")
	return strings.ToUpper(s[:1]) + s[1:]
}
