package report_test

import (
	"bytes"
	"context"
	"math"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/onward-network/onward/core/coretest"
	"github.com/onward-network/onward/core/report"
)

// TestGainsAgreeWithDirectSums checks the financial gains per agency
// against sums made straight from the referrals: clients with a financial
// gain are distinct clients with a gain the total counts (income or debt
// written off), so a client helped twice is one, and the financial gain
// per client is the total over them; clients with a gain are those with
// any gain the table sums, debt managed included (a review found a
// client whose only gain was debt managed in the debt managed column but
// not among the clients with a gain). Exact for a
// coordinator; "too few to show" (never <5, never the sum) in a copy for
// publication when fewer than 5 clients gained.
func TestGainsAgreeWithDirectSums(t *testing.T) {
	t.Parallel()
	env, rp := seededReports(t)
	ctx := context.Background()
	// The second client with a counted gain at each agency is the first
	// one again: one client helped twice.
	tag, err := env.Pool.Exec(ctx, `
WITH g AS (SELECT id, client_id, to_agency_id, row_number() OVER (PARTITION BY to_agency_id ORDER BY id) AS k FROM referrals
    WHERE status = 'completed' AND greatest(gain_weekly_income_pence, gain_one_off_income_pence, gain_debt_written_off_pence) > 0)
UPDATE referrals r SET client_id = first.client_id FROM g, g AS first
WHERE g.id = r.id AND g.k = 2 AND first.to_agency_id = g.to_agency_id AND first.k = 1`)
	if err != nil || tag.RowsAffected() == 0 {
		t.Fatalf("make a client helped twice: %v, %d referrals", err, tag.RowsAffected())
	}
	all := report.Filter{From: time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC), To: time.Date(2026, 11, 20, 0, 0, 0, 0, time.UTC)}
	exact, err := rp.Run(ctx, "financial-gains", all, report.ViewerFor(env.Net.Coordinator))
	if err != nil {
		t.Fatal(err)
	}
	published, err := rp.Run(ctx, "financial-gains", all, report.ViewerFor(env.Net.Coordinator).Published())
	if err != nil {
		t.Fatal(err)
	}
	rows, _ := env.Pool.Query(ctx, `
SELECT a.name, count(DISTINCT client_id), count(DISTINCT client_id) FILTER (WHERE greatest(gain_weekly_income_pence, gain_one_off_income_pence, gain_debt_written_off_pence) > 0),
    count(*) FILTER (WHERE greatest(gain_weekly_income_pence, gain_one_off_income_pence, gain_debt_written_off_pence) > 0),
    sum(52 * coalesce(gain_weekly_income_pence, 0) + coalesce(gain_one_off_income_pence, 0) + coalesce(gain_debt_written_off_pence, 0)),
    sum(coalesce(gain_debt_managed_pence, 0)), sum(coalesce(gain_weekly_income_pence, 0))
FROM referrals r JOIN agencies a ON a.id = r.to_agency_id
WHERE greatest(gain_weekly_income_pence, gain_one_off_income_pence, gain_debt_written_off_pence, gain_debt_managed_pence) > 0
GROUP BY a.name`)
	n, twice, managedOnly := 0, 0, 0
	var name string
	var anyGain, clients, legs, total, managed, weekly int64
	if _, err := pgx.ForEachRow(rows, []any{&name, &anyGain, &clients, &legs, &total, &managed, &weekly}, func() error {
		n++
		if legs > clients {
			twice++
		}
		row := "By agency › " + name
		if c, _ := cellAt(exact, row, "Clients with a financial gain"); c.Value == nil || int64(*c.Value) != clients {
			t.Errorf("%s: clients with a financial gain %q, direct count of clients %d (of %d referrals)", name, c.Text, clients, legs)
		}
		if anyGain > clients {
			managedOnly++
		}
		if c, _ := cellAt(exact, row, "Clients with a gain"); c.Value == nil || int64(*c.Value) != anyGain {
			t.Errorf("%s: clients with a gain %q, direct count of clients with any gain %d", name, c.Text, anyGain)
		}
		want := map[string]float64{
			"Total financial gain (£)": float64(total) / 100,
			"Debt managed (£)":         float64(managed) / 100,
			"Weekly income gained (£)": float64(weekly) / 100,
		}
		if clients > 0 {
			want["Financial gain per client (£)"] = math.Round(float64(total)/float64(clients)) / 100
		} else if c, _ := cellAt(exact, row, "Financial gain per client (£)"); c.Text != "" {
			t.Errorf("%s: gain per client of no client %q, want none", name, c.Text)
		}
		for col, want := range want {
			c, ok := cellAt(exact, row, col)
			if !ok || c.Value == nil || math.Abs(*c.Value-want) > 0.011 { // to the penny
				t.Errorf("%s / %s: %q, direct sum £%.2f", name, col, c.Text, want)
			}
			p, _ := cellAt(published, row, col)
			if clients > 0 && clients < 5 && col != "Debt managed (£)" && (!p.TooFew || p.Value != nil || p.Text != report.TooFewText) {
				t.Errorf("%s / %s for publication, from %d clients: %+v, want too few to show", name, col, clients, p)
			}
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	if n < 2 || twice == 0 || managedOnly == 0 {
		t.Fatalf("%d agencies with gains, %d with a client helped twice, %d with a client whose only gain is debt managed: the seed lost its gains", n, twice, managedOnly)
	}
	var everyone, counted int64
	if err := env.Pool.QueryRow(ctx, `SELECT count(DISTINCT client_id), count(DISTINCT client_id) FILTER (WHERE
		greatest(gain_weekly_income_pence, gain_one_off_income_pence, gain_debt_written_off_pence) > 0) FROM referrals
		WHERE greatest(gain_weekly_income_pence, gain_one_off_income_pence, gain_debt_written_off_pence, gain_debt_managed_pence) > 0`).Scan(&everyone, &counted); err != nil {
		t.Fatal(err)
	}
	if c, _ := cellAt(exact, "By agency › All agencies", "Clients with a gain"); c.Value == nil || int64(*c.Value) != everyone {
		t.Errorf("all agencies: clients with a gain %q, direct %d (with any gain, debt managed included)", c.Text, everyone)
	}
	if c, _ := cellAt(exact, "By agency › All agencies", "Clients with a financial gain"); c.Value == nil || int64(*c.Value) != counted {
		t.Errorf("all agencies: clients with a financial gain %q, direct %d", c.Text, counted)
	}
}

// TestHelpGivenIsOutOfEveryReferralThatEnded: outcomes by agency and the
// National Standards pack count every referral that reached an end —
// completed, could not contact (failed, with no outcome recorded), turned
// down, redirected, cancelled — so help given is a share of all of them,
// not only of those completed.
func TestHelpGivenIsOutOfEveryReferralThatEnded(t *testing.T) {
	t.Parallel()
	env, rp := seededReports(t)
	ctx := context.Background()
	f := report.Filter{From: time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC), To: time.Date(2026, 11, 20, 0, 0, 0, 0, time.UTC)}
	byAgency, err := rp.Run(ctx, "outcomes-by-agency", f, report.Viewer{Network: true})
	if err != nil {
		t.Fatal(err)
	}
	rows, _ := env.Pool.Query(ctx, `
SELECT coalesce(a.name, 'Triage (no agency yet)'), count(*), count(*) FILTER (WHERE r.outcome = 'help-given'),
    count(*) FILTER (WHERE r.status = 'failed'), count(*) FILTER (WHERE r.status <> 'completed')
FROM referrals r LEFT JOIN agencies a ON a.id = r.to_agency_id
WHERE r.status IN ('completed', 'failed', 'rejected', 'cancelled') GROUP BY 1`)
	var name string
	var ended, helped, failed, notCompleted, allEnded, allHelped, allFailed int64
	if _, err := pgx.ForEachRow(rows, []any{&name, &ended, &helped, &failed, &notCompleted}, func() error {
		allEnded, allHelped, allFailed = allEnded+ended, allHelped+helped, allFailed+failed
		row := "By agency › " + name
		if c, _ := cellAt(byAgency, row, "Total"); c.Value == nil || int64(*c.Value) != ended {
			t.Errorf("%s: %q referrals ended, direct count %d (%d of them not completed)", name, c.Text, ended, notCompleted)
		}
		if c, _ := cellAt(byAgency, row, "Help given (%)"); helped > 0 && (c.Value == nil || *c.Value != math.Round(1000*float64(helped)/float64(ended))/10) {
			t.Errorf("%s: help given %q, direct %d of %d", name, c.Text, helped, ended)
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	if allFailed == 0 || allHelped == allEnded {
		t.Fatalf("the seed should end referrals other than with help: %d failed, %d helped of %d", allFailed, allHelped, allEnded)
	}
	if c, _ := cellAt(byAgency, "By agency › All agencies", "Could not contact"); c.Value == nil || int64(*c.Value) != allFailed {
		t.Errorf("could not contact: %q, direct count of failed referrals %d", c.Text, allFailed)
	}
	if c, _ := cellAt(byAgency, "By agency › All agencies", "Help given (%)"); c.Value == nil || *c.Value != math.Round(1000*float64(allHelped)/float64(allEnded))/10 {
		t.Errorf("all agencies: help given %q, direct %d of %d", c.Text, allHelped, allEnded)
	}
	if spec, _ := report.Lookup("outcomes-by-agency"); !strings.Contains(spec.Description, "Help given (%) is out of every referral that reached an end") {
		t.Errorf("outcomes by agency should say what help given is out of: %q", spec.Description)
	}
}

// TestNationalStandardsPack renders the pack for Citizens Advice: every
// section in order, the rates against the targets agreeing with the
// referrals, a complaints section, and a printable page of its own.
func TestNationalStandardsPack(t *testing.T) {
	t.Parallel()
	env, rp := seededReports(t)
	ctx := context.Background()
	// A referral just made is inside its deadline.
	fresh, err := env.Engine.SelfRefer(ctx, coretest.SelfReferral("pack-not-yet-due"))
	if err != nil || fresh.Referral.ToAgencyID == nil || *fresh.Referral.ToAgencyID != env.Net.CAB {
		t.Fatalf("a referral to the agency just made: %+v, %v", fresh.Referral, err)
	}
	if _, err := rp.Refresh(ctx); err != nil {
		t.Fatal(err)
	}
	f := report.Filter{From: time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC), To: env.Clock.Now().AddDate(0, 0, 1), Agency: env.Net.CAB}
	r, err := rp.Run(ctx, "national-standards", f, report.ViewerFor(env.Net.Adviser))
	if err != nil {
		t.Fatal(err)
	}
	if !r.Sections || r.Suppressed {
		t.Fatalf("pack: sections %v, suppressed %v for the agency's own staff", r.Sections, r.Suppressed)
	}
	var sections []string
	for _, row := range r.Rows {
		if len(sections) == 0 || sections[len(sections)-1] != row[0].Text {
			sections = append(sections, row[0].Text)
		}
	}
	want := []string{"Advice given, by type", "Advice given, by topic", "Acknowledgement and contact against the network's targets",
		"Outcomes", "Client feedback", "Complaints"}
	if strings.Join(sections, "|") != strings.Join(want, "|") {
		t.Errorf("sections %q, want %q", sections, want)
	}
	// Help given is out of every referral to the agency that ended; the
	// acknowledgements in time out of those acknowledged or past their
	// deadline (a funder's review: referrals still inside their deadline
	// counted as missing it, so the rate disagreed with the breaches).
	var due, decided, ontime, ended, helped int64
	if err := env.Pool.QueryRow(ctx, `SELECT count(*) FILTER (WHERE ack_due_at IS NOT NULL),
		count(*) FILTER (WHERE ack_due_at IS NOT NULL AND (acknowledged_at IS NOT NULL OR closed_at > ack_due_at OR closed_at IS NULL AND ack_due_at < $2)),
		count(*) FILTER (WHERE acknowledged_at <= ack_due_at),
		count(*) FILTER (WHERE status IN ('completed', 'failed', 'rejected', 'cancelled')), count(*) FILTER (WHERE outcome = 'help-given')
		FROM referrals WHERE to_agency_id = $1`, env.Net.CAB, env.Clock.Now()).Scan(&due, &decided, &ontime, &ended, &helped); err != nil {
		t.Fatal(err)
	}
	if decided == due {
		t.Fatalf("the seed should hold a referral to the agency still inside its deadline: %d with a deadline, all decided", due)
	}
	for row, want := range map[string]float64{
		"Acknowledgement and contact against the network's targets › Acknowledged within target (%)": math.Round(1000*float64(ontime)/float64(decided)) / 10,
		"Outcomes › Help given (%)": math.Round(1000*float64(helped)/float64(ended)) / 10,
	} {
		c, ok := cellAt(r, row, "Figure")
		if !ok || c.Value == nil || *c.Value != want {
			t.Errorf("%s: %q, direct %.1f", row, c.Text, want)
		}
	}
	if c, _ := cellAt(r, "Acknowledgement and contact against the network's targets › Acknowledged within target (%)", "Target"); c.Text != "Within 16 working hours; crisis referrals within 2 working hours, and by the end of the working day when it arrives on one before 15:00; out of those acknowledged or past their deadline" {
		t.Errorf("acknowledgement target reads %q", c.Text)
	}
	if c, ok := cellAt(r, "Complaints › Complaints received", "Target"); !ok || !strings.Contains(c.Text, "complaints log") {
		t.Errorf("complaints placeholder: %q", c.Text)
	}
	var b bytes.Buffer
	if err := r.Write(&b, "table"); err != nil || !strings.Contains(b.String(), "Type II: casework") {
		t.Errorf("pack as a table: %v\n%s", err, b.String())
	}
}

// TestSentBackFeedback: the feedback on referrals turned down as not
// eligible or inappropriate reaches the referring agency and the
// coordinators, and never a copy for publication.
func TestSentBackFeedback(t *testing.T) {
	t.Parallel()
	env, rp := seededReports(t)
	ctx := context.Background()
	net := env.Net
	all := report.Filter{From: time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC), To: time.Date(2026, 11, 20, 0, 0, 0, 0, time.UTC)}
	welfare, cab := all, all
	welfare.Agency, cab.Agency = net.Welfare, net.CAB
	feedback := func(r report.Report) string {
		if r.Listing == nil {
			return ""
		}
		var out []string
		for _, row := range r.Listing.Rows {
			out = append(out, row[1]+": "+row[4])
		}
		return strings.Join(out, "; ")
	}
	for _, tc := range []struct {
		name string
		f    report.Filter
		v    report.Viewer
		want string
	}{
		{"Welfare Rights' own, its staff", welfare, report.ViewerFor(net.WelfareAdviser), "Kingdom Council Welfare Rights: Outside our area of benefit"},
		{"Welfare Rights', a coordinator", welfare, report.ViewerFor(net.Coordinator), "Kingdom Council Welfare Rights: Outside our area of benefit"},
		{"the network, a coordinator", all, report.ViewerFor(net.Coordinator),
			"Kingdom Council Welfare Rights: Outside our area of benefit; Self-referral (SMS): Needs specialist welfare rights advice"},
		{"Citizens Advice's own: it sent none back", cab, report.ViewerFor(net.Adviser), ""},
		{"Welfare Rights', for publication", welfare, report.ViewerFor(net.Coordinator).Published(), ""},
		{"the network, outside it", all, report.Viewer{}, ""},
	} {
		r, err := rp.Run(ctx, "sent-back", tc.f, tc.v)
		if err != nil {
			t.Fatal(err)
		}
		if got := feedback(r); got != tc.want {
			t.Errorf("%s: feedback %q, want %q", tc.name, got, tc.want)
		}
		if tc.v.Publish && r.Listing != nil {
			t.Errorf("%s: a copy for publication carries the feedback", tc.name)
		}
	}
}
