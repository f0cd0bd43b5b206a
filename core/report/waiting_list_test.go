package report_test

import (
	"context"
	"testing"
	"time"

	"github.com/onward-network/onward/core"
	"github.com/onward-network/onward/core/coretest"
	"github.com/onward-network/onward/core/report"
)

// TestWaitingListInTimeIsNoBreach: a referral the agency puts on its
// waiting list before the deadline is acknowledged in time — not a breach
// in the coordinators' report, not overdue in the agency's inbox, even
// once taken off the list again — while one left unanswered, and one
// put on the list after the deadline, are breaches (a reviewer found the
// first counted as a breach).
func TestWaitingListInTimeIsNoBreach(t *testing.T) {
	t.Parallel()
	env := coretest.NewEnv(t)
	s := newReportSeed(t, env)
	ctx := context.Background()
	start := day("2026-11-02", 0) // a Monday
	by, net := env.Net.WelfareAdviser, env.Net
	heldInTime := s.staff(start, by, net.CAB, core.NeedDebt)
	s.act(heldInTime, time.Hour, core.ActionHold, net.Adviser)
	resumed := s.staff(start, by, net.CAB, core.NeedDebt)
	resumed = s.act(resumed, time.Hour, core.ActionHold, net.Adviser).Referral
	s.act(resumed, time.Hour, core.ActionResume, net.Adviser)
	unanswered := s.staff(start, by, net.CAB, core.NeedDebt)
	heldLate := s.staff(start, by, net.CAB, core.NeedDebt)
	s.act(heldLate, 10*24*time.Hour, core.ActionHold, net.Adviser)
	if !env.Clock.Now().After(*unanswered.AckDueAt) {
		t.Fatalf("the clock %s is not past the deadline %s", env.Clock.Now(), *unanswered.AckDueAt)
	}

	rp := report.New(env.Engine.Pool(), env.Engine.Clock())
	if _, err := rp.Refresh(ctx); err != nil {
		t.Fatal(err)
	}
	r, err := rp.Run(ctx, "breaches", report.Filter{From: start.AddDate(0, 0, -1), To: start.AddDate(0, 0, 1)}, report.Viewer{Network: true})
	if err != nil {
		t.Fatal(err)
	}
	for col, want := range map[string]float64{"Referrals with a deadline": 4, "Acknowledged in time": 2, "Acknowledged late": 1,
		"Waiting past deadline now": 1, "Breaches": 2} {
		if c, _ := cellAt(r, "Kirkton Citizens Advice", col); c.Value == nil || *c.Value != want {
			t.Errorf("%s: %q, want %v", col, c.Text, want)
		}
	}

	page, err := env.Engine.List(ctx, core.ListQuery{View: core.ViewInbox, Agency: net.CAB})
	if err != nil {
		t.Fatal(err)
	}
	for _, row := range page.Rows {
		if want := row.ID == unanswered.ID; row.Overdue != want {
			t.Errorf("%s (%s) overdue %v in the inbox, want %v", row.Reference, row.Status, row.Overdue, want)
		}
	}
	overdue, err := env.Engine.List(ctx, core.ListQuery{View: core.ViewInbox, Agency: net.CAB, Overdue: true})
	if err != nil {
		t.Fatal(err)
	}
	if len(overdue.Rows) != 1 || overdue.Rows[0].ID != unanswered.ID {
		t.Errorf("%d overdue in the inbox, want only the unanswered referral", len(overdue.Rows))
	}
}
