package report_test

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/onward-network/onward/core"
	"github.com/onward-network/onward/core/report"
)

// figure is a report's cell in row and column as a number (0 when the
// row is not there: nothing counted).
func figure(t *testing.T, r report.Report, row, col string) int {
	t.Helper()
	c, ok := cellAt(r, row, col)
	if !ok || c.Text == "" {
		return 0
	}
	n, err := strconv.Atoi(c.Text)
	if err != nil {
		t.Fatalf("%s: row %q, column %q is %q, not a count", r.Name, row, col, c.Text)
	}
	return n
}

// demandFigures are the figures the demand reports and the reports of
// every referral give for the seed's dates.
type demandFigures struct {
	partners, outcomes, redirects, reroutes       int
	district, districtKY2, need, needHousing      int
	monthNov, week47, crisisNov, crisisTotal, sum int
}

func readDemand(t *testing.T, rp *report.Reports) demandFigures {
	t.Helper()
	ctx := context.Background()
	f := report.Filter{From: time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC), To: time.Date(2026, 11, 20, 0, 0, 0, 0, time.UTC)}
	run := func(name string) report.Report {
		r, err := rp.Run(ctx, name, f, report.Viewer{Network: true})
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		return r
	}
	var d demandFigures
	partners := run("partners")
	d.partners = figure(t, partners, "Total", "Total")
	for _, row := range partners.Rows {
		switch label := row[0].Text; {
		case strings.HasSuffix(label, " (redirects)"):
			d.redirects += figure(t, partners, label, "Total")
		case label == "Re-routed by Onward after a rejection":
			d.reroutes += figure(t, partners, label, "Total")
		}
	}
	d.outcomes = figure(t, run("outcomes"), "Total", "Referrals")
	district := run("demand-district")
	d.district, d.districtKY2 = figure(t, district, "Total", "New referrals"), figure(t, district, "KY2", "New referrals")
	need := run("demand-need")
	d.need, d.needHousing = figure(t, need, "All new referrals", "New referrals"), figure(t, need, core.NeedHousing.Label(), "New referrals")
	d.monthNov = figure(t, run("seasonality-monthly"), "Nov", "2026")
	d.week47 = figure(t, run("seasonality-weekly"), "47", "2026")
	crisis := run("crisis")
	d.crisisNov, d.crisisTotal = figure(t, crisis, "Nov 2026", "New referrals"), figure(t, crisis, "Total", "New referrals")
	seasons := run("seasonality-monthly")
	for _, row := range seasons.Rows {
		for _, y := range []string{"2025", "2026"} {
			d.sum += figure(t, seasons, row[0].Text, y)
		}
	}
	return d
}

// TestDemandCountsReferralsOn reproduces review R1's finding 1: a referral
// an agency made with "Refer this client on", for a need the first did
// not ask for, was counted by the outcomes and partners reports but left
// out of demand by district and by need, seasonality and crisis, so their
// totals disagreed with nothing to say why. New demand is every new
// request for help — first referrals and referrals on — and never a
// redirect or a re-route, which are the same request moving on: the
// demand reports' total is the partners total less those rows.
func TestDemandCountsReferralsOn(t *testing.T) {
	t.Parallel()
	env, rp := seededReports(t)
	ctx := context.Background()
	net := env.Net

	before := readDemand(t, rp)
	if before.redirects == 0 || before.reroutes == 0 {
		t.Fatalf("the seed should have a redirect and a re-route: %+v", before)
	}
	if want := before.partners - before.redirects - before.reroutes; before.district != want || before.need != want ||
		before.crisisTotal != want || before.sum != want {
		t.Errorf("before: new demand is district %d, need %d, crisis %d, seasonality %d; want the partners' %d less %d redirects and %d re-routes = %d",
			before.district, before.need, before.crisisTotal, before.sum, before.partners, before.redirects, before.reroutes, want)
	}

	// Citizens Advice has a client from Housing Options for debt advice,
	// contacted; the adviser refers them on to Housing Options for
	// housing, a need the first referral did not ask for.
	var parent core.ReferralID
	if err := env.Pool.QueryRow(ctx, `SELECT id FROM referrals WHERE to_agency_id = $1 AND from_agency_id = $2
		AND status = 'in-progress' ORDER BY id LIMIT 1`, net.CAB, net.Housing).Scan(&parent); err != nil {
		t.Fatalf("find the contacted client from Housing Options: %v", err)
	}
	if _, err := env.Engine.StaffRefer(ctx, core.StaffReferral{IdempotencyKey: "refer-on-housing", By: net.Adviser.Actor(),
		Parent: parent, Needs: []core.Need{core.NeedHousing}, ToAgency: net.Housing, ConsentConfirmed: true,
		WordingVersion: "v1"}); err != nil {
		t.Fatalf("refer the client on: %v", err)
	}
	if _, err := rp.Refresh(ctx); err != nil {
		t.Fatal(err)
	}

	after := readDemand(t, rp)
	for _, c := range []struct {
		what          string
		before, after int
	}{
		{"partners total", before.partners, after.partners},
		{"outcomes total", before.outcomes, after.outcomes},
		{"demand by district total", before.district, after.district},
		{"demand by district, KY2", before.districtKY2, after.districtKY2},
		{"demand by need, all new referrals", before.need, after.need},
		{"demand by need, housing", before.needHousing, after.needHousing},
		{"seasonality by month, Nov 2026", before.monthNov, after.monthNov},
		{"seasonality by week, week 47 of 2026", before.week47, after.week47},
		{"crisis, new referrals in Nov 2026", before.crisisNov, after.crisisNov},
		{"crisis, new referrals in total", before.crisisTotal, after.crisisTotal},
	} {
		if c.after != c.before+1 {
			t.Errorf("%s: %d before the referral on, %d after; want one more", c.what, c.before, c.after)
		}
	}
	if after.redirects != before.redirects || after.reroutes != before.reroutes {
		t.Errorf("a referral on is the agency's own referral, not a redirect or a re-route: %+v, then %+v", before, after)
	}
	if want := after.partners - after.redirects - after.reroutes; after.district != want || after.need != want || after.sum != want {
		t.Errorf("after: new demand is district %d, need %d, seasonality %d; want %d", after.district, after.need, after.sum, want)
	}
}

// TestEveryReportSaysWhatItCounts: every report carries one plain line
// saying what its figures count and leave out, on the report and in its
// JSON, while the CSV stays a table (every line the header's width, no
// line of words); the demand reports' line names the referrals they leave
// out and the reports that count them.
func TestEveryReportSaysWhatItCounts(t *testing.T) {
	t.Parallel()
	_, rp := seededReports(t)
	ctx := context.Background()
	f := report.Filter{From: time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC), To: time.Date(2026, 11, 20, 0, 0, 0, 0, time.UTC)}
	for _, spec := range report.List() {
		if spec.Counts == "" || strings.Contains(spec.Counts, "\n") {
			t.Errorf("%s: says %q of what it counts, want one line", spec.Name, spec.Counts)
		}
		for _, v := range []report.Viewer{{Network: true}, {Network: true, Publish: true}} {
			r, err := rp.Run(ctx, spec.Name, f, v)
			if err != nil {
				t.Fatal(err)
			}
			if r.Counts != spec.Counts {
				t.Errorf("%s: the report says %q, its spec %q", spec.Name, r.Counts, spec.Counts)
			}
			csvText, recs := writeCSV(t, r)
			for i, rec := range recs {
				if strings.HasPrefix(rec[0], report.CountsLabel) || strings.HasPrefix(rec[0], "Figures as of") {
					t.Errorf("%s: CSV line %d is words, not a row of the table:\n%s", spec.Name, i+1, csvText)
				}
				if len(rec) != len(recs[0]) {
					t.Errorf("%s: CSV line %d has %d fields, the header %d", spec.Name, i+1, len(rec), len(recs[0]))
				}
			}
			doc := writeJSON(t, r)
			if doc["counts"] != spec.Counts {
				t.Errorf("%s: JSON counts = %v", spec.Name, doc["counts"])
			}
		}
	}
	demand, _ := report.Lookup("demand-district")
	for _, words := range []string{"Refer this client on", "Redirects", "re-routes", "partners and outcomes reports"} {
		if !strings.Contains(demand.Counts, words) {
			t.Errorf("demand by district's line %q does not say %q", demand.Counts, words)
		}
	}
}

// writeCSV writes a report as CSV and reads back its lines up to its
// listing, if it has one (a table of its own, with its own columns).
func writeCSV(t *testing.T, r report.Report) (string, [][]string) {
	t.Helper()
	var b bytes.Buffer
	if err := r.WriteCSV(&b); err != nil {
		t.Fatal(err)
	}
	rd := csv.NewReader(bytes.NewReader(b.Bytes()))
	rd.FieldsPerRecord = -1
	recs, err := rd.ReadAll()
	if err != nil {
		t.Fatalf("%s: CSV does not parse: %v", r.Name, err)
	}
	if l := r.Listing; l != nil {
		for i, rec := range recs {
			if i > 0 && strings.Join(rec, "|") == strings.Join(l.Columns, "|") {
				recs = recs[:i]
				break
			}
		}
	}
	return b.String(), recs
}

// writeJSON writes a report as JSON and reads it back.
func writeJSON(t *testing.T, r report.Report) map[string]any {
	t.Helper()
	var b bytes.Buffer
	if err := r.WriteJSON(&b); err != nil {
		t.Fatal(err)
	}
	var doc map[string]any
	if err := json.Unmarshal(b.Bytes(), &doc); err != nil {
		t.Fatalf("%s: JSON does not parse: %v", r.Name, err)
	}
	return doc
}
