package report

import (
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/onward-network/onward/core"
)

// Referrals sent back: an agency that turns a referral down as not
// eligible or inappropriate says why, and those rejections count against
// whoever referred it (see referrer.go), so referrers learn what each
// service takes: an agency for the referrals it made, and apart from
// those for the referrals it redirected on; a leg Onward re-routed after
// an agency turned a self-referral down counts as Onward's, never against
// the agency that turned the client down. The report is for the
// referring agency and the coordinators: an agency's staff see only what
// their own agency referred (their reports are scoped to it), and the
// feedback text never leaves the network.

type sentBack struct{ sent, notEligible, inappropriate int64 }

// sentBackReport counts, per referrer, the referral legs it referred and how
// many were turned down as not eligible or inappropriate, and lists the
// feedback given with each.
func sentBackReport(ctx context.Context, q *reportQuery) (Report, error) {
	sub, args := q.facts(mainRollup, "from_agency, leg_kind, source, n, rs_not_eligible, rs_inappropriate", q.f.From, q.f.To)
	where := ""
	if q.f.Agency != 0 {
		args = append(args, int64(q.f.Agency))
		where = fmt.Sprintf(" WHERE from_agency = $%d", len(args))
	}
	rows, _ := q.db.Query(ctx, `SELECT from_agency, leg_kind, source, `+
		sums("n", "rs_not_eligible", "rs_inappropriate")+` FROM `+sub+` f`+where+` GROUP BY 1, 2, 3`, args...)
	counts := map[referrerKey]*sentBack{}
	var agency core.AgencyID
	var leg legKind
	var source core.Source
	var b sentBack
	if _, err := pgx.ForEachRow(rows, []any{&agency, &leg, &source, &b.sent, &b.notEligible, &b.inappropriate}, func() error {
		k := referrerOf(agency, leg, source)
		if counts[k] == nil {
			counts[k] = &sentBack{}
		}
		c := counts[k]
		c.sent, c.notEligible, c.inappropriate = c.sent+b.sent, c.notEligible+b.notEligible, c.inappropriate+b.inappropriate
		return nil
	}); err != nil {
		return Report{}, err
	}
	keys := make([]referrerKey, 0, len(counts))
	for k := range counts {
		keys = append(keys, k)
	}
	slices.SortFunc(keys, func(a, b referrerKey) int { return q.referrerLess(a, b, false) })
	r := Report{Chart: ChartBar, Unit: "referrals", Columns: []string{"Referrer", "Referrals sent", "Not eligible",
		"Inappropriate", "Sent back", "Sent back (%)"}}
	ne, in := Series{Name: "Not eligible"}, Series{Name: "Inappropriate"}
	var all sentBack
	row := func(label string, b sentBack) []Cell {
		sent, ne, in, back := q.count(b.sent), q.count(b.notEligible), q.count(b.inappropriate), q.count(b.notEligible+b.inappropriate)
		q.adds(back, ne, in)
		return []Cell{textCell(label), sent, ne, in, back, q.share(back, sent)}
	}
	for _, k := range keys {
		b := *counts[k]
		all.sent += b.sent
		all.notEligible += b.notEligible
		all.inappropriate += b.inappropriate
		name := q.referrerName(k)
		cells := row(name, b)
		r.Rows = append(r.Rows, cells)
		ne.Points = append(ne.Points, point(name, cells[2]))
		in.Points = append(in.Points, point(name, cells[3]))
	}
	total := row("All referrers", all)
	q.addsDown(total, r.Rows...)
	r.Rows = append(r.Rows, total)
	r.Series = []Series{ne, in}
	if q.suppress {
		r.Notes = append(r.Notes, "The feedback given with each referral sent back is shown only inside the network, to the referring agency and the coordinators.")
		return r, nil
	}
	listing, err := q.sentBackFeedback(ctx)
	if err != nil {
		return Report{}, err
	}
	r.Listing = listing
	return r, nil
}

// sentBackLimit is how many of the latest referrals sent back the
// listing shows.
const sentBackLimit = 200

// sqlSentBackFeedback reads the referral legs made in [$1, $2) turned
// down as not eligible or inappropriate, newest first, with who referred
// them (see referrer.go), as far as the rollups have counted them
// (sqlRolledUp), so the listing never shows more than the totals above
// it. A partial index (migration 022) holds exactly these legs.
var sqlSentBackFeedback = `
SELECT r.created_at, coalesce(` + sqlLegReferrer + `, 0), ` + sqlLegKind + `, r.source, coalesce(r.to_agency_id, 0), r.reason, r.feedback
FROM referrals r LEFT JOIN referrals p ON p.id = r.parent_id
WHERE r.reason IN ('not-eligible', 'inappropriate') AND r.created_at >= $1 AND r.created_at < $2
  AND ($3::bigint = 0 OR ` + sqlLegReferredBy(3) + `)
  AND ($4::text = '' OR $4 = ANY(r.needs)) AND ` + sqlRolledUp + `
ORDER BY r.created_at DESC, r.id DESC LIMIT $5`

// sentBackFeedback lists the feedback on the referrals sent back.
func (q *reportQuery) sentBackFeedback(ctx context.Context) (*Listing, error) {
	lo, hi := q.span()
	rows, _ := q.db.Query(ctx, sqlSentBackFeedback, lo, hi, int64(q.f.Agency), string(q.f.Need), sentBackLimit)
	l := &Listing{Name: "feedback", Title: "Feedback on referrals sent back", Columns: []string{"Day", "Referrer", "Sent to", "Reason", "Feedback"}}
	var at time.Time
	var from, to core.AgencyID
	var leg legKind
	var source core.Source
	var reason core.Reason
	var feedback string
	if _, err := pgx.ForEachRow(rows, []any{&at, &from, &leg, &source, &to, &reason, &feedback}, func() error {
		l.Rows = append(l.Rows, []string{at.In(q.loc).Format("2 Jan 2006"), q.referrerName(referrerOf(from, leg, source)),
			q.agencyName(to), reason.Label(), feedback})
		return nil
	}); err != nil {
		return nil, fmt.Errorf("read feedback on referrals sent back: %w", err)
	}
	if len(l.Rows) == sentBackLimit {
		l.Title += fmt.Sprintf(" (the latest %d)", sentBackLimit)
	}
	return l, nil
}
