package report

import (
	"context"
	"slices"
	"strings"

	"github.com/onward-network/onward/core"
)

// statusLabels name statuses in reports.
var statusLabels = map[core.Status]string{
	core.StatusRequested:  "Requested (not yet acknowledged)",
	core.StatusAccepted:   "Accepted",
	core.StatusInProgress: "In progress (client contacted)",
	core.StatusOnHold:     "On hold (waiting list)",
	core.StatusCompleted:  "Completed",
	core.StatusRejected:   "Rejected",
	core.StatusFailed:     "Failed (e.g. client not reached)",
	core.StatusCancelled:  "Cancelled",
}

// redirectedLabel is the outcomes report's row of the legs redirected to
// another agency: rejected ones in core's vocabulary (with the reason
// "redirected"), shown apart from those the agency turned down.
const redirectedLabel = "Redirected to another agency"

// outcomesReport counts referral legs by their status now, a redirect
// apart from a rejection: to a client, and to a funder, a referral passed
// on to the right agency is not one turned down.
func outcomesReport(ctx context.Context, q *reportQuery) (Report, error) {
	var parts []sharePart
	for _, s := range core.Statuses {
		p := sharePart{label: statusLabels[s], column: statusColumn(s)}
		if s == core.StatusRejected {
			p.label, p.minus = "Rejected (turned down)", reasonColumn(core.ReasonRedirected)
			parts = append(parts, p, sharePart{label: redirectedLabel, column: reasonColumn(core.ReasonRedirected)})
			continue
		}
		parts = append(parts, p)
	}
	return shareReport(ctx, q, parts, "Status", "Referrals", "Share (%)")
}

// rejectionReasons are the reasons in the order reports list them.
var rejectionReasons = []core.Reason{core.ReasonNotEligible, core.ReasonNoCapacity, core.ReasonDuplicate, core.ReasonInappropriate,
	core.ReasonClientDeclined, core.ReasonRedirected, core.ReasonOther}

// rejectionsReport counts rejected referral legs by coded reason
// (redirected legs are rejected with the reason "redirected").
func rejectionsReport(ctx context.Context, q *reportQuery) (Report, error) {
	parts := make([]sharePart, len(rejectionReasons))
	for i, rs := range rejectionReasons {
		parts[i] = sharePart{label: rs.Label(), column: reasonColumn(rs)}
	}
	return shareReport(ctx, q, parts, "Reason", "Rejected referrals", "Share of rejections (%)")
}

// sharePart is one row of a shareReport: its label and rollup column,
// less another column's count when minus is set.
type sharePart struct{ label, column, minus string }

// shareReport is a bar chart and a table of counts from rollup columns,
// each with its share of the total, and the total last.
func shareReport(ctx context.Context, q *reportQuery, parts []sharePart, what, count, share string) (Report, error) {
	var cols []string
	for _, p := range parts {
		for _, c := range []string{p.column, p.minus} {
			if c != "" && !slices.Contains(cols, c) {
				cols = append(cols, c)
			}
		}
	}
	sums, err := q.totals(ctx, cols)
	if err != nil {
		return Report{}, err
	}
	counts := make([]int64, len(parts))
	for i, p := range parts {
		counts[i] = sums[slices.Index(cols, p.column)]
		if p.minus != "" {
			counts[i] -= sums[slices.Index(cols, p.minus)]
		}
	}
	var total int64
	for _, c := range counts {
		total += c
	}
	r := Report{Chart: ChartBar, Unit: "referrals", Columns: []string{what, count, share}}
	s := Series{Name: count}
	cells := make([]Cell, len(parts))
	for i := range parts {
		cells[i] = q.count(counts[i])
	}
	all := q.count(total)
	q.adds(all, cells...)
	for i, p := range parts {
		r.Rows = append(r.Rows, []Cell{textCell(p.label), cells[i], q.share(cells[i], all)})
		s.Points = append(s.Points, point(p.label, cells[i]))
	}
	r.Rows = append(r.Rows, []Cell{textCell("Total"), all, emptyCell()})
	r.Series = []Series{s}
	return r, nil
}

// totals sums rollup columns over the filter.
func (q *reportQuery) totals(ctx context.Context, cols []string) ([]int64, error) {
	sub, args := q.facts(mainRollup, strings.Join(cols, ", "), q.f.From, q.f.To)
	out := make([]int64, len(cols))
	ptrs := make([]any, len(cols))
	for i := range out {
		ptrs[i] = &out[i]
	}
	sumCols := make([]string, len(cols))
	for i, c := range cols {
		sumCols[i] = "coalesce(sum(" + c + "), 0)::bigint"
	}
	if err := q.db.QueryRow(ctx, `SELECT `+strings.Join(sumCols, ", ")+` FROM `+sub+` f`, args...).Scan(ptrs...); err != nil {
		return nil, err
	}
	return out, nil
}
