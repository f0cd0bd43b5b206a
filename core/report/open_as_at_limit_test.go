package report_test

import (
	"strings"
	"testing"
	"time"

	"github.com/onward-network/onward/core"
	"github.com/onward-network/onward/core/coretest"
	"github.com/onward-network/onward/core/report"
)

// TestOpenAsAtPastTheLimit: with as many referrals open across the
// network as the limit, the report counts them all; with one more it
// counts none and says why. Past the limit the report reads none of the
// open referrals' rows or histories (at ten million referrals that took
// a third of a second, to be thrown away), so the boundary is where the
// query decides to read them.
func TestOpenAsAtPastTheLimit(t *testing.T) {
	// Not in parallel: it sets the package's limit.
	env := coretest.NewEnv(t)
	s := newReportSeed(t, env)
	net := env.Net
	for _, at := range []time.Duration{0, hour, 2 * hour} {
		s.staff(day("2026-06-01", at), net.WelfareAdviser, net.CAB, core.NeedDebt)
	}
	env.Clock.Set(day("2026-06-05", 0))
	f := report.Filter{To: date("2026-06-02")}
	const notCounted = "Not counted: more than"

	report.SetExactTimesLimit(t, 3)
	r := openRun(t, env, f, report.ViewerFor(net.Coordinator))
	wantRow(t, r, "Kirkton Citizens Advice", map[string]string{openCol: "3"})
	if notes := strings.Join(r.Notes, " "); strings.Contains(notes, notCounted) {
		t.Errorf("3 open at a limit of 3: notes %q say they were not counted", notes)
	}

	report.SetExactTimesLimit(t, 2)
	r = openRun(t, env, f, report.ViewerFor(net.Coordinator))
	if notes := strings.Join(r.Notes, " "); !strings.Contains(notes, notCounted+" 2 referrals were open") {
		t.Errorf("3 open at a limit of 2: notes %q, want them not counted, saying why", notes)
	}
	wantNoRow(t, r, "Kirkton Citizens Advice")
}
