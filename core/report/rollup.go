package report

import (
	"fmt"
	"slices"
	"strings"

	"github.com/onward-network/onward/core"
)

// The rollups (migration 006) hold, per created day and combination of
// dimensions, counters summed over referrals. This file is the one place
// that says how each counter is computed from a referral, so the refresher
// and the tests agree on it.

// rollupKeys are the dimensions of report_daily and report_monthly.
// from_agency and leg_kind say who referred a leg (see referrer.go and
// sqlRollupLegs): leg_kind is legRedirected or legRerouted for the legs
// Onward made on a redirect or a rejection, legMade for the rest. source
// is always the referral's own (a core.Source), whichever leg it is.
const rollupKeys = "day, need, to_agency, from_agency, source, leg_kind, leaflet, crisis"

// districtKeys are the dimensions of report_district and its monthly twin.
const districtKeys = "day, need, to_agency, from_agency, district"

// areaKeys are the dimensions of report_area and its monthly twin
// (migration 053): the SIMD decile (0 = not known) and ward code (” =
// not known) a referral kept of the client's postcode.
const areaKeys = "day, need, to_agency, from_agency, simd_decile, ward_code"

// metric is one counter column and the aggregate that fills it from the
// referral legs of sqlRollupLegs.
type metric struct{ col, agg string }

// rollupMetrics are report_daily's counters. A referral's "leg" is the
// referral row itself: a redirected referral has a second leg, its child.
var rollupMetrics = func() []metric {
	ms := []metric{
		{"n", "count(*)"},
		{"n_new", "count(*) FILTER (WHERE new_demand)"}, // new requests for help (see new_demand.go)
	}
	for _, s := range core.Statuses {
		ms = append(ms, metric{statusColumn(s), fmt.Sprintf("count(*) FILTER (WHERE status = '%s')", s)})
	}
	for _, r := range append(slices.Clone(core.Reasons), core.ReasonRedirected) {
		ms = append(ms, metric{reasonColumn(r), fmt.Sprintf("count(*) FILTER (WHERE reason = '%s')", r)})
	}
	ms = append(ms,
		metric{"acked", "count(*) FILTER (WHERE acknowledged_at IS NOT NULL)"},
		metric{"contacted", "count(*) FILTER (WHERE contacted_at IS NOT NULL)"},
		metric{"due", "count(*) FILTER (WHERE ack_due_at IS NOT NULL)"},
		metric{"ontime", "count(*) FILTER (WHERE acknowledged_at <= ack_due_at)"},
		metric{"late", "count(*) FILTER (WHERE acknowledged_at > ack_due_at)"},
		// Closed without ever being acknowledged, after the deadline had
		// passed. Open ones past their deadline are counted live.
		metric{"missed", "count(*) FILTER (WHERE acknowledged_at IS NULL AND closed_at > ack_due_at)"},
		metric{"triaged", "count(*) FILTER (WHERE triaged)"},
		metric{"assigned", "count(*) FILTER (WHERE assigned_at IS NOT NULL)"},
	)
	for s := 1; s <= 5; s++ {
		ms = append(ms, metric{fmt.Sprintf("fb%d", s), fmt.Sprintf("count(*) FILTER (WHERE feedback_score = %d)", s)})
	}
	ms = append(ms,
		metric{"rec_yes", "count(*) FILTER (WHERE feedback_recommend)"},
		metric{"rec_no", "count(*) FILTER (WHERE NOT feedback_recommend)"},
		metric{"comments", "count(*) FILTER (WHERE commented)"},
	)
	for _, h := range []string{"ack", "con", "tri"} {
		for i, c := range histogramColumns(h) {
			ms = append(ms, metric{c, fmt.Sprintf("count(*) FILTER (WHERE %s_bucket = %d)", h, i)})
		}
	}
	return ms
}()

// statusColumn is the rollup column counting a status: "st_in_progress".
func statusColumn(s core.Status) string { return "st_" + strings.ReplaceAll(string(s), "-", "_") }

// reasonColumn is the rollup column counting a reason: "rs_not_eligible".
func reasonColumn(r core.Reason) string { return "rs_" + strings.ReplaceAll(string(r), "-", "_") }

func metricColumns() string {
	cols := make([]string, len(rollupMetrics))
	for i, m := range rollupMetrics {
		cols[i] = m.col
	}
	return strings.Join(cols, ", ")
}

func metricAggregates() string {
	aggs := make([]string, len(rollupMetrics))
	for i, m := range rollupMetrics {
		aggs[i] = m.agg
	}
	return strings.Join(aggs, ",\n    ")
}

func metricSums() string {
	cols := make([]string, len(rollupMetrics))
	for i, m := range rollupMetrics {
		cols[i] = m.col
	}
	return intSums(cols)
}

// intSums is "sum(c)::int" for each column, comma-separated: a coarser
// rollup's counters summed from a finer one's.
func intSums(cols []string) string {
	sums := make([]string, len(cols))
	for i, c := range cols {
		sums[i] = "sum(" + c + ")::int"
	}
	return strings.Join(sums, ", ")
}

// sqlRollupLegs selects the referral legs created in the ranges
// [$2[i], $3[i]) with everything the counters need: the created day in the
// network's time zone ($1), who referred the leg and where it came from
// (see referrer.go: from_agency is the agency that made or redirected it,
// 0 when none did; leg_kind is legRedirected or legRerouted for a leg of a
// redirect or of Onward's re-route, else legMade; source is the referral's
// own), whether it is new demand (new_demand.go), and the histogram bucket
// of each time (legTime: the times the exact figures read too).
var sqlRollupLegs = `
SELECT (r.created_at AT TIME ZONE $1)::date AS day,
    coalesce(r.to_agency_id, 0) AS to_agency,
    coalesce(` + sqlLegReferrer + `, 0) AS from_agency,
    r.source, ` + sqlLegKind + ` AS leg_kind, r.leaflet_code AS leaflet, r.crisis, r.needs, r.postcode_district AS district,
    coalesce(r.simd_decile, 0) AS simd_decile, coalesce(r.ward_code, '') AS ward_code,
    ` + sqlNewDemand + ` AS new_demand, r.status, r.reason, r.triaged, r.feedback_score,
    r.acknowledged_at, r.contacted_at, r.closed_at, r.ack_due_at, r.assigned_at,
    r.feedback_recommend, r.feedback_comment_enc IS NOT NULL AS commented,
    r.outcome, r.advice_type, r.advice_topic, r.gain_weekly_income_pence, r.gain_one_off_income_pence,
    r.gain_debt_written_off_pence, r.gain_debt_managed_pence,
    width_bucket(` + timeAck.sql() + `, ` + histogramBoundsSQL + `) AS ack_bucket,
    width_bucket(` + timeCon.sql() + `, ` + histogramBoundsSQL + `) AS con_bucket,
    width_bucket(` + timeTri.sql() + `, ` + histogramBoundsSQL + `) AS tri_bucket
FROM unnest($2::timestamptz[], $3::timestamptz[]) AS g(lo, hi)
JOIN referrals r ON r.created_at >= g.lo AND r.created_at < g.hi
LEFT JOIN referrals p ON p.id = r.parent_id`

// closureKeys are the dimensions of report_closure and its monthly twin.
const closureKeys = "day, need, to_agency, from_agency, outcome, advice_type, advice_topic"

// closureMetrics are report_closure's counters: legs, legs with any gain
// recorded, and the gains summed in pence. (Clients with a gain are
// counted apart: see gainClients.)
const closureMetrics = "n, gained, weekly_pence, one_off_pence, written_off_pence, managed_pence"

// sqlRollupInsert aggregates the legs into report_daily, report_district,
// report_area and report_closure in one statement: each leg counts under need ” and
// under each of its needs. report_closure holds the completed legs, by
// outcome (” when none was recorded): only completing records an outcome
// or a gain, and legs that ended otherwise — could not contact, turned
// down, cancelled — are counted by status in report_daily (see endings),
// so none is counted twice.
var sqlRollupInsert = `
WITH legs AS (` + sqlRollupLegs + `),
expanded AS (
    SELECT legs.*, need FROM legs CROSS JOIN LATERAL unnest(ARRAY['']::text[] || legs.needs) AS need
),
district AS (
    INSERT INTO report_district (` + districtKeys + `, n, n_new)
    SELECT ` + districtKeys + `, count(*), count(*) FILTER (WHERE new_demand)
    FROM expanded GROUP BY ` + districtKeys + `
),
area AS (
    INSERT INTO report_area (` + areaKeys + `, n, n_new)
    SELECT ` + areaKeys + `, count(*), count(*) FILTER (WHERE new_demand)
    FROM expanded GROUP BY ` + areaKeys + `
),
closure AS (
    INSERT INTO report_closure (` + closureKeys + `, ` + closureMetrics + `)
    SELECT day, need, to_agency, from_agency, coalesce(outcome, ''), coalesce(advice_type, ''), coalesce(advice_topic, ''),
        count(*),
        count(*) FILTER (WHERE greatest(gain_weekly_income_pence, gain_one_off_income_pence,
            gain_debt_written_off_pence, gain_debt_managed_pence) > 0),
        coalesce(sum(gain_weekly_income_pence), 0), coalesce(sum(gain_one_off_income_pence), 0),
        coalesce(sum(gain_debt_written_off_pence), 0), coalesce(sum(gain_debt_managed_pence), 0)
    FROM expanded WHERE status = 'completed'
    GROUP BY 1, 2, 3, 4, 5, 6, 7
)
INSERT INTO report_daily (` + rollupKeys + `, ` + metricColumns() + `)
SELECT ` + rollupKeys + `,
    ` + metricAggregates() + `
FROM expanded GROUP BY ` + rollupKeys

// agencyKeys are the dimensions of report_agency and its monthly twin.
const agencyKeys = "day, need, to_agency, from_agency"

// agencyMetrics are report_agency's counters (migration 027): those of
// report_daily that the reports grouped by receiving agency read — legs,
// acknowledgement and contact with their time histograms, deadlines, and
// clients' feedback — summed over the dimensions those reports never
// group by (source, leg_kind, leaflet, crisis), so they read several
// times fewer rows.
var agencyMetrics = slices.Concat([]string{"n", "acked", "contacted", "due", "ontime", "late", "missed",
	"fb1", "fb2", "fb3", "fb4", "fb5", "rec_yes", "rec_no", "comments"},
	histogramColumns("ack"), histogramColumns("con"))

// sqlRollupAgencyDays sums the daily rows of the days in the ranges
// [$1[i], $2[i]) into report_agency (whose rows for those days must
// already be gone).
var sqlRollupAgencyDays = `
INSERT INTO report_agency (` + agencyKeys + `, ` + strings.Join(agencyMetrics, ", ") + `)
SELECT ` + agencyKeys + `, ` + intSums(agencyMetrics) + `
FROM unnest($1::date[], $2::date[]) AS g(lo, hi)
JOIN report_daily ON day >= g.lo AND day < g.hi
GROUP BY ` + agencyKeys

// sqlRollupMonths re-sums the daily rows of the months in [$1, $2) into
// the monthly tables.
var sqlRollupMonths = `
WITH district AS (
    INSERT INTO report_district_monthly (` + districtKeys + `, n, n_new)
    SELECT date_trunc('month', day)::date, need, to_agency, from_agency, district, sum(n)::int, sum(n_new)::int
    FROM report_district WHERE day >= $1 AND day < $2
    GROUP BY 1, 2, 3, 4, 5
),
area AS (
    INSERT INTO report_area_monthly (` + areaKeys + `, n, n_new)
    SELECT date_trunc('month', day)::date, need, to_agency, from_agency, simd_decile, ward_code, sum(n)::int, sum(n_new)::int
    FROM report_area WHERE day >= $1 AND day < $2
    GROUP BY 1, 2, 3, 4, 5, 6
),
closure AS (
    INSERT INTO report_closure_monthly (` + closureKeys + `, ` + closureMetrics + `)
    SELECT date_trunc('month', day)::date, need, to_agency, from_agency, outcome, advice_type, advice_topic,
        sum(n)::int, sum(gained)::int, sum(weekly_pence)::bigint, sum(one_off_pence)::bigint,
        sum(written_off_pence)::bigint, sum(managed_pence)::bigint
    FROM report_closure WHERE day >= $1 AND day < $2
    GROUP BY 1, 2, 3, 4, 5, 6, 7
),
agency AS (
    INSERT INTO report_agency_monthly (` + agencyKeys + `, ` + strings.Join(agencyMetrics, ", ") + `)
    SELECT date_trunc('month', day)::date, need, to_agency, from_agency, ` + intSums(agencyMetrics) + `
    FROM report_agency WHERE day >= $1 AND day < $2
    GROUP BY 1, 2, 3, 4
)
INSERT INTO report_monthly (` + rollupKeys + `, ` + metricColumns() + `)
SELECT date_trunc('month', day)::date, need, to_agency, from_agency, source, leg_kind, leaflet, crisis, ` + metricSums() + `
FROM report_daily WHERE day >= $1 AND day < $2
GROUP BY 1, 2, 3, 4, 5, 6, 7, 8`

// sqlRollupWeeks sums the daily rows of the ISO weeks in [$1, $2) into the
// narrow weekly table (new referrals only, for seasonality by week).
const sqlRollupWeeks = `
INSERT INTO report_weekly (day, need, to_agency, from_agency, n_new)
SELECT date_trunc('week', day)::date, need, to_agency, from_agency, sum(n_new)::int
FROM report_daily WHERE day >= $1 AND day < $2 AND n_new > 0
GROUP BY 1, 2, 3, 4`
