package report_test

import (
	"bytes"
	"context"
	"math"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/onward-network/onward/core/report"
)

// TestGainsAgreeWithDirectSums checks the financial gains per agency
// against sums made straight from the referrals: exact for a coordinator,
// and "too few to show" (never <5, never the sum) in a copy for
// publication when fewer than 5 clients gained.
func TestGainsAgreeWithDirectSums(t *testing.T) {
	env, rp := seededReports(t)
	ctx := context.Background()
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
SELECT a.name, count(*),
    sum(52 * coalesce(gain_weekly_income_pence, 0) + coalesce(gain_one_off_income_pence, 0) + coalesce(gain_debt_written_off_pence, 0)),
    sum(coalesce(gain_debt_managed_pence, 0)), sum(coalesce(gain_weekly_income_pence, 0))
FROM referrals r JOIN agencies a ON a.id = r.to_agency_id
WHERE greatest(gain_weekly_income_pence, gain_one_off_income_pence, gain_debt_written_off_pence, gain_debt_managed_pence) > 0
GROUP BY a.name`)
	n := 0
	var name string
	var clients, total, managed, weekly int64
	if _, err := pgx.ForEachRow(rows, []any{&name, &clients, &total, &managed, &weekly}, func() error {
		n++
		row := "By agency › " + name
		for col, want := range map[string]float64{
			"Total financial gain (£)": float64(total) / 100,
			"Debt managed (£)":         float64(managed) / 100,
			"Weekly income gained (£)": float64(weekly) / 100,
			"Gain per client (£)":      math.Round(float64(total)/float64(clients)) / 100,
		} {
			c, ok := cellAt(exact, row, col)
			if !ok || c.Value == nil || math.Abs(*c.Value-want) > 0.011 { // to the penny
				t.Errorf("%s / %s: %q, direct sum £%.2f", name, col, c.Text, want)
			}
			p, _ := cellAt(published, row, col)
			if clients < 5 && (!p.TooFew || p.Value != nil || p.Text != report.TooFewText) {
				t.Errorf("%s / %s for publication, from %d clients: %+v, want too few to show", name, col, clients, p)
			}
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	if n < 2 {
		t.Fatalf("only %d agencies with gains: the seed lost its gains", n)
	}
}

// TestNationalStandardsPack renders the pack for Citizens Advice: every
// section in order, the rates against the targets agreeing with the
// referrals, a complaints section, and a printable page of its own.
func TestNationalStandardsPack(t *testing.T) {
	env, rp := seededReports(t)
	ctx := context.Background()
	f := report.Filter{From: time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC), To: time.Date(2026, 11, 20, 0, 0, 0, 0, time.UTC), Agency: env.Net.CAB}
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
	var due, ontime, closed, helped int64
	if err := env.Pool.QueryRow(ctx, `SELECT count(*) FILTER (WHERE ack_due_at IS NOT NULL), count(*) FILTER (WHERE acknowledged_at <= ack_due_at),
		count(*) FILTER (WHERE outcome IS NOT NULL OR status = 'completed'), count(*) FILTER (WHERE outcome = 'help-given')
		FROM referrals WHERE to_agency_id = $1`, env.Net.CAB).Scan(&due, &ontime, &closed, &helped); err != nil {
		t.Fatal(err)
	}
	for row, want := range map[string]float64{
		"Acknowledgement and contact against the network's targets › Acknowledged within target (%)": math.Round(1000*float64(ontime)/float64(due)) / 10,
		"Outcomes › Help given (%)": math.Round(1000*float64(helped)/float64(closed)) / 10,
	} {
		c, ok := cellAt(r, row, "Figure")
		if !ok || c.Value == nil || *c.Value != want {
			t.Errorf("%s: %q, direct %.1f", row, c.Text, want)
		}
	}
	if c, _ := cellAt(r, "Acknowledgement and contact against the network's targets › Acknowledged within target (%)", "Target"); c.Text != "Within 16 working hours; crisis referrals the network's crisis target" {
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
