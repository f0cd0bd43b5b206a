package report

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/onward-network/onward/core"
)

// What changed for the client: how referrals ended, financial gains and
// the advice given. Completed legs are read from report_closure (migration
// 022), by outcome, advice and gains; legs that ended otherwise from
// report_daily's status counts (see endings); clients with a gain from
// the referrals themselves (see gainClients).

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
	where, args := q.closureWhere(byNeed, received, args)
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

// closureWhere is the WHERE clause, if any, of a query over rollup facts
// grouped by need (byNeed: the rows of each need, not of all needs) or
// only of legs sent to the filter's agency (received), and its arguments.
func (q *reportQuery) closureWhere(byNeed, received bool, args []any) (string, []any) {
	var where []string
	if byNeed {
		where = append(where, "need <> ''")
	}
	if received && q.f.Agency != 0 {
		args = append(args, int64(q.f.Agency))
		where = append(where, fmt.Sprintf("to_agency = $%d", len(args)))
	}
	if len(where) == 0 {
		return "", args
	}
	return " WHERE " + strings.Join(where, " AND "), args
}

// How a referral leg ended. A leg reaches its end by being completed,
// with the outcome its agency recorded (or none); by the client not being
// reached (failed: "Could not contact" in Slack and the staff web, which
// records no outcome); by being turned down (rejected: a self-referral
// then goes back to triage as a new leg); by being redirected on to
// another agency (a new leg too); or by being cancelled. A client who
// declined, or was not eligible, ended that way whether the agency said so
// turning the referral down or completing it, so a rejection with one of
// those reasons counts under that outcome (rejectionEndings), and turned
// down counts the other rejections. Reports of what
// became of clients count every leg that ended, so that a rate such as
// help given is out of all of them, not only the completed ones. Endings
// that are not outcomes are keyed "status:…", which no outcome can be.
const (
	endTurnedDown = "status:turned-down"
	endRedirected = "status:redirected"
	endCancelled  = "status:cancelled"
)

// rejectionEndings are the rejection reasons that are also outcomes, and
// the outcome each counts under: the one definition of what "Client
// declined" and "Not eligible" count in the reports of how referrals
// ended.
var rejectionEndings = []struct {
	reason  core.Reason
	outcome core.Outcome
}{{core.ReasonClientDeclined, core.OutcomeClientDeclined}, {core.ReasonNotEligible, core.OutcomeNotEligible}}

// endingLabel names an ending in reports.
func endingLabel(e string) string {
	switch e {
	case endTurnedDown:
		return "Turned down"
	case endRedirected:
		return "Redirected"
	case endCancelled:
		return "Cancelled"
	}
	return outcomeLabel(e)
}

// endingOrder is the endings a report shows: the outcomes (see
// outcomeOrder), then turned down, redirected and cancelled.
func endingOrder(seen map[string]bool) []string {
	outcomes := map[string]bool{}
	for e := range seen {
		if !strings.HasPrefix(e, "status:") {
			outcomes[e] = true
		}
	}
	return append(outcomeOrder(outcomes), endTurnedDown, endRedirected, endCancelled)
}

// endings counts the legs that reached an end, by key (a column of both
// report_closure and report_daily: "to_agency" or "need", as text) and
// then by ending. A failed leg counts as could not contact, with the legs
// completed with that outcome. byNeed and received are as for closures.
func (q *reportQuery) endings(ctx context.Context, byNeed, received bool, key string) (map[string]map[string]int64, error) {
	out := map[string]map[string]int64{}
	add := func(k, ending string, n int64) {
		if n == 0 {
			return
		}
		if out[k] == nil {
			out[k] = map[string]int64{}
		}
		out[k][ending] += n
	}
	completed, err := q.closures(ctx, byNeed, received, key, "outcome")
	if err != nil {
		return nil, err
	}
	for _, g := range completed {
		add(g.keys[0], g.keys[1], g.n)
	}
	src := mainRollup
	src.byNeed = byNeed
	cols := []string{"need", "to_agency", "st_failed", "st_rejected", "rs_redirected", "st_cancelled"}
	turnedDown := "st_rejected - rs_redirected"
	var asOutcomes []string
	for _, e := range rejectionEndings {
		cols = append(cols, reasonColumn(e.reason))
		turnedDown += " - " + reasonColumn(e.reason)
		asOutcomes = append(asOutcomes, reasonColumn(e.reason))
	}
	sub, args := q.facts(src, strings.Join(cols, ", "), q.f.From, q.f.To)
	where, args := q.closureWhere(byNeed, received, args)
	rows, _ := q.db.Query(ctx, `SELECT (`+key+`)::text, `+sums(append([]string{"st_failed", turnedDown, "rs_redirected", "st_cancelled"}, asOutcomes...)...)+
		` FROM `+sub+` f`+where+` GROUP BY 1`, args...)
	var k string
	var failed, down, redirected, cancelled int64
	reasons := make([]int64, len(rejectionEndings))
	dst := []any{&k, &failed, &down, &redirected, &cancelled}
	for i := range reasons {
		dst = append(dst, &reasons[i])
	}
	if _, err := pgx.ForEachRow(rows, dst, func() error {
		add(k, string(core.OutcomeCouldNotContact), failed)
		add(k, endTurnedDown, down)
		add(k, endRedirected, redirected)
		add(k, endCancelled, cancelled)
		for i, e := range rejectionEndings {
			add(k, string(e.outcome), reasons[i])
		}
		return nil
	}); err != nil {
		return nil, fmt.Errorf("count referrals that ended: %w", err)
	}
	return out, nil
}

// endingsNote says what the endings that are both an outcome and a
// rejection reason count, and what turned down leaves out.
const endingsNote = "Client declined and Not eligible count the referrals completed with that outcome and those turned down for that reason alike; Turned down counts the other rejections (no capacity, duplicate, not the right service, other)."

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

// outcomesByAgencyReport counts the referral legs that reached an end by
// how they ended, per receiving agency (the triage queue for legs
// cancelled before any agency had them) and per need: what became of the
// clients each agency saw. Help given is a share of all of them.
func outcomesByAgencyReport(ctx context.Context, q *reportQuery) (Report, error) {
	byAgency, err := q.endings(ctx, false, false, "to_agency")
	if err != nil {
		return Report{}, err
	}
	byNeed, err := q.endings(ctx, true, false, "need")
	if err != nil {
		return Report{}, err
	}
	seen := map[string]bool{}
	agencies := map[core.AgencyID]map[string]int64{}
	for k, counts := range byAgency {
		agencies[agencyKey(k)] = counts
		for e := range counts {
			seen[e] = true
		}
	}
	for _, counts := range byNeed {
		for e := range counts {
			seen[e] = true
		}
	}
	order := endingOrder(seen)
	r := Report{Chart: ChartBar, Unit: "referrals", Sections: true,
		Columns: []string{"Section", "Agency or need"}, TextColumns: []string{"Agency or need"}}
	for _, e := range order {
		r.Columns = append(r.Columns, endingLabel(e))
	}
	r.Columns = append(r.Columns, "Total", "Help given (%)")
	row := func(section, label string, counts map[string]int64) []Cell {
		cells := []Cell{textCell(section), textCell(label)}
		var total int64
		var helped Cell
		for _, e := range order {
			c := q.count(counts[e])
			if e == string(core.OutcomeHelpGiven) {
				helped = c
			}
			cells = append(cells, c)
			total += counts[e]
		}
		t := q.count(total)
		q.adds(t, cells[2:]...)
		return append(cells, t, q.share(helped, t))
	}
	all := map[string]int64{}
	var agencyRows [][]Cell
	for _, id := range sortedAgencies(q, agencies) {
		agencyRows = append(agencyRows, row("By agency", q.agencyName(id), agencies[id]))
		for e, n := range agencies[id] {
			all[e] += n
		}
	}
	total := row("By agency", "All agencies", all)
	q.addsDown(total, agencyRows...)
	r.Rows = append(agencyRows, total)
	for _, n := range core.Needs {
		if c, ok := byNeed[string(n)]; ok {
			r.Rows = append(r.Rows, row("By need", n.Label(), c))
		}
	}
	s := Series{Name: "Referrals"}
	for i, e := range order {
		s.Points = append(s.Points, point(endingLabel(e), total[2+i]))
	}
	r.Series = []Series{s}
	r.Notes = append(r.Notes, "Every referral that reached an end counts once, under the agency it was sent to, by the day it was made: completed (by the outcome recorded), could not contact (with those completed with that outcome), turned down (a self-referral then goes back to triage as a new referral), redirected to another agency (which counts the new referral itself) or cancelled. "+endingsNote+" Help given (%) is out of all of them. A referral asking for two needs counts under both needs.")
	return r, nil
}

// pounds turns pence into pounds.
func pounds(pence int64) float64 { return float64(pence) / 100 }

// clientsGained counts clients with a gain: those with one the total
// counts (income or debt written off), those with debt managed, and those
// with any.
type clientsGained struct{ counted, managed, any int64 }

// clientsWithGains is clientsGained per receiving agency, need and month
// ("2026-03"), and in all.
type clientsWithGains struct {
	byAgency        map[core.AgencyID]clientsGained
	byNeed, byMonth map[string]clientsGained
	all             clientsGained
}

// sqlGainClients counts distinct clients among the referral legs made in
// [$1, $2) and completed with a gain, in each grouping set: per receiving
// agency (grouping 3), need (5), month of the day made in time zone $3
// (6) and in all (7). Legs count when sent to or referred by agency $4
// (0: any; see referrer.go) and asking for need $5 (empty: any; a leg
// counts under each of its needs). A client helped twice, or by two agencies, is one client: so the
// counts are not sums of the rollups', and are read here, of the legs the
// rollups have counted (sqlRolledUp), so the clients agree with the sums.
var sqlGainClients = `
SELECT grouping(agency, need, month), coalesce(agency, 0), coalesce(need, ''), coalesce(month, ''),
    count(DISTINCT client_id) FILTER (WHERE counted), count(DISTINCT client_id) FILTER (WHERE managed),
    count(DISTINCT client_id)
FROM (
    SELECT r.client_id, coalesce(r.to_agency_id, 0) AS agency, need,
        to_char(r.created_at AT TIME ZONE $3, 'YYYY-MM') AS month,
        coalesce(greatest(r.gain_weekly_income_pence, r.gain_one_off_income_pence, r.gain_debt_written_off_pence) > 0, false) AS counted,
        coalesce(r.gain_debt_managed_pence > 0, false) AS managed
    FROM referrals r LEFT JOIN referrals p ON p.id = r.parent_id, unnest(r.needs) AS need
    WHERE r.status = 'completed' AND r.created_at >= $1 AND r.created_at < $2
      AND greatest(r.gain_weekly_income_pence, r.gain_one_off_income_pence, r.gain_debt_written_off_pence, r.gain_debt_managed_pence) > 0
      AND ($4::bigint = 0 OR r.to_agency_id = $4 OR ` + sqlLegReferredBy(4) + `)
      AND ($5::text = '' OR need = $5) AND ` + sqlRolledUp + `
) g
GROUP BY GROUPING SETS ((agency), (need), (month), ())`

// gainClients counts the clients with a gain under the filter.
func (q *reportQuery) gainClients(ctx context.Context) (clientsWithGains, error) {
	out := clientsWithGains{byAgency: map[core.AgencyID]clientsGained{}, byNeed: map[string]clientsGained{}, byMonth: map[string]clientsGained{}}
	lo, hi := q.span()
	rows, _ := q.db.Query(ctx, sqlGainClients, lo, hi, q.loc.String(), int64(q.f.Agency), string(q.f.Need))
	var set int
	var agency core.AgencyID
	var need, month string
	var c clientsGained
	if _, err := pgx.ForEachRow(rows, []any{&set, &agency, &need, &month, &c.counted, &c.managed, &c.any}, func() error {
		switch set {
		case 3:
			out.byAgency[agency] = c
		case 5:
			out.byNeed[need] = c
		case 6:
			out.byMonth[month] = c
		case 7:
			out.all = c
		}
		return nil
	}); err != nil {
		return clientsWithGains{}, fmt.Errorf("count clients with a gain: %w", err)
	}
	return out, nil
}

// gainsReport sums the financial gains recorded at completion: in total,
// per client with a gain, by agency, by need and by month.
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
	// Distinct clients are counted from the referrals themselves, which
	// costs a read of the period's referrals: only when the rollup says
	// some of them recorded a gain.
	var recorded int64
	for _, g := range byAgency {
		recorded += g.gained
	}
	clients := clientsWithGains{byAgency: map[core.AgencyID]clientsGained{}}
	if recorded > 0 {
		if clients, err = q.gainClients(ctx); err != nil {
			return Report{}, err
		}
	}
	r := Report{Chart: ChartBar, Unit: "pounds", Sections: true,
		Columns: []string{"Section", "Agency, need or month", "Clients with a gain", "Clients with a financial gain", "Weekly income gained (£)",
			"One-off income gained (£)", "Debt written off (£)", "Total financial gain (£)", "Financial gain per client (£)", "Debt managed (£)"},
		TextColumns: []string{"Agency, need or month"}}
	// A sum stands on the clients whose gains it adds up (none: it is
	// £0); the gain per client would give their number back.
	money := func(pence, clients int64) Cell {
		if clients == 0 {
			return numberCell(0, 2)
		}
		return q.figure(pounds(pence), clients, 2)
	}
	// Clients with a gain are those with any gain the columns sum, debt
	// managed included; clients with a financial gain, those the total
	// counts (income or debt written off), whom the gain per client is
	// over.
	row := func(section, label string, g gains, c clientsGained) []Cell {
		n := q.count(c.counted)
		per := emptyCell()
		if c.counted > 0 {
			per = q.figure(pounds(g.total())/float64(c.counted), c.counted, 2, n)
		}
		return []Cell{textCell(section), textCell(label), q.count(c.any), n, money(g.weekly, c.counted), money(g.oneOff, c.counted),
			money(g.writtenOff, c.counted), money(g.total(), c.counted), per, money(g.managed, c.managed)}
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
		all.add(g)
		if clients.byAgency[id].any == 0 {
			continue
		}
		cells := row("By agency", q.agencyName(id), g, clients.byAgency[id])
		r.Rows = append(r.Rows, cells)
		s.Points = append(s.Points, point(q.agencyName(id), cells[7]))
	}
	r.Rows = append(r.Rows, row("By agency", "All agencies", all, clients.all))
	needs := map[string]gains{}
	for _, g := range byNeed {
		needs[g.keys[0]] = g.gains
	}
	for _, n := range core.Needs {
		if c := clients.byNeed[string(n)]; c.any > 0 {
			r.Rows = append(r.Rows, row("By need", n.Label(), needs[string(n)], c))
		}
	}
	slices.SortFunc(byMonth, func(a, b closureGroup) int { return strings.Compare(a.keys[0], b.keys[0]) })
	for _, g := range byMonth {
		c := clients.byMonth[g.keys[0]]
		if c.any == 0 {
			continue
		}
		m, err := time.Parse("2006-01", g.keys[0])
		if err != nil {
			return Report{}, fmt.Errorf("month %q: %w", g.keys[0], err)
		}
		r.Rows = append(r.Rows, row("By month", m.Format("Jan 2006"), g.gains, c))
	}
	r.Series = []Series{s}
	r.Notes = append(r.Notes, "Total financial gain is a year (52 weeks) of weekly income gained, plus one-off income, plus debt written off. Debt managed is shown apart: the client still owes it. Clients with a gain are the clients with any gain in this table, debt managed included; clients with a financial gain are those with a gain the total counts (income or debt written off), and financial gain per client is the total over them. Each client counts once however many referrals brought them a gain. Gains count by the day the referral was made.")
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
