package core_test

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/onward-network/onward/core"
	"github.com/onward-network/onward/core/coretest"
)

// TestReferralDue follows one referral through every state that has
// something due, on the real calendar: working days skip a weekend and
// St Andrew's Day. At each step the referral's due line, the inbox's
// "overdue" filter and the agency's reminder agree.
func TestReferralDue(t *testing.T) {
	t.Parallel()
	env := coretest.NewEnv(t)
	ctx := context.Background()
	london, err := time.LoadLocation("Europe/London")
	if err != nil {
		t.Fatal(err)
	}
	at := func(day, hour, minute int) time.Time { return time.Date(2026, 11, day, hour, minute, 0, 0, london) }
	// St Andrew's Day 2026 is a Monday.
	if err := env.Engine.ChangeSettings(ctx, func(tx pgx.Tx) error {
		return env.Engine.AddBankHoliday(ctx, tx, at(30, 0, 0), "St Andrew's Day")
	}); err != nil {
		t.Fatal(err)
	}
	res, err := env.Engine.SelfRefer(ctx, coretest.SelfReferral("due")) // Monday 23 November, 10:00
	if err != nil {
		t.Fatal(err)
	}
	id := res.Referral.ID
	adviser := env.Net.Adviser.Actor()
	act := func(a core.Action) core.Referral {
		t.Helper()
		r, err := env.Engine.Act(ctx, core.TransitionRequest{Referral: id, Action: a, Actor: adviser})
		if err != nil {
			t.Fatalf("%s: %v", a, err)
		}
		return r.Referral
	}
	// check reads the referral at now and wants it due for kind at due,
	// overdue or not, in the inbox's overdue list exactly when overdue.
	check := func(step string, now time.Time, kind core.DueKind, due time.Time, line string) {
		t.Helper()
		env.Clock.Set(now)
		r, err := env.Engine.Referral(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		d := r.Due()
		if d.Kind != kind || (kind != core.DueNothing && !d.At.Equal(due)) {
			t.Errorf("%s: due %q at %s, want %q at %s", step, d.Kind, d.At.In(london), kind, due.In(london))
		}
		if got := d.Line(now, london); got != line {
			t.Errorf("%s: due line %q, want %q", step, got, line)
		}
		p, err := env.Engine.List(ctx, core.ListQuery{View: core.ViewInbox, Agency: env.Net.CAB, Overdue: true})
		if err != nil {
			t.Fatal(err)
		}
		listed := slices.ContainsFunc(p.Rows, func(row core.ListRow) bool { return row.ID == id && row.Overdue })
		if want := d.Overdue(now); listed != want {
			t.Errorf("%s: in the overdue inbox %v, want %v", step, listed, want)
		}
	}
	// reminders are the agency's contact reminders (Slack and email) of
	// level queued at due, and whether each would still go now.
	reminders := func(step string, level string, due time.Time, want bool) {
		t.Helper()
		r, err := env.Engine.Referral(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		n := 0
		for _, o := range coretest.OutboxRows(t, env.Engine) {
			isReminder := o.Kind == core.OutboxContactNudge || o.Payload.Email == core.EmailContactReminder
			if !isReminder || o.Payload.Level != level || !o.AvailableAt.Equal(due) {
				continue
			}
			n++
			if got, why := r.StillDue(o.Kind, o.Payload); got != want {
				t.Errorf("%s: the %s reminder due %s would go: %v (%s), want %v", step, o.Kind, due.In(london), got, why, want)
			}
		}
		if n != 2 {
			t.Errorf("%s: %d reminders of level %q queued at %s, want 2 (Slack and email)", step, n, level, due.In(london))
		}
	}

	// Waiting for the agency's answer: due at its acknowledgement time,
	// 16 working hours (Monday 10:00 to Wednesday 10:00).
	ack := at(25, 10, 0)
	check("requested", at(23, 10, 0), core.DueAcknowledge, ack, "Acknowledge by Wed 25 Nov, 10:00")
	check("requested, late", at(25, 10, 1), core.DueAcknowledge, ack, "Overdue: acknowledge since Wed 25 Nov, 10:00")

	// Accepted on Thursday: contact is due 5 working days on (the
	// network's contact_nudge_days), past the weekend and the bank
	// holiday: Friday, Tuesday, Wednesday, Thursday, Friday.
	env.Clock.Set(at(26, 10, 0))
	act(core.ActionAccept)
	contact := time.Date(2026, 12, 4, 10, 0, 0, 0, london)
	check("accepted", contact.Add(-time.Minute), core.DueContact, contact, "Contact the client by Fri 4 Dec, 10:00")
	check("accepted, late", contact.Add(time.Minute), core.DueContact, contact, "Overdue: contact the client since Fri 4 Dec, 10:00")
	reminders("accepted, late", "", contact, true)

	// On the waiting list: due for review WaitingListReviewDays (10)
	// working days on; the contact reminder no longer goes.
	held := time.Date(2026, 12, 4, 11, 0, 0, 0, london)
	env.Clock.Set(held)
	act(core.ActionHold)
	review := time.Date(2026, 12, 18, 11, 0, 0, 0, london)
	check("on hold", review.Add(-time.Minute), core.DueReview, review, "Review the waiting list place by Fri 18 Dec, 11:00")
	check("on hold, late", review.Add(time.Minute), core.DueReview, review, "Overdue: review the waiting list place since Fri 18 Dec, 11:00")
	reminders("on hold", "", contact, false)
	reminders("on hold", core.LevelWaitingList, review, true)

	// Back to accepted on Monday: contact is due again from then, and
	// the first acceptance's reminder, whose time has gone, stays away.
	resumed := time.Date(2026, 12, 7, 9, 30, 0, 0, london)
	env.Clock.Set(resumed)
	act(core.ActionResume)
	again := time.Date(2026, 12, 14, 9, 30, 0, 0, london)
	check("resumed", again.Add(-time.Minute), core.DueContact, again, "Contact the client by Mon 14 Dec, 09:30")
	reminders("resumed", "", contact, false)
	reminders("resumed", "", again, true)
	reminders("resumed", core.LevelWaitingList, review, false)

	// Contacted: nothing is due, however late.
	env.Clock.Set(resumed.Add(time.Hour))
	act(core.ActionContact)
	check("contacted", again.AddDate(0, 1, 0), core.DueNothing, time.Time{}, "")
	reminders("contacted", "", again, false)
}
