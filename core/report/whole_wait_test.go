package report_test

import (
	"context"
	"math"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/onward-network/onward/core"
	"github.com/onward-network/onward/core/coretest"
	"github.com/onward-network/onward/core/report"
)

// wholeWaitRequests writes five requests for help in November 2026 and
// returns the hours each contacted one waited in all, the self-referral's
// first:
//   - a client's text for debt, triaged, assigned, turned down by the
//     agency, re-routed by Onward and contacted by the next (moved);
//   - a client's web form for benefits and debt, redirected from the
//     agency it reached to the other, which contacts them (moved);
//   - Housing Options refers a client to Citizens Advice, which contacts
//     them and then refers them on to Welfare Rights ("Refer this client
//     on"): the referral on is a request of its own, still waiting;
//   - Welfare Rights refers a client to Citizens Advice: still waiting;
//   - Housing Options refers a client to Citizens Advice, which accepts
//     and then could not reach them: closed without contact, not waiting.
func wholeWaitRequests(t *testing.T, env *coretest.Env) []float64 {
	t.Helper()
	s := newReportSeed(t, env)
	net := env.Net
	ctx := context.Background()
	coord := net.Coordinator
	asked := day("2026-11-04", 0)
	r := s.self(asked, core.SourceSMS, []core.Need{core.NeedDebt}, "KY1 2EF", true, "")
	if r.ToAgencyID != nil {
		t.Fatalf("the crisis text should wait in triage, not go to agency %d", *r.ToAgencyID)
	}
	r = s.act(r, 3*hour, core.ActionAssign, coord, toAgency(net.CAB)).Referral
	next := s.act(r, 5*hour, core.ActionReject, net.Adviser, reject(core.ReasonInappropriate, "Needs specialist welfare rights advice")).Child
	if next == nil {
		t.Fatal("Onward did not carry the client on after the rejection")
	}
	if next.ToAgencyID == nil {
		*next = s.act(*next, 2*hour, core.ActionAssign, coord, toAgency(net.Welfare)).Referral
	}
	contacted := s.chain(*next, net.WelfareAdviser, 30*minute, core.ActionAccept, 4*hour, core.ActionContact)
	waits := []float64{contacted.StatusAt.Sub(asked).Hours()}

	asked = day("2026-11-05", 0)
	r = s.self(asked, core.SourceWeb, []core.Need{core.NeedBenefits, core.NeedDebt}, "KY1 9AA", false, "")
	if r.ToAgencyID == nil {
		r = s.act(r, 40*minute, core.ActionAssign, coord, toAgency(net.CAB)).Referral
	}
	first, then := net.Adviser, net.WelfareAdviser
	if *r.ToAgencyID == net.Welfare {
		first, then = net.WelfareAdviser, net.Adviser
	}
	child := s.act(r, 2*hour, core.ActionRedirect, first, toAgency(then.AgencyID)).Child
	contacted = s.chain(*child, then, hour, core.ActionAccept, 40*hour, core.ActionContact)
	waits = append(waits, contacted.StatusAt.Sub(asked).Hours())

	asked = day("2026-11-06", 0)
	r = s.staff(asked, net.HousingAdviser, net.CAB, core.NeedDebt)
	contacted = s.chain(r, net.Adviser, hour, core.ActionAccept, 2*hour, core.ActionContact)
	waits = append(waits, contacted.StatusAt.Sub(asked).Hours())
	env.Clock.Set(day("2026-11-07", 0))
	if _, err := env.Engine.StaffRefer(ctx, core.StaffReferral{IdempotencyKey: "whole-wait-refer-on", By: net.Adviser.Actor(),
		Parent: contacted.ID, Needs: []core.Need{core.NeedBenefits}, ToAgency: net.Welfare, ConsentConfirmed: true,
		WordingVersion: "v1"}); err != nil {
		t.Fatalf("refer the client on: %v", err)
	}

	s.staff(day("2026-11-09", 0), net.WelfareAdviser, net.CAB, core.NeedDebt)
	unreached := s.staff(day("2026-11-10", 0), net.HousingAdviser, net.CAB, core.NeedDebt)
	s.chain(unreached, net.Adviser, hour, core.ActionAccept, 3*dayDur, core.ActionFail)
	env.Clock.Set(day("2026-11-20", 0))
	return waits
}

// percentileCont is PostgreSQL's percentile_cont of sorted values.
func percentileCont(sorted []float64, p float64) float64 {
	x := p * float64(len(sorted)-1)
	i := int(math.Floor(x))
	if i+1 >= len(sorted) {
		return sorted[i]
	}
	return sorted[i] + (x-float64(i))*(sorted[i+1]-sorted[i])
}

// TestWholeWaitCountsRequestsNotReferrals: the whole wait is timed per
// request for help, from its first referral being made, through triage,
// a rejection and Onward's re-route, and a redirect, to the first contact
// with the client; a redirected request counts once, with its move; a
// "Refer this client on" is a request of its own; requests not contacted
// count as still waiting while open, and as closed without contact once
// closed; the median and 90th percentile are those of
// the requests' own waits.
func TestWholeWaitCountsRequestsNotReferrals(t *testing.T) {
	t.Parallel()
	env := coretest.NewEnv(t)
	waits := wholeWaitRequests(t, env)
	ctx := context.Background()
	rp := report.New(env.Engine.Pool(), env.Engine.Clock())
	if _, err := rp.Refresh(ctx); err != nil {
		t.Fatal(err)
	}
	f := report.Filter{From: time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC), To: time.Date(2026, 11, 20, 0, 0, 0, 0, time.UTC)}
	r, err := rp.Run(ctx, "whole-wait", f, report.Viewer{Network: true})
	if err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	_ = r.WriteTable(&b)
	t.Log(b.String())
	const stayed, moved, all = "Stayed where first sent", "Moved on at least once (redirected, or re-routed after a rejection)", "All requests"
	for _, c := range []struct {
		row, col string
		want     int
	}{
		{all, "Requests", 6}, {all, "Client contacted", 3}, {all, "Still waiting for contact", 2}, {all, "Closed without contact", 1},
		{all, "Acknowledged", 4},
		{moved, "Requests", 2}, {moved, "Client contacted", 2}, {moved, "Still waiting for contact", 0}, {moved, "Closed without contact", 0},
		{stayed, "Requests", 4}, {stayed, "Client contacted", 1}, {stayed, "Still waiting for contact", 2}, {stayed, "Closed without contact", 1},
	} {
		if got := figure(t, r, c.row, c.col); got != c.want {
			t.Errorf("%q / %q = %d, want %d", c.row, c.col, got, c.want)
		}
	}

	// The self-referral waited from the client's text: 3 hours in triage,
	// 5 at Citizens Advice, then the re-route, 30 minutes and 4 hours at
	// the next: 12.5 hours at least, not the 4.5 its last referral took.
	if waits[0] < 12.5 {
		t.Fatalf("the self-referral's whole wait is %.1f hours, want at least 12.5", waits[0])
	}
	moves := []float64{waits[0], waits[1]}
	slices.Sort(moves)
	sorted := slices.Clone(waits)
	slices.Sort(sorted)
	for _, c := range []struct {
		row, col string
		want     float64
	}{
		{moved, "Median calendar hours to contact", percentileCont(moves, 0.5)},
		{moved, "90th percentile calendar hours to contact", percentileCont(moves, 0.9)},
		{stayed, "Median calendar hours to contact", waits[2]},
		{all, "Median calendar hours to contact", percentileCont(sorted, 0.5)},
		{all, "90th percentile calendar hours to contact", percentileCont(sorted, 0.9)},
	} {
		cell, ok := cellAt(r, c.row, c.col)
		if !ok {
			t.Fatalf("no cell %q / %q", c.row, c.col)
		}
		if want := strconv.FormatFloat(math.Round(c.want*10)/10, 'f', 1, 64); cell.Text != want {
			t.Errorf("%q / %q = %q, want %s (waits %v)", c.row, c.col, cell.Text, want, waits)
		}
	}

	// The response-times report times each referral from reaching its
	// agency: none of its times is the whole wait.
	rt, err := rp.Run(ctx, "response-times", f, report.Viewer{Network: true})
	if err != nil {
		t.Fatal(err)
	}
	if c, _ := cellAt(rt, "All agencies", "90th percentile calendar hours to contact"); c.Value == nil || *c.Value >= percentileCont(sorted, 0.9) {
		t.Errorf("response times' 90th percentile to contact is %q; the whole wait's should be longer", c.Text)
	}

	// Published, the small counts are hidden and none can be worked back.
	pub, err := rp.Run(ctx, "whole-wait", f, report.ViewerFor(env.Net.Coordinator).Published())
	if err != nil {
		t.Fatal(err)
	}
	if c, _ := cellAt(pub, all, "Median calendar hours to contact"); c.Text != report.TooFewText {
		t.Errorf("published median of 3 requests shows %q, want %q", c.Text, report.TooFewText)
	}
}

// TestWholeWaitOverTooManyReferralsSaysSo: over dates holding more
// referrals across the network than are read one by one, the whole wait
// is not worked out (no running total holds it, and reading every request
// would take seconds); the report shows no figures and says to choose
// fewer dates, rather than keeping a coordinator waiting or estimating
// from nothing.
func TestWholeWaitOverTooManyReferralsSaysSo(t *testing.T) {
	// Not in parallel: it changes the package's limit of exact
	// times, which the package's other tests read.
	env := coretest.NewEnv(t)
	wholeWaitRequests(t, env)
	ctx := context.Background()
	rp := report.New(env.Engine.Pool(), env.Engine.Clock())
	if _, err := rp.Refresh(ctx); err != nil {
		t.Fatal(err)
	}
	f := report.Filter{From: time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC), To: time.Date(2026, 11, 20, 0, 0, 0, 0, time.UTC)}
	report.SetExactTimesLimit(t, 3)
	r, err := rp.Run(ctx, "whole-wait", f, report.Viewer{Network: true})
	if err != nil {
		t.Fatal(err)
	}
	if len(r.Rows) != 0 {
		t.Errorf("over the limit the report shows %d rows, want none", len(r.Rows))
	}
	if !slices.ContainsFunc(r.Notes, func(n string) bool {
		return strings.HasPrefix(n, "Not worked out: these dates hold more than 3 referrals") && strings.Contains(n, "Choose fewer dates")
	}) {
		t.Errorf("the report does not say why it shows nothing: %q", r.Notes)
	}
	report.SetExactTimesLimit(t, 1000)
	if r, err := rp.Run(ctx, "whole-wait", f, report.Viewer{Network: true}); err != nil || len(r.Rows) != 3 {
		t.Errorf("under the limit: %d rows, %v; want the three rows", len(r.Rows), err)
	}
}
