package report_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/onward-network/onward/core"
	"github.com/onward-network/onward/core/coretest"
	"github.com/onward-network/onward/core/report"
)

// Columns of the open-as-at report.
const (
	openCol       = "Open"
	triageCol     = "In triage (waiting for a coordinator)"
	waitingCol    = "Waiting for the agency's answer"
	heldCol       = "On the waiting list"
	acceptedCol   = "Accepted, client not yet contacted"
	contactedCol  = "Client contacted (in progress)"
	under5Col     = "Open under 5 working days"
	fiveTo10Col   = "Open 5–10 working days"
	elevenTo20Col = "Open 11–20 working days"
	over20Col     = "Open over 20 working days"
)

// staffNetwork makes a staff referral whose client agreed to every agency
// of the network, so that it can be redirected.
func (s *reportSeed) staffNetwork(at time.Time, by core.Staff, to core.AgencyID, client core.ClientID) core.Referral {
	s.t.Helper()
	s.env.Clock.Set(at)
	in := core.StaffReferral{IdempotencyKey: s.key(), By: by.Actor(), Needs: []core.Need{core.NeedDebt}, ToAgency: to,
		ConsentConfirmed: true, WordingVersion: "v1", Scope: core.ScopeNetwork, ExistingClient: client}
	if client == 0 {
		in.Client = core.ClientDetails{Name: "Iain Rennie", Phone: fmt.Sprintf("07700 900%03d", s.n), Postcode: "KY2 5XY"}
	}
	r, err := s.env.Engine.StaffRefer(s.ctx, in)
	if err != nil {
		s.t.Fatalf("staff referral: %v", err)
	}
	return r
}

// actAt applies an action at a moment.
func (s *reportSeed) actAt(r core.Referral, at time.Time, a core.Action, by core.Staff, opts ...func(*core.TransitionRequest)) core.TransitionResult {
	s.t.Helper()
	return s.act(r, at.Sub(r.StatusAt), a, by, opts...)
}

// openRun runs the open-as-at report as at the end of the day to, for
// viewer v.
func openRun(t *testing.T, env *coretest.Env, f report.Filter, v report.Viewer) report.Report {
	t.Helper()
	rp := report.New(env.Engine.Pool(), env.Engine.Clock())
	if f.From.IsZero() {
		f.From = f.To.AddDate(0, 0, -30)
	}
	r, err := rp.Run(context.Background(), "open-as-at", f, v)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// date is a date as a Filter holds it (UTC midnight).
func date(s string) time.Time {
	d, err := time.Parse(time.DateOnly, s)
	if err != nil {
		panic(err)
	}
	return d
}

// want checks a row of the report: each column named, its text.
func wantRow(t *testing.T, r report.Report, row string, want map[string]string) {
	t.Helper()
	for col, w := range want {
		c, ok := cellAt(r, row, col)
		got := c.Text
		if !ok {
			got = "(no such row or column)"
		}
		if got != w {
			t.Errorf("as at %s, %s / %s = %q, want %q", r.At.Format(time.RFC3339), row, col, got, w)
		}
	}
}

// wantNoRow checks the report has no row labelled row.
func wantNoRow(t *testing.T, r report.Report, row string) {
	t.Helper()
	if c, ok := cellAt(r, row, openCol); ok {
		t.Errorf("as at %s, %s has a row (%s open); want none", r.At.Format(time.RFC3339), row, c.Text)
	}
}

// TestOpenAsAtFromHistory: the open caseload as at a day is rebuilt from
// each referral's history, not its status now. A referral open at the
// end of 31 March and completed on 2 April counts as at 31 March; one
// completed before does not, nor one made after. One put on the waiting
// list and later resumed and accepted stands where it stood at each
// moment. A redirected referral counts at the agency that held it until
// the redirect, and at the new one only after; a crisis text waits in
// triage until a coordinator assigns it.
func TestOpenAsAtFromHistory(t *testing.T) {
	t.Parallel()
	env := coretest.NewEnv(t)
	s := newReportSeed(t, env)
	net := env.Net
	by, cab, housing := net.WelfareAdviser, net.Adviser, net.HousingAdviser
	cabName, housingName := "Kirkton Citizens Advice", "Kingdom Housing Options"

	// Open at the end of 31 March, in contact, completed on 2 April.
	closedAfter := s.staff(day("2026-03-10", 0), by, net.CAB, core.NeedDebt)
	closedAfter = s.chain(closedAfter, cab, hour, core.ActionAccept, dayDur, core.ActionContact)
	closedBefore := s.staff(day("2026-03-02", 0), by, net.CAB, core.NeedDebt)
	s.chain(closedBefore, cab, hour, core.ActionAccept, dayDur, core.ActionContact, 3*dayDur, core.ActionComplete)
	// Held on 17 March, resumed (back to waiting) on 1 April, accepted on 2 April.
	held := s.staff(day("2026-03-16", 0), by, net.CAB, core.NeedDebt)
	held = s.actAt(held, day("2026-03-17", 0), core.ActionHold, cab).Referral
	// Waiting at Citizens Advice until it redirects the client to
	// Housing Options on 1 April.
	redirected := s.staffNetwork(day("2026-03-23", 0), by, net.CAB, 0)
	// A crisis text on 30 March, assigned to Citizens Advice on 1 April.
	crisis := s.self(day("2026-03-30", 0), core.SourceSMS, []core.Need{core.NeedFood}, "KY2 6CD", true, "")
	if crisis.ToAgencyID != nil {
		t.Fatalf("the crisis text went to agency %d, not triage", *crisis.ToAgencyID)
	}

	// 1 and 2 April.
	s.actAt(held, day("2026-04-01", 0), core.ActionResume, cab)
	child := s.actAt(redirected, day("2026-04-01", 2*hour), core.ActionRedirect, cab, toAgency(net.Housing)).Child
	s.actAt(crisis, day("2026-04-01", 3*hour), core.ActionAssign, net.Coordinator, toAgency(net.CAB))
	s.staff(day("2026-04-01", 4*hour), by, net.CAB, core.NeedDebt) // made after 31 March
	s.actAt(closedAfter, day("2026-04-02", 0), core.ActionComplete, cab)
	s.actAt(held, day("2026-04-02", hour), core.ActionAccept, cab)
	s.chain(*child, housing, 20*dayDur, core.ActionCancel)
	env.Clock.Set(day("2026-05-29", 0))

	coord := report.ViewerFor(net.Coordinator)
	r := openRun(t, env, report.Filter{To: date("2026-03-31")}, coord)
	if want := "As at 23:59 BST on 31 March 2026, the end of the dates."; r.AtText() != want {
		t.Errorf("as-at text %q, want %q", r.AtText(), want)
	}
	wantRow(t, r, cabName, map[string]string{openCol: "3", waitingCol: "1", heldCol: "1", acceptedCol: "0", contactedCol: "1", triageCol: "0"})
	wantRow(t, r, "Triage (no agency yet)", map[string]string{openCol: "1", triageCol: "1"})
	wantNoRow(t, r, housingName)
	wantRow(t, r, "Total", map[string]string{openCol: "4", triageCol: "1", waitingCol: "1", heldCol: "1", contactedCol: "1"})

	// Before the hold: waiting for Citizens Advice's answer.
	r = openRun(t, env, report.Filter{To: date("2026-03-16")}, coord)
	wantRow(t, r, cabName, map[string]string{openCol: "2", waitingCol: "1", contactedCol: "1", heldCol: "0"})

	// 1 April: the held referral resumed is waiting again, the redirected
	// client is at Housing Options only, the crisis text at Citizens
	// Advice, and the referral made that day is open.
	r = openRun(t, env, report.Filter{To: date("2026-04-01")}, coord)
	wantRow(t, r, cabName, map[string]string{openCol: "4", waitingCol: "3", heldCol: "0", contactedCol: "1"})
	wantRow(t, r, housingName, map[string]string{openCol: "1", waitingCol: "1"})
	wantNoRow(t, r, "Triage (no agency yet)")

	// 2 April: accepted; the completed referral is gone.
	r = openRun(t, env, report.Filter{To: date("2026-04-02")}, coord)
	wantRow(t, r, cabName, map[string]string{openCol: "3", waitingCol: "2", acceptedCol: "1", contactedCol: "0"})
	wantRow(t, r, "Total", map[string]string{openCol: "4"})

	// The JSON carries the moment, in the network's time zone.
	if got := writeJSON(t, r)["as_at"]; got != "2026-04-03T00:00:00+01:00" {
		t.Errorf("JSON as_at = %v", got)
	}
}

// TestOpenAsAtNotOverYet: dates whose last day is not over count as at
// now (before the rollups are first counted) or the latest count, and
// say so.
func TestOpenAsAtNotOverYet(t *testing.T) {
	t.Parallel()
	env := coretest.NewEnv(t)
	s := newReportSeed(t, env)
	net := env.Net
	s.staff(day("2026-06-01", 0), net.WelfareAdviser, net.CAB, core.NeedDebt)
	env.Clock.Set(day("2026-06-01", 2*hour))
	r := openRun(t, env, report.Filter{To: date("2026-06-30")}, report.ViewerFor(net.Coordinator))
	if want := "As at 13:00 BST on 1 June 2026, the latest count: the dates are not over yet."; r.AtText() != want {
		t.Errorf("as-at text %q, want %q", r.AtText(), want)
	}
	if !strings.Contains(strings.Join(r.Notes, " "), "not over yet") {
		t.Errorf("notes %q say nothing of the dates not being over", r.Notes)
	}
	wantRow(t, r, "Kirkton Citizens Advice", map[string]string{openCol: "1"})

	// Counted at 13:30; a referral made since is not in the figures.
	env.Clock.Set(day("2026-06-01", 2*hour+30*minute))
	if _, err := report.New(env.Engine.Pool(), env.Engine.Clock()).Refresh(context.Background()); err != nil {
		t.Fatal(err)
	}
	s.staff(day("2026-06-01", 3*hour), net.WelfareAdviser, net.CAB, core.NeedDebt)
	r = openRun(t, env, report.Filter{To: date("2026-06-30")}, report.ViewerFor(net.Coordinator))
	if !r.At.Equal(r.AsOf) || !strings.HasPrefix(r.AtText(), "As at 13:30 BST on 1 June 2026") {
		t.Errorf("as at %v (%q), figures as of %v; want both the latest count", r.At, r.AtText(), r.AsOf)
	}
	wantRow(t, r, "Kirkton Citizens Advice", map[string]string{openCol: "1"})
}

// TestOpenAsAtAgesInWorkingDays: how long a referral had been open is
// counted in the network's working days, bank holidays left out, as the
// reminders count them.
func TestOpenAsAtAgesInWorkingDays(t *testing.T) {
	t.Parallel()
	env := coretest.NewEnv(t)
	s := newReportSeed(t, env)
	net := env.Net
	if _, err := env.Pool.Exec(context.Background(), `INSERT INTO bank_holidays (day, name) VALUES ('2026-05-04', 'Early May bank holiday')`); err != nil {
		t.Fatal(err)
	}
	// As at the end of Monday 4 May, a bank holiday: made on Monday 27
	// April, 4 working days (5 were the holiday not one); on Friday 17
	// April, 10 (not 11); on 1 April, over 20; on 4 May itself, none.
	for _, d := range []string{"2026-04-27", "2026-04-17", "2026-04-01", "2026-05-04"} {
		s.staff(day(d, 0), net.WelfareAdviser, net.CAB, core.NeedDebt)
	}
	env.Clock.Set(day("2026-05-29", 0))
	r := openRun(t, env, report.Filter{To: date("2026-05-04")}, report.ViewerFor(net.Coordinator))
	wantRow(t, r, "Kirkton Citizens Advice", map[string]string{openCol: "4", under5Col: "2", fiveTo10Col: "1", elevenTo20Col: "0", over20Col: "1"})
	// By the end of Tuesday 5 May the one made on 27 April had been open 5
	// working days, and the one made on 17 April 11.
	r = openRun(t, env, report.Filter{To: date("2026-05-05")}, report.ViewerFor(net.Coordinator))
	wantRow(t, r, "Kirkton Citizens Advice", map[string]string{under5Col: "1", fiveTo10Col: "1", elevenTo20Col: "1", over20Col: "1"})
}

// TestOpenAsAtAgencyAndViewer: with an agency, the report counts the
// referrals it held and those it had referred that were open elsewhere;
// a client with two referrals open at one agency counts once there; an
// adviser sees their own agency's figures exactly and anything wider,
// or published, with small numbers suppressed.
func TestOpenAsAtAgencyAndViewer(t *testing.T) {
	t.Parallel()
	env := coretest.NewEnv(t)
	s := newReportSeed(t, env)
	net := env.Net
	for range 6 {
		s.staff(day("2026-03-02", 0), net.WelfareAdviser, net.CAB, core.NeedDebt)
	}
	fromCAB := s.staffNetwork(day("2026-03-03", 0), net.Adviser, net.Welfare, 0)
	s.staff(day("2026-03-04", 0), net.WelfareAdviser, net.Housing, core.NeedDebt)
	// The client Citizens Advice referred to Welfare Rights is referred
	// there a second time, by a colleague: still one client there.
	s.staffNetwork(day("2026-03-05", 0), net.Adviser2, net.Welfare, fromCAB.ClientID)
	cabName, welfareName, housingName := "Kirkton Citizens Advice", "Kingdom Council Welfare Rights", "Kingdom Housing Options"
	to := date("2026-03-31")
	env.Clock.Set(day("2026-05-29", 0))

	r := openRun(t, env, report.Filter{To: to}, report.ViewerFor(net.Coordinator))
	wantRow(t, r, welfareName, map[string]string{openCol: "1"})
	wantRow(t, r, "Total", map[string]string{openCol: "8"})

	cabOnly := report.Filter{To: to, Agency: net.CAB}
	r = openRun(t, env, cabOnly, report.ViewerFor(net.Coordinator))
	wantRow(t, r, cabName, map[string]string{openCol: "6"})
	wantRow(t, r, welfareName, map[string]string{openCol: "1"})
	wantNoRow(t, r, housingName)
	wantRow(t, r, "Total", map[string]string{openCol: "7"})

	// An adviser of Citizens Advice: their own agency exactly, even the
	// small count of the referral it sent to Welfare Rights.
	adviser := report.ViewerFor(net.Adviser)
	r = openRun(t, env, report.ScopeFilter(net.Adviser, report.Filter{To: to}), adviser)
	if r.Suppressed {
		t.Error("an adviser's own agency's caseload is suppressed")
	}
	wantRow(t, r, welfareName, map[string]string{openCol: "1"})
	wantNoRow(t, r, housingName)
	// The network's figures, asked by the adviser, and a copy for
	// publication are suppressed: 1 to 4 is "<5".
	for _, v := range []report.Viewer{adviser, report.ViewerFor(net.Coordinator).Published()} {
		r = openRun(t, env, report.Filter{To: to}, v)
		if !r.Suppressed {
			t.Errorf("viewer %+v: not suppressed", v)
		}
		wantRow(t, r, housingName, map[string]string{openCol: report.SuppressedText, waitingCol: report.SuppressedText})
		wantRow(t, r, welfareName, map[string]string{openCol: report.SuppressedText})
		// 8 open less Citizens Advice's 6 would say both others hold 1.
		if c, _ := cellAt(r, cabName, openCol); !c.Suppressed || c.Value != nil {
			t.Errorf("viewer %+v: Citizens Advice's 6 open shows as %q beside the total", v, c.Text)
		}
	}
	_, recs := writeCSV(t, r)
	if head := strings.Join(recs[0], ","); !strings.Contains(head, openCol+"_suppressed") {
		t.Errorf("published CSV header %q has no suppression flag", head)
	}
}
