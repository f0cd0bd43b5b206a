package report_test

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/onward-network/onward/core"
	"github.com/onward-network/onward/core/coretest"
	"github.com/onward-network/onward/core/report"
)

// sqlTestLegs restates, straight over referrals, what the rollups count:
// every referral leg made in [$1, $2), to or referred by agency $3 (0 =
// any), asking for need $4 (” = any), with its sender and receiver named
// as the reports name them. A leg carrying its parent's consent is one
// Onward made when the parent was redirected (the redirecting agency's
// referral) or turned down (re-routed by Onward, nobody's); any other leg
// is its maker's, and new demand: a first referral, or a referral on.
const sqlTestLegs = `
WITH made AS (
    SELECT r.*, coalesce(r.to_agency_id, 0) AS leg_to,
        CASE WHEN p.consent_id = r.consent_id AND p.reason = 'redirected' THEN 'redirect'
             WHEN p.consent_id = r.consent_id THEN 'reroute' ELSE 'made' END AS leg_how,
        CASE WHEN p.consent_id = r.consent_id AND p.reason = 'redirected' THEN p.to_agency_id
             WHEN p.consent_id = r.consent_id THEN 0 ELSE coalesce(r.from_agency_id, 0) END AS leg_from,
        p.id IS NULL OR p.consent_id <> r.consent_id AS new_demand, (r.created_at AT TIME ZONE 'Europe/London')::date AS day,
        $5::timestamptz AS as_of
    FROM referrals r LEFT JOIN referrals p ON p.id = r.parent_id
    WHERE r.created_at >= $1 AND r.created_at < $2
      AND ($4::text = '' OR $4 = ANY(r.needs))
), legs AS (
    SELECT * FROM made WHERE $3::bigint = 0 OR leg_to = $3 OR leg_from = $3
), l AS (
    SELECT legs.*,
        CASE WHEN leg_to = 0 THEN 'Triage (no agency yet)' ELSE (SELECT name FROM agencies WHERE id = leg_to) END AS to_name,
        CASE WHEN leg_how = 'redirect' THEN (SELECT name FROM agencies WHERE id = leg_from) || ' (redirects)'
             WHEN leg_how = 'reroute' THEN 'Re-routed by Onward after a rejection'
             WHEN leg_from <> 0 THEN (SELECT name FROM agencies WHERE id = leg_from)
             WHEN source = 'sms' THEN 'Self-referral (SMS)' WHEN source = 'web' THEN 'Self-referral (web)'
             WHEN source = 'api' THEN 'Partner system (API)' ELSE 'Staff (no agency recorded)' END AS from_name
    FROM legs
)
`

var testStatusLabels = map[string]string{
	"requested": "Requested (not yet acknowledged)", "accepted": "Accepted", "in-progress": "In progress (client contacted)",
	"on-hold": "On hold (waiting list)", "completed": "Completed", "rejected": "Rejected (turned down)",
	"redirected": "Redirected to another agency", "failed": "Failed (e.g. client not reached)", "cancelled": "Cancelled",
}

// reportCheck is a direct SQL count of what a report's cells show: the
// query returns (row label, column name, count) for every non-zero cell of
// the named columns. $5 is "now", for referrals waiting past a deadline.
type reportCheck struct {
	report  string
	columns []string
	sql     string
	label   func(string) string
	// onlyWanted checks the cells the direct query found and nothing
	// else (reports whose other cells are rates and medians).
	onlyWanted bool
}

// sqlOutcomeLabel names a leg's outcome as the reports' columns do.
const sqlOutcomeLabel = `CASE coalesce(outcome, '') WHEN 'help-given' THEN 'Help given' WHEN 'no-longer-needed' THEN 'No longer needed'
	WHEN 'could-not-contact' THEN 'Could not contact' WHEN '' THEN 'Not recorded' ELSE outcome END`

// sqlEndingLabel names how a leg that reached an end ended, as the
// reports' columns do: completed by its outcome; failed (the client not
// reached) as could not contact; rejected as redirected, as the outcome
// its reason names (client declined, not eligible), or else turned down;
// cancelled. Legs still open have none.
const sqlEndingLabel = `CASE status WHEN 'completed' THEN ` + sqlOutcomeLabel + ` WHEN 'failed' THEN 'Could not contact'
	WHEN 'rejected' THEN CASE reason WHEN 'redirected' THEN 'Redirected' WHEN 'client-declined' THEN 'Client declined'
		WHEN 'not-eligible' THEN 'Not eligible' ELSE 'Turned down' END WHEN 'cancelled' THEN 'Cancelled' END`

// sqlCountedGain is a leg with a gain the financial gain total counts:
// income or debt written off (debt managed is shown apart).
const sqlCountedGain = `greatest(gain_weekly_income_pence, gain_one_off_income_pence, gain_debt_written_off_pence) > 0`

// sqlAnyGain is a leg with any gain the financial gains report sums, debt
// managed included.
const sqlAnyGain = `greatest(gain_weekly_income_pence, gain_one_off_income_pence, gain_debt_written_off_pence, gain_debt_managed_pence) > 0`

// needOrName labels a row that is a need code or already a name.
func needOrName(s string) string {
	if core.Need(s).Valid() {
		return core.Need(s).Label()
	}
	return s
}

var reportChecks = []reportCheck{
	{report: "partners", sql: `SELECT from_name, to_name, count(*) FROM l GROUP BY 1, 2`},
	{report: "outcomes", columns: []string{"Referrals"}, sql: `
		SELECT CASE WHEN reason = 'redirected' THEN 'redirected' ELSE status END, 'Referrals', count(*) FROM l GROUP BY 1`,
		label: func(s string) string { return testStatusLabels[s] }},
	{report: "rejections", columns: []string{"Rejected referrals"},
		sql:   `SELECT reason, 'Rejected referrals', count(*) FROM l WHERE reason IS NOT NULL GROUP BY 1`,
		label: func(s string) string { return core.Reason(s).Label() }},
	{report: "response-times", columns: []string{"Referrals received", "Acknowledged", "Client contacted"}, sql: `
		SELECT to_name, 'Referrals received', count(*) FROM l WHERE leg_to <> 0 GROUP BY 1
		UNION ALL SELECT to_name, 'Acknowledged', count(*) FROM l WHERE acknowledged_at IS NOT NULL GROUP BY 1
		UNION ALL SELECT to_name, 'Client contacted', count(*) FROM l WHERE contacted_at IS NOT NULL GROUP BY 1`},
	// Whole waits are per request for help: a first referral or a
	// referral on (new demand), with the legs carrying its consent on
	// (redirects, re-routes); to or referred by the agency at any leg.
	{report: "whole-wait", columns: []string{"Requests", "Client contacted", "Still waiting for contact", "Closed without contact", "Acknowledged"}, sql: `
		SELECT g.label, v.col, count(*) FROM (
			WITH RECURSIVE q (root, id) AS (
				SELECT r.id, r.id FROM referrals r LEFT JOIN referrals p ON p.id = r.parent_id
				WHERE r.created_at >= $1 AND r.created_at < $2 AND ($4::text = '' OR $4 = ANY(r.needs))
				  AND (p.id IS NULL OR p.consent_id <> r.consent_id)
				UNION ALL
				SELECT q.root, c.id FROM q JOIN referrals p ON p.id = q.id JOIN referrals c ON c.parent_id = p.id AND c.consent_id = p.consent_id
			)
			SELECT q.root, count(*) > 1 AS moved, bool_or(r.contacted_at IS NOT NULL) AS contacted,
				bool_or(r.acknowledged_at IS NOT NULL) AS acked, bool_or(r.closed_at IS NULL) AS open
			FROM q JOIN referrals r ON r.id = q.id LEFT JOIN referrals p ON p.id = r.parent_id
			GROUP BY q.root
			HAVING $3::bigint = 0 OR bool_or(r.to_agency_id = $3 OR CASE WHEN p.consent_id = r.consent_id AND p.reason = 'redirected'
				THEN p.to_agency_id WHEN p.consent_id = r.consent_id THEN NULL ELSE r.from_agency_id END = $3)
		) w
		CROSS JOIN LATERAL (VALUES (CASE WHEN w.moved THEN 'Moved on at least once (redirected, or re-routed after a rejection)'
			ELSE 'Stayed where first sent' END), ('All requests')) g(label)
		CROSS JOIN LATERAL (VALUES ('Requests', true), ('Client contacted', w.contacted), ('Still waiting for contact', NOT w.contacted AND w.open),
			('Closed without contact', NOT w.contacted AND NOT w.open), ('Acknowledged', w.acked)) v(col, yes)
		WHERE v.yes GROUP BY 1, 2`},
	{report: "seasonality-monthly", columns: []string{"2025", "2026"}, sql: `
		SELECT to_char(day, 'Mon'), extract(year FROM day)::text, count(*) FROM l
		WHERE new_demand AND extract(year FROM day) IN (2025, 2026) GROUP BY 1, 2`},
	{report: "seasonality-weekly", columns: []string{"2025", "2026"}, sql: `
		SELECT extract(week FROM day)::text, extract(isoyear FROM day)::text, count(*) FROM l
		WHERE new_demand AND extract(isoyear FROM day) IN (2025, 2026) GROUP BY 1, 2`},
	{report: "demand-district", columns: []string{"New referrals"},
		sql: `SELECT postcode_district, 'New referrals', count(*) FROM l WHERE new_demand GROUP BY 1`},
	{report: "demand-simd", columns: []string{"New referrals"},
		sql: `SELECT coalesce(((simd_decile + 1) / 2)::text, ''), 'New referrals', count(*) FROM l WHERE new_demand GROUP BY 1`,
		label: func(s string) string {
			return map[string]string{"": "Not known", "1": "Quintile 1 (most deprived)", "2": "Quintile 2", "3": "Quintile 3",
				"4": "Quintile 4", "5": "Quintile 5 (least deprived)"}[s]
		}},
	{report: "demand-ward", columns: []string{"New referrals"},
		sql: `SELECT coalesce((SELECT name FROM wards WHERE code = ward_code), ward_code, 'Not known'), 'New referrals', count(*)
			FROM l WHERE new_demand GROUP BY 1`},
	{report: "demand-need", columns: []string{"New referrals"},
		sql:   `SELECT need, 'New referrals', count(*) FROM l, unnest(needs) AS need WHERE new_demand AND ($4 = '' OR need = $4) GROUP BY 1`,
		label: func(s string) string { return core.Need(s).Label() }},
	{report: "self-referral", columns: []string{"By text message", "By web form"}, sql: `
		SELECT CASE leaflet_code WHEN '' THEN 'No leaflet' ELSE leaflet_code END,
			CASE source WHEN 'sms' THEN 'By text message' ELSE 'By web form' END, count(*)
		FROM l WHERE new_demand AND source IN ('sms', 'web') GROUP BY 1, 2`},
	{report: "crisis", columns: []string{"New referrals", "Crisis referrals", "Through triage", "Assigned from triage"}, sql: `
		SELECT to_char(day, 'Mon YYYY'), 'New referrals', count(*) FROM l WHERE new_demand GROUP BY 1
		UNION ALL SELECT to_char(day, 'Mon YYYY'), 'Crisis referrals', count(*) FROM l WHERE new_demand AND crisis GROUP BY 1
		UNION ALL SELECT to_char(day, 'Mon YYYY'), 'Through triage', count(*) FROM l WHERE triaged GROUP BY 1
		UNION ALL SELECT to_char(day, 'Mon YYYY'), 'Assigned from triage', count(*) FROM l WHERE assigned_at IS NOT NULL GROUP BY 1`},
	{report: "breaches", columns: []string{"Referrals with a deadline", "Acknowledged in time", "Acknowledged late",
		"Closed without acknowledgement", "Waiting past deadline now"}, sql: `
		SELECT to_name, 'Referrals with a deadline', count(*) FROM l WHERE ack_due_at IS NOT NULL GROUP BY 1
		UNION ALL SELECT to_name, 'Acknowledged in time', count(*) FROM l WHERE acknowledged_at <= ack_due_at GROUP BY 1
		UNION ALL SELECT to_name, 'Acknowledged late', count(*) FROM l WHERE acknowledged_at > ack_due_at GROUP BY 1
		UNION ALL SELECT to_name, 'Closed without acknowledgement', count(*) FROM l WHERE acknowledged_at IS NULL AND closed_at > ack_due_at GROUP BY 1
		UNION ALL SELECT to_name, 'Waiting past deadline now', count(*) FROM l
			WHERE acknowledged_at IS NULL AND closed_at IS NULL AND ack_due_at < as_of GROUP BY 1`},
	{report: "feedback", columns: []string{"Score 1", "Score 2", "Score 3", "Score 4", "Score 5"},
		sql: `SELECT to_name, 'Score ' || feedback_score, count(*) FROM l WHERE feedback_score IS NOT NULL GROUP BY 1, 2`},
	{report: "outcomes-by-agency", columns: []string{"Help given", "Client declined", "No longer needed", "Could not contact",
		"Not eligible", "Referred elsewhere", "Other", "Not recorded", "Turned down", "Redirected", "Cancelled", "Total"}, sql: `
		, e AS (SELECT l.*, ` + sqlEndingLabel + ` AS ending FROM l WHERE status IN ('completed', 'failed', 'rejected', 'cancelled'))
		SELECT 'By agency › ' || to_name, ending, count(*) FROM e GROUP BY 1, 2
		UNION ALL SELECT 'By agency › ' || to_name, 'Total', count(*) FROM e GROUP BY 1
		UNION ALL SELECT 'By need › ' || need, ending, count(*) FROM e, unnest(needs) AS need WHERE $4 = '' OR need = $4 GROUP BY 1, 2
		UNION ALL SELECT 'By need › ' || need, 'Total', count(*) FROM e, unnest(needs) AS need WHERE $4 = '' OR need = $4 GROUP BY 1`,
		label: func(s string) string {
			if n, ok := strings.CutPrefix(s, "By need › "); ok {
				return "By need › " + needOrName(n)
			}
			return s
		}},
	{report: "financial-gains", columns: []string{"Clients with a gain", "Clients with a financial gain"}, sql: `
		, g AS (SELECT l.*, 'Clients with a gain' AS col FROM l WHERE ` + sqlAnyGain + `
			UNION ALL SELECT l.*, 'Clients with a financial gain' FROM l WHERE ` + sqlCountedGain + `)
		SELECT 'By agency › ' || to_name, col, count(DISTINCT client_id) FROM g GROUP BY 1, 2
		UNION ALL SELECT 'By agency › All agencies', col, count(DISTINCT client_id) FROM g GROUP BY 2
		UNION ALL SELECT 'By need › ' || need, col, count(DISTINCT client_id) FROM g, unnest(needs) AS need
			WHERE $4 = '' OR need = $4 GROUP BY 1, 2
		UNION ALL SELECT 'By month › ' || to_char(day, 'Mon YYYY'), col, count(DISTINCT client_id) FROM g GROUP BY 1, 2`,
		label: func(s string) string {
			if n, ok := strings.CutPrefix(s, "By need › "); ok {
				return "By need › " + needOrName(n)
			}
			return s
		}},
	{report: "satisfaction", columns: []string{"Scores given", "Would recommend", "Would not recommend", "Comments left"}, sql: `
		SELECT to_name, 'Scores given', count(*) FROM l WHERE feedback_score IS NOT NULL AND leg_to <> 0 GROUP BY 1
		UNION ALL SELECT to_name, 'Would recommend', count(*) FROM l WHERE feedback_recommend GROUP BY 1
		UNION ALL SELECT to_name, 'Would not recommend', count(*) FROM l WHERE NOT feedback_recommend GROUP BY 1
		UNION ALL SELECT to_name, 'Comments left', count(*) FROM l WHERE feedback_comment_enc IS NOT NULL GROUP BY 1`},
	{report: "sent-back", columns: []string{"Referrals sent", "Not eligible", "Inappropriate", "Sent back"}, sql: `
		SELECT from_name, 'Referrals sent', count(*) FROM l WHERE $3 = 0 OR leg_from = $3 GROUP BY 1
		UNION ALL SELECT from_name, 'Not eligible', count(*) FROM l WHERE ($3 = 0 OR leg_from = $3) AND reason = 'not-eligible' GROUP BY 1
		UNION ALL SELECT from_name, 'Inappropriate', count(*) FROM l WHERE ($3 = 0 OR leg_from = $3) AND reason = 'inappropriate' GROUP BY 1
		UNION ALL SELECT from_name, 'Sent back', count(*) FROM l WHERE ($3 = 0 OR leg_from = $3) AND reason IN ('not-eligible', 'inappropriate') GROUP BY 1`},
	{report: "national-standards", columns: []string{"Figure"}, onlyWanted: true, sql: `
		, c AS (SELECT * FROM l WHERE status = 'completed' AND ($3 = 0 OR leg_to = $3))
		, e AS (SELECT l.*, ` + sqlEndingLabel + ` AS ending FROM l
			WHERE status IN ('completed', 'failed', 'rejected', 'cancelled') AND ($3 = 0 OR leg_to = $3))
		SELECT 'Advice given, by type › ' || CASE advice_type WHEN 'type-1' THEN 'Type I: information and signposting'
			WHEN 'type-2' THEN 'Type II: casework' WHEN 'type-3' THEN 'Type III: advocacy and representation' ELSE 'Not recorded' END,
			'Figure', count(*) FROM c GROUP BY 1
		UNION ALL SELECT 'Advice given, by type › Total completed', 'Figure', count(*) FROM c
		UNION ALL SELECT 'Advice given, by topic › ' || CASE advice_topic WHEN 'debt-management' THEN 'Debt management'
			WHEN 'benefits-check' THEN 'Benefits check' ELSE 'Not recorded' END, 'Figure', count(*) FROM c GROUP BY 1
		UNION ALL SELECT 'Outcomes › ' || ending, 'Figure', count(*) FROM e GROUP BY 1
		UNION ALL SELECT 'Outcomes › Total that reached an end', 'Figure', count(*) FROM e HAVING count(*) > 0
		UNION ALL SELECT 'Acknowledgement and contact against the network''s targets › Referrals received', 'Figure', count(*) FROM l
			WHERE leg_to <> 0 AND ($3 = 0 OR leg_to = $3) HAVING count(*) > 0
		UNION ALL SELECT 'Acknowledgement and contact against the network''s targets › Deadline breaches', 'Figure', count(*) FROM l
			WHERE leg_to <> 0 AND ($3 = 0 OR leg_to = $3) AND (acknowledged_at > ack_due_at
				OR (acknowledged_at IS NULL AND closed_at > ack_due_at) OR (acknowledged_at IS NULL AND closed_at IS NULL AND ack_due_at < as_of))
			HAVING count(*) > 0
		UNION ALL SELECT 'Client feedback › Clients who scored the help', 'Figure', count(*) FROM l
			WHERE feedback_score IS NOT NULL AND leg_to <> 0 AND ($3 = 0 OR leg_to = $3) HAVING count(*) > 0
		UNION ALL SELECT 'Client feedback › Comments left', 'Figure', count(*) FROM l
			WHERE feedback_comment_enc IS NOT NULL AND ($3 = 0 OR leg_to = $3) HAVING count(*) > 0`},
}

// totalRows are the summary rows the checks do not restate.
var totalRows = map[string]bool{"Total": true, "All agencies": true, "All new referrals": true, "All referrers": true,
	"By agency › All agencies": true}

// rowLabel is how the checks name a row: its first cell, or in a report
// in sections "Section › Label".
func rowLabel(r report.Report, cells []report.Cell) string {
	if r.Sections {
		return cells[0].Text + " › " + cells[1].Text
	}
	return cells[0].Text
}

// cellAt finds the cell in the row labelled row (see rowLabel) and the
// column named col.
func cellAt(r report.Report, row, col string) (report.Cell, bool) {
	ci := -1
	for i, c := range r.Columns {
		if c == col {
			ci = i
		}
	}
	if ci < 0 {
		return report.Cell{}, false
	}
	for _, cells := range r.Rows {
		if rowLabel(r, cells) == row {
			return cells[ci], true
		}
	}
	return report.Cell{}, false
}

// wantText is what a count shows, suppressed or not. (A count of 5 or
// more may also be withheld in a suppressed report, so that a small one
// cannot be worked out: TestNothingSuppressedCanBeWorkedBack checks when.)
func wantText(n int64, suppressed bool) string {
	if suppressed && n > 0 && n < 5 {
		return "<5"
	}
	return fmt.Sprint(n)
}

type testFilter struct {
	name     string
	from, to string
	agency   core.AgencyID
	need     core.Need
}

func (f testFilter) filter() report.Filter {
	from, _ := time.Parse("2006-01-02", f.from)
	to, _ := time.Parse("2006-01-02", f.to)
	return report.Filter{From: from, To: to, Agency: f.agency, Need: f.need}
}

// span is the filter's days as instants in the network's zone.
func (f testFilter) span() (time.Time, time.Time) {
	loc, _ := time.LoadLocation("Europe/London")
	from, _ := time.ParseInLocation("2006-01-02", f.from, loc)
	to, _ := time.ParseInLocation("2006-01-02", f.to, loc)
	return from, to.AddDate(0, 0, 1)
}

func seededReports(t *testing.T) (*coretest.Env, *report.Reports) {
	t.Helper()
	env := coretest.NewEnv(t)
	newReportSeed(t, env).seed()
	rp := report.New(env.Engine.Pool(), env.Engine.Clock())
	res, err := rp.Refresh(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if !res.Full {
		t.Fatalf("first refresh should build everything: %+v", res)
	}
	return env, rp
}

// TestReportsAgreeWithDirectCounts checks every count of every report,
// under several filters, against the same count made straight from the
// referrals table, both exactly (the agency's own staff) and suppressed
// (anyone else).
func TestReportsAgreeWithDirectCounts(t *testing.T) {
	t.Parallel()
	env, rp := seededReports(t)
	ctx := context.Background()
	net := env.Net
	filters := []testFilter{
		{name: "network, all dates", from: "2025-01-01", to: "2026-11-20"},
		{name: "Citizens Advice", from: "2025-01-01", to: "2026-11-20", agency: net.CAB},
		{name: "debt", from: "2025-01-01", to: "2026-11-20", need: core.NeedDebt},
		{name: "part of one month", from: "2026-11-03", to: "2026-11-16"},
		{name: "months and edges", from: "2025-06-15", to: "2026-02-10", need: core.NeedFood},
		{name: "Welfare Rights, benefits, this autumn", from: "2026-09-28", to: "2026-11-20", agency: net.Welfare, need: core.NeedBenefits},
	}
	checked := 0
	for _, tf := range filters {
		lo, hi := tf.span()
		for _, c := range reportChecks {
			rows, _ := env.Pool.Query(ctx, sqlTestLegs+c.sql, lo, hi, int64(tf.agency), string(tf.need), env.Clock.Now())
			want := map[[2]string]int64{}
			var row, col string
			var n int64
			if _, err := pgx.ForEachRow(rows, []any{&row, &col, &n}, func() error {
				if c.label != nil {
					row = c.label(row)
				}
				want[[2]string{row, col}] = n
				return nil
			}); err != nil {
				t.Fatalf("%s: direct count: %v", c.report, err)
			}
			viewers := []struct {
				v          report.Viewer
				suppressed bool
			}{{report.Viewer{Network: true}, false}, {report.Viewer{}, true}}
			if tf.agency != 0 {
				viewers = append(viewers, struct {
					v          report.Viewer
					suppressed bool
				}{report.Viewer{Agency: tf.agency}, false})
			}
			for _, v := range viewers {
				r, err := rp.Run(ctx, c.report, tf.filter(), v.v)
				if err != nil {
					t.Fatalf("%s (%s): %v", c.report, tf.name, err)
				}
				if r.Suppressed != v.suppressed {
					t.Errorf("%s (%s): suppressed = %v for viewer %+v, want %v", c.report, tf.name, r.Suppressed, v.v, v.suppressed)
				}
				for k, n := range want {
					cell, ok := cellAt(r, k[0], k[1])
					if !ok {
						t.Errorf("%s (%s): no cell for row %q, column %q (want %d)", c.report, tf.name, k[0], k[1], n)
						continue
					}
					if got := cell.Text; got != wantText(n, v.suppressed) && !(v.suppressed && n >= 5 && got == report.WithheldText) {
						t.Errorf("%s (%s, suppressed %v): row %q, column %q shows %q, direct count %d", c.report, tf.name, v.suppressed, k[0], k[1], got, n)
					}
					checked++
				}
				// And no count appears that the direct query did not find.
				cols := c.columns
				if cols == nil {
					cols = r.Columns[1 : len(r.Columns)-1]
				}
				for _, cells := range r.Rows {
					label := rowLabel(r, cells)
					if totalRows[label] || c.onlyWanted {
						continue
					}
					for _, col := range cols {
						cell, _ := cellAt(r, label, col)
						if _, ok := want[[2]string{label, col}]; !ok && cell.Text != "0" && cell.Text != "" {
							t.Errorf("%s (%s): row %q, column %q shows %q; the direct count has nothing there", c.report, tf.name, label, col, cell.Text)
						}
					}
				}
			}
		}
	}
	if checked < 400 {
		t.Fatalf("only %d cells checked: the seed or the checks lost their data", checked)
	}
}

// TestSuppressionRule pins the rule on the partners matrix: Welfare Rights
// sent Citizens Advice 3 referrals, Housing Options 5, and the clients'
// web forms went 8 times to the food bank and once to Citizens Advice.
// The 3 is hidden beyond the network and the 5 shown: the other counts
// of Citizens Advice's column beside its total are small and hidden too,
// so neither gives the 3 back. In the network's matrix the 8 is withheld:
// the web forms' total of 9 would give the 1 back, and the 8 is the only
// other count in that row.
func TestSuppressionRule(t *testing.T) {
	t.Parallel()
	env, rp := seededReports(t)
	ctx := context.Background()
	net := env.Net
	all := report.Filter{From: time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC), To: time.Date(2026, 11, 20, 0, 0, 0, 0, time.UTC)}
	cab := all
	cab.Agency = net.CAB
	for _, tc := range []struct {
		name               string
		f                  report.Filter
		v                  report.Viewer
		three, five, eight string
	}{
		{"network view, a reader outside the network", all, report.Viewer{}, "<5", "5", report.WithheldText},
		{"network view, a coordinator", all, report.ViewerFor(net.Coordinator), "3", "5", "8"},
		{"network view, a coordinator's copy for publication", all, report.ViewerFor(net.Coordinator).Published(), "<5", "5", report.WithheldText},
		{"network view, Citizens Advice staff", all, report.ViewerFor(net.Adviser), "<5", "5", report.WithheldText},
		{"Citizens Advice's own figures, its staff", cab, report.ViewerFor(net.Adviser), "3", "5", ""},
		{"Citizens Advice's own figures, its staff, for publication", cab, report.ViewerFor(net.Adviser).Published(), "<5", "5", ""},
		{"Citizens Advice's figures, a coordinator", cab, report.ViewerFor(net.Coordinator), "3", "5", ""},
		{"Citizens Advice's figures, Welfare Rights staff", cab, report.ViewerFor(net.WelfareAdviser), "<5", "5", ""},
		{"network view, the command line", all, report.Viewer{Network: true}, "3", "5", "8"},
	} {
		r, err := rp.Run(ctx, "partners", tc.f, tc.v)
		if err != nil {
			t.Fatal(err)
		}
		three, _ := cellAt(r, "Kingdom Council Welfare Rights", "Kirkton Citizens Advice")
		five, _ := cellAt(r, "Kingdom Housing Options", "Kirkton Citizens Advice")
		eight, _ := cellAt(r, "Self-referral (web)", "Kingdom Food Bank")
		if three.Text != tc.three || five.Text != tc.five || eight.Text != tc.eight {
			t.Errorf("%s: 3 shows %q, 5 shows %q, 8 shows %q; want %q, %q and %q", tc.name, three.Text, five.Text, eight.Text, tc.three, tc.five, tc.eight)
		}
		if tc.three == "<5" && (three.Value != nil || !three.Suppressed) {
			t.Errorf("%s: a suppressed cell must carry no value: %+v", tc.name, three)
		}
		if tc.eight == report.WithheldText && (eight.Value != nil || !eight.Suppressed || eight.TooFew) {
			t.Errorf("%s: a withheld count must carry no value: %+v", tc.name, eight)
		}
	}
	// Scoping: an adviser asking for the network gets their own agency.
	f := report.ScopeFilter(net.Adviser, all)
	if f.Agency != net.CAB {
		t.Errorf("adviser's scope = agency %d, want their own %d", f.Agency, net.CAB)
	}
	if f := report.ScopeFilter(net.Coordinator, all); f.Agency != 0 {
		t.Errorf("coordinator's scope = agency %d, want the network", f.Agency)
	}
	// A median from fewer than 5 referrals is "too few to show" beyond
	// the network, never "<5", and exact for a coordinator: Housing
	// Options acknowledged 2 referrals.
	r, err := rp.Run(ctx, "response-times", all, report.Viewer{})
	if err != nil {
		t.Fatal(err)
	}
	if c, _ := cellAt(r, "Kingdom Housing Options", "Median calendar hours to acknowledge"); c.Text != report.TooFewText || !c.TooFew || c.Value != nil {
		t.Errorf("median from 2 referrals shows %+v, want too few to show", c)
	}
	r, err = rp.Run(ctx, "response-times", all, report.ViewerFor(net.Coordinator))
	if err != nil {
		t.Fatal(err)
	}
	if c, _ := cellAt(r, "Kingdom Housing Options", "Median calendar hours to acknowledge"); c.Value == nil {
		t.Errorf("a coordinator sees the median from 2 referrals as %q, want a number", c.Text)
	}
	// No figure that is not a count ever reads <5 or withheld in any
	// report for any reader.
	for _, spec := range report.List() {
		for _, v := range []report.Viewer{{}, report.ViewerFor(net.Coordinator).Published(), report.ViewerFor(net.Adviser)} {
			r, err := rp.Run(ctx, spec.Name, all, v)
			if err != nil {
				t.Fatal(err)
			}
			for _, cells := range r.Rows {
				for j, c := range cells {
					col := r.Columns[j]
					if (c.Text == report.SuppressedText || c.Text == report.WithheldText) && (strings.Contains(col, "(%)") || strings.Contains(col, "ours") ||
						strings.Contains(col, "ean") || strings.Contains(col, "£") || strings.Contains(col, "per text")) {
						t.Errorf("%s: %q in column %q reads %s; a rate, time, mean or sum is never a count", spec.Name, rowLabel(r, cells), col, c.Text)
					}
					if c.TooFew && c.Text != report.TooFewText {
						t.Errorf("%s: a too-few cell reads %q", spec.Name, c.Text)
					}
				}
			}
		}
	}
	r, err = rp.Run(ctx, "breaches", all, report.Viewer{})
	if err != nil {
		t.Fatal(err)
	}
	var due, breaches int64
	if err := env.Pool.QueryRow(ctx, `SELECT count(*), count(*) FILTER (WHERE acknowledged_at > ack_due_at
		OR (acknowledged_at IS NULL AND closed_at > ack_due_at) OR (acknowledged_at IS NULL AND closed_at IS NULL AND ack_due_at < $2))
		FROM referrals WHERE to_agency_id = $1 AND ack_due_at IS NOT NULL`, net.CAB, env.Clock.Now()).Scan(&due, &breaches); err != nil {
		t.Fatal(err)
	}
	if due < 5 || breaches >= 5 || breaches == 0 {
		t.Fatalf("the seed should give Citizens Advice a few breaches of 5 or more deadlines: %d of %d", breaches, due)
	}
	// A rate of 5 or more referrals whose part is hidden would give the
	// part back (rate × deadlines): it is too few to show.
	c, _ := cellAt(r, "Kirkton Citizens Advice", "Breach rate (%)")
	if c.Value != nil || !c.TooFew || c.Text != report.TooFewText {
		t.Errorf("Citizens Advice's breach rate (%d of %d) shows %q beyond the network, want too few to show", breaches, due, c.Text)
	}
	if c, _ := cellAt(r, "Kirkton Citizens Advice", "Breaches"); c.Text != report.SuppressedText {
		t.Errorf("Citizens Advice's %d breaches show %q beyond the network", breaches, c.Text)
	}
	// A share whose part and the rest of its whole are both 5 or more,
	// and shown, is shown.
	r, err = rp.Run(ctx, "outcomes", all, report.Viewer{})
	if err != nil {
		t.Fatal(err)
	}
	shown := 0
	for _, cells := range r.Rows {
		if cells[1].Value != nil && *cells[1].Value >= 5 && cells[2].Value != nil {
			shown++
		}
	}
	if shown == 0 {
		t.Errorf("no share of 5 or more referrals is shown beyond the network:\n%v", r.Rows)
	}
	r, err = rp.Run(ctx, "response-times", report.Filter{From: all.From, To: all.To, Agency: net.Housing}, report.ViewerFor(net.HousingAdviser))
	if err != nil {
		t.Fatal(err)
	}
	if c, _ := cellAt(r, "Kingdom Housing Options", "Median calendar hours to acknowledge"); c.Value == nil {
		t.Errorf("Housing Options' own median shows %q, want a number", c.Text)
	}
}

// dayState fingerprints the daily rollup rows of each day, and the
// transaction that wrote them.
const sqlDayState = `
SELECT day::text, md5(string_agg(t::text, '|' ORDER BY t::text)), string_agg(DISTINCT xmin::text, ',')
FROM report_daily t GROUP BY day`

func dayStates(t *testing.T, env *coretest.Env) (content, writer map[string]string) {
	t.Helper()
	rows, _ := env.Pool.Query(context.Background(), sqlDayState)
	content, writer = map[string]string{}, map[string]string{}
	var d, c, x string
	if _, err := pgx.ForEachRow(rows, []any{&d, &c, &x}, func() error {
		content[d], writer[d] = c, x
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	return content, writer
}

// TestRefreshRecomputesOnlyChangedDays changes one referral and checks
// that the next refresh rewrites its day and no other, that the figures
// move, and that the incremental result equals a rebuild from scratch.
func TestRefreshRecomputesOnlyChangedDays(t *testing.T) {
	t.Parallel()
	env, rp := seededReports(t)
	ctx := context.Background()
	net := env.Net
	f := report.Filter{From: time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC), To: time.Date(2026, 11, 30, 0, 0, 0, 0, time.UTC)}
	before, err := rp.Run(ctx, "outcomes", f, report.Viewer{Network: true})
	if err != nil {
		t.Fatal(err)
	}
	if res, err := rp.Refresh(ctx); err != nil || res.Days != 0 || res.Full {
		t.Fatalf("refresh with nothing changed: %+v, %v", res, err)
	}
	content, writer := dayStates(t, env)

	// Citizens Advice accepts the referral Welfare Rights made on 10
	// November, ten days later.
	var id core.ReferralID
	if err := env.Pool.QueryRow(ctx, `SELECT id FROM referrals WHERE status = 'requested' AND to_agency_id = $1
		AND from_agency_id = $2`, net.CAB, net.Welfare).Scan(&id); err != nil {
		t.Fatal(err)
	}
	env.Clock.Set(time.Date(2026, 11, 20, 14, 0, 0, 0, time.UTC))
	if _, err := env.Engine.Act(ctx, core.TransitionRequest{Referral: id, Action: core.ActionAccept, Actor: net.Adviser.Actor()}); err != nil {
		t.Fatal(err)
	}
	res, err := rp.Refresh(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if res.Full || res.Days != 1 {
		t.Fatalf("refresh after one change: %+v, want exactly one day recomputed", res)
	}
	after, err := rp.Run(ctx, "outcomes", f, report.Viewer{Network: true})
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		row   string
		delta float64
	}{{"Requested (not yet acknowledged)", -1}, {"Accepted", +1}, {"Completed", 0}} {
		b, _ := cellAt(before, tc.row, "Referrals")
		a, _ := cellAt(after, tc.row, "Referrals")
		if *a.Value-*b.Value != tc.delta {
			t.Errorf("%s: %s → %s, want a change of %+.0f", tc.row, b.Text, a.Text, tc.delta)
		}
	}
	content2, writer2 := dayStates(t, env)
	for d := range content {
		changed := content[d] != content2[d] || writer[d] != writer2[d]
		if d == "2026-11-10" && !changed {
			t.Errorf("day %s of the changed referral was not recomputed", d)
		}
		if d != "2026-11-10" && changed {
			t.Errorf("day %s was rewritten though none of its referrals changed", d)
		}
	}

	// A feedback score arriving is a change too. (First a quiet hour
	// passes, so the refresher no longer looks back at the acceptance.)
	env.Clock.Advance(time.Hour)
	if _, err := rp.Refresh(ctx); err != nil {
		t.Fatal(err)
	}
	var done core.ReferralID
	if err := env.Pool.QueryRow(ctx, `SELECT id FROM referrals WHERE status = 'in-progress' ORDER BY id LIMIT 1`).Scan(&done); err != nil {
		t.Fatal(err)
	}
	if _, err := env.Pool.Exec(ctx, `UPDATE referrals SET feedback_score = 1, feedback_at = $2 WHERE id = $1`, done, env.Clock.Now()); err != nil {
		t.Fatal(err)
	}
	if res, err := rp.Refresh(ctx); err != nil || res.Days != 1 {
		t.Fatalf("refresh after a feedback score: %+v, %v", res, err)
	}

	// Incremental upkeep ends where a rebuild from scratch would.
	incremental, _ := dayStates(t, env)
	monthly := monthlyState(t, env)
	if err := report.Invalidate(ctx, env.Pool); err != nil {
		t.Fatal(err)
	}
	if res, err := rp.Refresh(ctx); err != nil || !res.Full {
		t.Fatalf("refresh after invalidating: %+v, %v", res, err)
	}
	rebuilt, _ := dayStates(t, env)
	if fmt.Sprint(incremental) != fmt.Sprint(rebuilt) {
		t.Errorf("daily rollups kept up incrementally differ from a rebuild")
	}
	if m := monthlyState(t, env); m != monthly {
		t.Errorf("monthly rollups kept up incrementally differ from a rebuild")
	}
}

// monthlyState fingerprints the rollups summed from the daily ones.
func monthlyState(t *testing.T, env *coretest.Env) string {
	t.Helper()
	var state string
	for _, table := range []string{"report_monthly", "report_district_monthly", "report_weekly", "report_agency", "report_agency_monthly"} {
		var s string
		if err := env.Pool.QueryRow(context.Background(),
			`SELECT coalesce(md5(string_agg(t::text, '|' ORDER BY t::text)), '') FROM `+table+` t`).Scan(&s); err != nil {
			t.Fatal(err)
		}
		if s == "" {
			t.Fatalf("rollup %s is empty", table)
		}
		state += s
	}
	return state
}

// sqlAgencyRollupMismatches counts the rows of report_agency (and its
// monthly twin) that differ from report_daily (report_monthly) summed by
// day, need and agencies, every counter compared; and the rows compared.
const sqlAgencyRollupMismatches = `
WITH want AS (
    SELECT day, need, to_agency, from_agency, sum(n) AS n, sum(acked) AS acked, sum(contacted) AS contacted,
        sum(due) AS due, sum(ontime) AS ontime, sum(late) AS late, sum(missed) AS missed,
        ARRAY[sum(fb1), sum(fb2), sum(fb3), sum(fb4), sum(fb5), sum(rec_yes), sum(rec_no), sum(comments)] AS feedback,
        ARRAY[%[3]s] AS ack, ARRAY[%[4]s] AS con
    FROM %[1]s GROUP BY 1, 2, 3, 4
), got AS (
    SELECT day, need, to_agency, from_agency, n::bigint, acked::bigint, contacted::bigint,
        due::bigint, ontime::bigint, late::bigint, missed::bigint,
        ARRAY[fb1, fb2, fb3, fb4, fb5, rec_yes, rec_no, comments]::bigint[],
        ARRAY[%[5]s]::bigint[], ARRAY[%[6]s]::bigint[]
    FROM %[2]s
)
SELECT (SELECT count(*) FROM ((SELECT * FROM want EXCEPT SELECT * FROM got) UNION ALL (SELECT * FROM got EXCEPT SELECT * FROM want)) x),
    (SELECT count(*) FROM got)`

// TestAgencyRollupSumsTheDailyOne checks every counter of report_agency
// and report_agency_monthly, which the reports grouped by receiving agency
// read, against report_daily and report_monthly summed over source,
// leaflet and crisis: after a build from scratch and after an
// incremental refresh of a changed referral.
func TestAgencyRollupSumsTheDailyOne(t *testing.T) {
	t.Parallel()
	env, rp := seededReports(t)
	ctx := context.Background()
	cols := func(prefix, wrap string) string {
		var out []string
		for i := range 24 {
			out = append(out, fmt.Sprintf(wrap, fmt.Sprintf("%s_%02d", prefix, i)))
		}
		return strings.Join(out, ", ")
	}
	check := func(when string) {
		t.Helper()
		for _, pair := range [][2]string{{"report_daily", "report_agency"}, {"report_monthly", "report_agency_monthly"}} {
			var bad, rows int64
			sql := fmt.Sprintf(sqlAgencyRollupMismatches, pair[0], pair[1], cols("ack", "sum(%s)"), cols("con", "sum(%s)"), cols("ack", "%s"), cols("con", "%s"))
			if err := env.Pool.QueryRow(ctx, sql).Scan(&bad, &rows); err != nil {
				t.Fatalf("%s: %v", when, err)
			}
			if bad != 0 || rows < 20 {
				t.Errorf("%s: %s has %d rows, %d of them (or of %s's sums) differing", when, pair[1], rows, bad, pair[0])
			}
		}
	}
	check("after a build from scratch")

	// Citizens Advice accepts a referral waiting since 10 November.
	var id core.ReferralID
	if err := env.Pool.QueryRow(ctx, `SELECT id FROM referrals WHERE status = 'requested' AND to_agency_id = $1
		AND from_agency_id = $2`, env.Net.CAB, env.Net.Welfare).Scan(&id); err != nil {
		t.Fatal(err)
	}
	env.Clock.Set(time.Date(2026, 11, 20, 14, 0, 0, 0, time.UTC))
	if _, err := env.Engine.Act(ctx, core.TransitionRequest{Referral: id, Action: core.ActionAccept, Actor: env.Net.Adviser.Actor()}); err != nil {
		t.Fatal(err)
	}
	var before int64
	if err := env.Pool.QueryRow(ctx, `SELECT sum(acked) FROM report_agency WHERE need = '' AND to_agency = $1`, env.Net.CAB).Scan(&before); err != nil {
		t.Fatal(err)
	}
	if res, err := rp.Refresh(ctx); err != nil || res.Full || res.Days != 1 {
		t.Fatalf("refresh after one change: %+v, %v", res, err)
	}
	var after int64
	if err := env.Pool.QueryRow(ctx, `SELECT sum(acked) FROM report_agency WHERE need = '' AND to_agency = $1`, env.Net.CAB).Scan(&after); err != nil {
		t.Fatal(err)
	}
	if after != before+1 {
		t.Errorf("Citizens Advice's acknowledged legs in report_agency went from %d to %d, want one more", before, after)
	}
	check("after an incremental refresh")
}

// TestCrisisReportCountsWhatItSays: the crisis report counts every
// referral marked as a crisis — a staff referral too, not only clients'
// own texts and web forms — and its description says so rather than
// "crisis self-referrals".
func TestCrisisReportCountsWhatItSays(t *testing.T) {
	t.Parallel()
	env, rp := seededReports(t)
	ctx := context.Background()
	env.Clock.Advance(time.Hour)
	if _, err := env.Engine.StaffRefer(ctx, core.StaffReferral{IdempotencyKey: "crisis-by-staff", By: env.Net.WelfareAdviser.Actor(),
		Client: core.ClientDetails{Name: "Iain Rennie", Phone: "07700 900990", Postcode: "KY2 5XY"}, Needs: []core.Need{core.NeedHousing},
		ToAgency: env.Net.Housing, ConsentConfirmed: true, WordingVersion: "v1", Crisis: true, CrisisReason: "Eviction on Friday"}); err != nil {
		t.Fatal(err)
	}
	if _, err := rp.Refresh(ctx); err != nil {
		t.Fatal(err)
	}
	var bySource = map[string]int64{}
	rows, _ := env.Pool.Query(ctx, `SELECT source, count(*) FROM referrals WHERE crisis AND parent_id IS NULL
		AND created_at >= '2026-11-01' AND created_at < '2026-12-01' GROUP BY 1`)
	var src string
	var n int64
	if _, err := pgx.ForEachRow(rows, []any{&src, &n}, func() error { bySource[src] = n; return nil }); err != nil {
		t.Fatal(err)
	}
	if bySource["staff"] == 0 || bySource["sms"] == 0 {
		t.Fatalf("want crisis referrals by staff and by text in November: %v", bySource)
	}
	f := report.Filter{From: time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC), To: time.Date(2026, 11, 30, 0, 0, 0, 0, time.UTC)}
	r, err := rp.Run(ctx, "crisis", f, report.Viewer{Network: true})
	if err != nil {
		t.Fatal(err)
	}
	if c, _ := cellAt(r, "Nov 2026", "Crisis referrals"); c.Value == nil || int64(*c.Value) != bySource["staff"]+bySource["sms"]+bySource["web"] {
		t.Errorf("November's crisis referrals show %q; direct count by source %v", c.Text, bySource)
	}
	if strings.Contains(r.Description, "risis self-referrals") || !strings.Contains(r.Description, "staff") {
		t.Errorf("the description should say crisis referrals come from every source: %q", r.Description)
	}
}

// TestSeasonalityIsBlankOutsideTheDates: periods before the filter's
// start are blank, as those after its end and after today are — not 0,
// which would say no one was referred — in the table and in the chart's
// JSON; the years compared are every year of the dates that has begun,
// or, over dates wider than a chart can hold, those that had referrals.
func TestSeasonalityIsBlankOutsideTheDates(t *testing.T) {
	t.Parallel()
	_, rp := seededReports(t)
	ctx := context.Background()
	for _, tc := range []struct {
		report, from, to string
		years            []string
		blank, shown     []at // {period, year}
	}{
		{"seasonality-monthly", "2025-06-15", "2026-02-10", []string{"2025", "2026"},
			[]at{{"Jan", "2025"}, {"May", "2025"}, {"Mar", "2026"}, {"Dec", "2026"}},
			[]at{{"Jun", "2025"}, {"Dec", "2025"}, {"Jan", "2026"}, {"Feb", "2026"}}},
		{"seasonality-monthly", "2026-03-01", "2026-11-20", []string{"2026"},
			[]at{{"Jan", "2026"}, {"Feb", "2026"}, {"Dec", "2026"}},
			[]at{{"Mar", "2026"}, {"Nov", "2026"}}},
		{"seasonality-weekly", "2025-06-15", "2026-02-10", []string{"2025", "2026"},
			[]at{{"1", "2025"}, {"23", "2025"}, {"8", "2026"}, {"52", "2026"}},
			[]at{{"24", "2025"}, {"52", "2025"}, {"1", "2026"}, {"7", "2026"}}},
		// Today is 20 November 2026: the months and weeks after it have
		// not happened, and a year that has not begun is not a column.
		{"seasonality-monthly", "2026-04-01", "2027-03-31", []string{"2026"},
			[]at{{"Mar", "2026"}, {"Dec", "2026"}},
			[]at{{"Apr", "2026"}, {"Nov", "2026"}}},
		{"seasonality-monthly", "2000-01-01", "2099-12-31", []string{"2025", "2026"},
			[]at{{"Dec", "2026"}},
			[]at{{"Jan", "2025"}, {"Dec", "2025"}, {"Jan", "2026"}, {"Nov", "2026"}}},
		{"seasonality-weekly", "2000-01-01", "2099-12-31", []string{"2025", "2026"},
			[]at{{"48", "2026"}, {"52", "2026"}},
			[]at{{"1", "2025"}, {"52", "2025"}, {"47", "2026"}}},
	} {
		f := testFilter{from: tc.from, to: tc.to}.filter()
		r, err := rp.Run(ctx, tc.report, f, report.Viewer{Network: true})
		if err != nil {
			t.Fatal(err)
		}
		points := map[at]report.Point{}
		for _, s := range r.Series {
			for _, p := range s.Points {
				points[at{p.Label, s.Name}] = p
			}
		}
		for _, k := range tc.blank {
			if c, ok := cellAt(r, k.row, k.col); !ok || c.Text != "" || c.Value != nil {
				t.Errorf("%s %s to %s: %s %s shows %q; want blank", tc.report, tc.from, tc.to, k.row, k.col, c.Text)
			}
			if p, ok := points[k]; ok && p.HasValue() {
				t.Errorf("%s %s to %s: %s %s is charted as %v; want no value", tc.report, tc.from, tc.to, k.row, k.col, p.Value)
			}
		}
		for _, k := range tc.shown {
			if c, ok := cellAt(r, k.row, k.col); !ok || c.Value == nil {
				t.Errorf("%s %s to %s: %s %s shows %q; want a count", tc.report, tc.from, tc.to, k.row, k.col, c.Text)
			}
			if p := points[k]; !p.HasValue() {
				t.Errorf("%s %s to %s: %s %s is not charted", tc.report, tc.from, tc.to, k.row, k.col)
			}
		}
		if got := r.Columns[1 : len(r.Columns)-1]; !slices.Equal(got, tc.years) || r.Columns[len(r.Columns)-1] != "Partial (days counted)" {
			t.Errorf("%s %s to %s: columns %v, want the years %v and Partial", tc.report, tc.from, tc.to, r.Columns, tc.years)
		}
		// Every line runs over the same periods from the first, so the
		// chart's axis is in order.
		for i, s := range r.Series {
			if i >= len(tc.years) || s.Name != tc.years[i] || len(s.Points) == 0 || s.Points[0].Label != r.Series[0].Points[0].Label {
				t.Errorf("%s %s to %s: the line of %s starts elsewhere", tc.report, tc.from, tc.to, s.Name)
			}
		}
	}
}
