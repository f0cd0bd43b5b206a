package report_test

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/onward-network/onward/core"
	"github.com/onward-network/onward/core/coretest"
	"github.com/onward-network/onward/core/report"
)

// TestReferrerIsWhoChoseTheLeg builds the three ways a referral leg comes
// about and checks who every report says referred it:
//
//	L1  Citizens Advice refers a client to Welfare Rights, who turn it
//	    down as not eligible;
//	L2  Citizens Advice refers that client on, from L1, to Housing
//	    Options, who have not answered by now;
//	L3  a client texts for housing help and reaches Housing Options,
//	    who redirect it:
//	L4  to Welfare Rights (Housing Options' redirect), who accept;
//	L5  another client texts for housing help; Housing Options turn it
//	    down as not eligible, and Onward re-routes it to triage:
//	L6  a coordinator assigns it to Citizens Advice, who turn it down as
//	    not eligible too, and Onward re-routes it to triage again:
//	L7  a coordinator assigns it to Welfare Rights, who help the client
//	    to a weekly gain.
//
// L2 is Citizens Advice's own referral (not Welfare Rights', whose
// referral it came from); L4 is Housing Options' redirect; L6 and L7 are
// Onward's re-routes, never the referrals of the agency that had just
// turned the client down.
func TestReferrerIsWhoChoseTheLeg(t *testing.T) {
	t.Parallel()
	env := coretest.NewEnv(t)
	s := newReportSeed(t, env)
	ctx := context.Background()
	net := env.Net
	coord, cab, welfare, housing := net.Coordinator, net.Adviser, net.WelfareAdviser, net.HousingAdviser
	housingNeed := []core.Need{core.NeedHousing}

	// withHousing is a self-referral as it reaches Housing Options: sent
	// there, or assigned there from triage.
	withHousing := func(r core.Referral) core.Referral {
		t.Helper()
		if r.ToAgencyID == nil {
			r = s.act(r, 30*minute, core.ActionAssign, coord, toAgency(net.Housing)).Referral
		}
		if *r.ToAgencyID != net.Housing {
			t.Fatalf("a housing text from KY1 went to agency %d, not Housing Options", *r.ToAgencyID)
		}
		return r
	}
	l1 := s.staff(day("2026-11-02", 0), cab, net.Welfare, core.NeedBenefits)
	l1 = s.act(l1, hour, core.ActionReject, welfare, reject(core.ReasonNotEligible, "Outside our area of benefit")).Referral
	env.Clock.Set(l1.StatusAt.Add(hour))
	l2, err := env.Engine.StaffRefer(ctx, core.StaffReferral{IdempotencyKey: s.key(), By: cab.Actor(), Parent: l1.ID,
		Needs: housingNeed, ToAgency: net.Housing, ConsentConfirmed: true, WordingVersion: "v1"})
	if err != nil {
		t.Fatalf("refer on from %s: %v", l1.Reference, err)
	}
	if l2.ParentID == nil || *l2.ParentID != l1.ID {
		t.Fatalf("the refer-on has parent %v, want %d", l2.ParentID, l1.ID)
	}

	l3 := withHousing(s.self(day("2026-11-03", 0), core.SourceSMS, housingNeed, "KY1 1AB", false, ""))
	l4 := s.act(l3, hour, core.ActionRedirect, housing, toAgency(net.Welfare)).Child
	s.act(*l4, hour, core.ActionAccept, welfare)

	l5 := withHousing(s.self(day("2026-11-04", 0), core.SourceSMS, housingNeed, "KY1 1AB", false, ""))
	l6 := s.act(l5, hour, core.ActionReject, housing, reject(core.ReasonNotEligible, "Not in our housing area")).Child
	if l6.ToAgencyID == nil {
		*l6 = s.act(*l6, hour, core.ActionAssign, coord, toAgency(net.CAB)).Referral
	}
	if *l6.ToAgencyID != net.CAB {
		t.Fatalf("the coordinator's assignment went to agency %d", *l6.ToAgencyID)
	}
	l7 := s.act(*l6, hour, core.ActionReject, cab, reject(core.ReasonNotEligible, "Not a money problem")).Child
	if l7.ToAgencyID == nil {
		*l7 = s.act(*l7, hour, core.ActionAssign, coord, toAgency(net.Welfare)).Referral
	}
	if *l7.ToAgencyID != net.Welfare {
		t.Fatalf("the re-routed client went to agency %d, want Welfare Rights", *l7.ToAgencyID)
	}
	done := s.chain(*l7, welfare, hour, core.ActionAccept, hour, core.ActionContact, dayDur, core.ActionComplete)
	if _, err := env.Pool.Exec(ctx, `UPDATE referrals SET gain_weekly_income_pence = 2500 WHERE id = $1`, done.ID); err != nil {
		t.Fatal(err)
	}
	env.Clock.Set(day("2026-11-13", 0)) // L2 is long past its deadline

	rp := report.New(env.Engine.Pool(), env.Engine.Clock())
	if _, err := rp.Refresh(ctx); err != nil {
		t.Fatal(err)
	}
	period := report.Filter{From: time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC), To: time.Date(2026, 11, 13, 0, 0, 0, 0, time.UTC)}
	only := func(a core.AgencyID) report.Filter { f := period; f.Agency = a; return f }
	exact := report.Viewer{Network: true}
	run := func(name string, f report.Filter) report.Report {
		t.Helper()
		r, err := rp.Run(ctx, name, f, exact)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		return r
	}
	const (
		cabName, welfareName, housingName = "Kirkton Citizens Advice", "Kingdom Council Welfare Rights", "Kingdom Housing Options"
		selfSMS, rerouted                 = "Self-referral (SMS)", "Re-routed by Onward after a rejection"
		housingRedirects                  = housingName + " (redirects)"
	)

	// Referrals between partners: who referred whom, every non-zero cell
	// but the totals.
	for _, tc := range []struct {
		name string
		f    report.Filter
		want map[string]string
	}{
		{"the network", period, map[string]string{
			selfSMS + " → " + housingName:          "2", // L3, L5
			cabName + " → " + welfareName:          "1", // L1
			cabName + " → " + housingName:          "1", // L2
			housingRedirects + " → " + welfareName: "1", // L4
			rerouted + " → " + cabName:             "1", // L6
			rerouted + " → " + welfareName:         "1", // L7
		}},
		{"Citizens Advice's figures", only(net.CAB), map[string]string{
			cabName + " → " + welfareName: "1",
			cabName + " → " + housingName: "1",
			rerouted + " → " + cabName:    "1",
		}},
		{"Housing Options' figures", only(net.Housing), map[string]string{
			selfSMS + " → " + housingName:          "2",
			cabName + " → " + housingName:          "1",
			housingRedirects + " → " + welfareName: "1",
		}},
		{"Welfare Rights' figures", only(net.Welfare), map[string]string{
			cabName + " → " + welfareName:          "1",
			housingRedirects + " → " + welfareName: "1",
			rerouted + " → " + welfareName:         "1",
		}},
	} {
		if got := matrixCells(run("partners", tc.f)); !maps.Equal(got, tc.want) {
			t.Errorf("partners, %s:\n got %v\nwant %v", tc.name, sortedCells(got), sortedCells(tc.want))
		}
	}

	// Beyond the network the new rows are suppressed like any other.
	r, err := rp.Run(ctx, "partners", period, report.Viewer{})
	if err != nil {
		t.Fatal(err)
	}
	for _, k := range [][2]string{{housingRedirects, welfareName}, {rerouted, cabName}, {cabName, housingName}} {
		if c, _ := cellAt(r, k[0], k[1]); c.Text != report.SuppressedText || c.Value != nil {
			t.Errorf("partners beyond the network: %s → %s shows %q", k[0], k[1], c.Text)
		}
	}

	// Inappropriate referrals by referrer: L6's rejection is counted
	// against Onward's re-route, not against Housing Options, who had
	// turned the client down before it.
	for _, tc := range []struct {
		name     string
		f        report.Filter
		want     map[string]string // referrer: sent, not eligible
		feedback string
	}{
		{"the network", period, map[string]string{
			cabName: "2 1", housingRedirects: "1 0", selfSMS: "2 1", rerouted: "2 1"},
			rerouted + ": Not a money problem; " + selfSMS + ": Not in our housing area; " + cabName + ": Outside our area of benefit"},
		{"Citizens Advice's figures", only(net.CAB), map[string]string{cabName: "2 1"}, cabName + ": Outside our area of benefit"},
		{"Housing Options' figures", only(net.Housing), map[string]string{housingRedirects: "1 0"}, ""},
		{"Welfare Rights' figures", only(net.Welfare), map[string]string{}, ""},
	} {
		r := run("sent-back", tc.f)
		got := map[string]string{}
		for _, row := range r.Rows {
			if label := row[0].Text; label != "All referrers" {
				got[label] = row[1].Text + " " + row[2].Text
			}
		}
		if !maps.Equal(got, tc.want) {
			t.Errorf("sent-back, %s:\n got %v\nwant %v", tc.name, got, tc.want)
		}
		var feedback []string
		for _, row := range r.Listing.Rows {
			feedback = append(feedback, row[1]+": "+row[4])
		}
		if got := strings.Join(feedback, "; "); got != tc.feedback {
			t.Errorf("sent-back feedback, %s:\n got %q\nwant %q", tc.name, got, tc.feedback)
		}
	}

	// An agency's filtered figures hold what it received and what it
	// referred: L2 waits past its deadline among Citizens Advice's
	// referrals, and not Welfare Rights'; Welfare Rights' help to the
	// client Onward re-routed (L7) is not among Citizens Advice's.
	if c, ok := cellAt(run("breaches", only(net.CAB)), housingName, "Waiting past deadline now"); !ok || c.Text != "1" {
		t.Errorf("Citizens Advice's breaches: its referral waiting at Housing Options shows %q", c.Text)
	}
	if _, ok := cellAt(run("breaches", only(net.Welfare)), housingName, "Waiting past deadline now"); ok {
		t.Errorf("Welfare Rights' breaches count Citizens Advice's referral on from theirs")
	}
	if c, ok := cellAt(run("financial-gains", period), "By agency › "+welfareName, "Clients with a gain"); !ok || c.Text != "1" {
		t.Errorf("the network's gains: Welfare Rights' client shows %q", c.Text)
	}
	if _, ok := cellAt(run("financial-gains", only(net.CAB)), "By agency › "+welfareName, "Clients with a gain"); ok {
		t.Errorf("Citizens Advice's gains hold Welfare Rights' help to a client Onward re-routed")
	}
	if c, _ := cellAt(run("outcomes-by-agency", only(net.CAB)), "By agency › "+welfareName, "Total"); c.Text != "1" {
		t.Errorf("outcomes by agency, Citizens Advice's figures: Welfare Rights ended %q of them, want 1 (L1, not L7)", c.Text)
	}

	// /onward stats: the referrals an agency made itself.
	for _, tc := range []struct {
		agency core.AgencyID
		want   int64
	}{{net.CAB, 2}, {net.Housing, 0}, {net.Welfare, 0}} {
		a, err := env.Engine.Agency(ctx, tc.agency)
		if err != nil {
			t.Fatal(err)
		}
		sum, err := rp.Summary(ctx, a, period.From, period.To)
		if err != nil {
			t.Fatal(err)
		}
		if sum.ReferralsMadeByThem != tc.want {
			t.Errorf("%s made %d referrals, the summary says %d", a.Name, tc.want, sum.ReferralsMadeByThem)
		}
	}
}

// matrixCells is a partners matrix's non-zero cells but the totals, as
// "from → to": count.
func matrixCells(r report.Report) map[string]string {
	out := map[string]string{}
	for _, row := range r.Rows {
		if row[0].Text == "Total" {
			continue
		}
		for j := 1; j < len(row)-1; j++ {
			if row[j].Text != "0" && row[j].Text != "" {
				out[row[0].Text+" → "+r.Columns[j]] = row[j].Text
			}
		}
	}
	return out
}

func sortedCells(m map[string]string) []string {
	var out []string
	for k, v := range m {
		out = append(out, fmt.Sprintf("%s: %s", k, v))
	}
	slices.Sort(out)
	return out
}
