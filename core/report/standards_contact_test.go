package report_test

import (
	"context"
	"math"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/onward-network/onward/core"
	"github.com/onward-network/onward/core/report"
)

// TestPackContactIsInWorkingDaysOutOfThoseDecided reproduces a review's
// finding: the pack's "Clients contacted within 3 calendar days (%)" was
// out of the clients contacted only — a referral accepted and never
// contacted, long past the wait, counted nowhere — and in calendar days
// beside a target in working days. It is now out of the referrals whose
// contact is decided (contacted, not reached, or still waiting when the
// wait ran out), as the acknowledgement figure beside it is, and counted
// in the network's working days, as its target is: a client reached on
// Tuesday for a referral that arrived on Friday is within 3 working days.
func TestPackContactIsInWorkingDaysOutOfThoseDecided(t *testing.T) {
	t.Parallel()
	env, rp := seededReports(t)
	ctx := context.Background()
	loc, _ := time.LoadLocation("Europe/London")
	friday := time.Date(2026, 10, 2, 10, 0, 0, 0, loc)
	// A referral to the agency that arrived on a Friday and whose client
	// was reached the next Tuesday: four calendar days, two working days.
	tag, err := env.Pool.Exec(ctx, `
UPDATE referrals SET created_at = $2, assigned_at = NULL, acknowledged_at = $2::timestamptz + interval '1 hour', contacted_at = $3
WHERE id = (SELECT min(id) FROM referrals WHERE to_agency_id = $1 AND contacted_at IS NOT NULL)`,
		env.Net.CAB, friday, friday.AddDate(0, 0, 4).Add(time.Hour))
	if err != nil || tag.RowsAffected() != 1 {
		t.Fatalf("move a contacted referral to a Friday: %v, %d", err, tag.RowsAffected())
	}
	if err := report.Invalidate(ctx, env.Pool); err != nil {
		t.Fatal(err)
	}
	if _, err := rp.Refresh(ctx); err != nil {
		t.Fatal(err)
	}
	f := report.Filter{From: time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC), To: time.Date(2026, 11, 30, 0, 0, 0, 0, time.UTC), Agency: env.Net.CAB}
	r, err := rp.Run(ctx, "national-standards", f, report.Viewer{Network: true})
	if err != nil {
		t.Fatal(err)
	}
	// Straight from the referrals, on the network's calendar.
	cal, err := core.ReadCalendar(ctx, env.Pool)
	if err != nil {
		t.Fatal(err)
	}
	rows, _ := env.Pool.Query(ctx, `SELECT coalesce(assigned_at, created_at), contacted_at, closed_at, status, crisis FROM referrals WHERE to_agency_id = $1`, env.Net.CAB)
	var reached time.Time
	var contacted, closed *time.Time
	var status string
	var crisis bool
	var within, decided, contactedN, waitedOut int64
	if _, err := pgx.ForEachRow(rows, []any{&reached, &contacted, &closed, &status, &crisis}, func() error {
		due := cal.AddWorkingDays(reached, cal.AgencyContactDays(crisis))
		end := env.Clock.Now()
		if closed != nil {
			end = *closed
		}
		switch {
		case contacted != nil:
			decided++
			contactedN++
			if !contacted.After(due) {
				within++
			}
		case status == "failed", status != "rejected" && status != "cancelled" && end.After(due):
			decided++
			waitedOut++
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	if waitedOut == 0 {
		t.Fatal("the seed should hold a referral to the agency not contacted by the end of its wait")
	}
	row := "Acknowledgement and contact against the network's targets › Clients contacted within target (%)"
	want := math.Round(1000*float64(within)/float64(decided)) / 10
	if c, _ := cellAt(r, row, "Figure"); c.Value == nil || *c.Value != want {
		t.Errorf("contact within target shows %q, direct %d of %d decided (%d contacted, %d not by the end of the wait) = %.1f",
			cellText(r, row), within, decided, contactedN, waitedOut, want)
	}
	if c, _ := cellAt(r, row, "Target"); !strings.Contains(c.Text, "Within 3 working days of reaching the agency") ||
		!strings.Contains(c.Text, "out of those contacted") {
		t.Errorf("contact target reads %q", c.Text)
	}
}

func cellText(r report.Report, row string) string {
	c, _ := cellAt(r, row, "Figure")
	return c.Text
}
