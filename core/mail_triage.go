package core

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
)

// A referral waiting in triage is the coordinators' to move on, as a new
// referral is its agency's. Slack's triage channel shows its card; the
// coordinators whom email reaches (their agency's staff email setting:
// always, or while Slack's triage channel does not reach them) hear of it
// by their alert emails, as they choose for alerts (at once, in the daily
// digest, or not at all): one when it arrives, and one more when it is
// still waiting, unclaimed, at its triage target. A crisis has its own
// email on arrival (EmailCrisis), which no choice stops; its reminder,
// about a crisis, goes whatever they chose too (EmailKind.ChoiceApplies).

// Alert levels of the coordinators' triage emails (EmailAlert rows).
const (
	// AlertTriageWaiting: a referral arrived in triage.
	AlertTriageWaiting = "triage"
	// AlertTriageOverdue: a referral is still in triage, nobody having
	// claimed it, at its triage target (Calendar.TriageDue).
	AlertTriageOverdue = "triage-overdue"
)

// TriageDue is when a referral that reached triage at since should have
// been passed to an agency: one working day later (the network's working
// day), so the agency's own acknowledgement target and its contact still
// fit within the wait the client was promised (Network.ClientWaitDays);
// a crisis on the crisis clock (Calendar.AckDue), as its email says.
func (c Calendar) TriageDue(since time.Time, crisis bool) time.Time {
	day := c.WorkingEnd - c.WorkingStart
	if day <= 0 {
		day = 8 * time.Hour
	}
	if crisis {
		return c.AckDue(since, Agency{AckTargetHours: int(day / time.Hour)}, true)
	}
	return c.AddWorkingHours(since, day)
}

// queueTriageMail queues the coordinators' emails about a referral that
// has just arrived in triage: the alert of its arrival (not for a crisis,
// whose own email goes instead) and the reminder at its triage target.
// Who gets them, and whether at once, is decided when they are sent
// (notify), by the coordinators' choices for alerts and whether Slack's
// triage channel reaches them.
func (e *Engine) queueTriageMail(b *pgx.Batch, r Referral, cal Calendar, now time.Time) {
	if !r.Crisis {
		e.outbox.queue(b, triageArrival(r, now), now)
	}
	due := cal.TriageDue(now, r.Crisis)
	m := emailMsg(EmailAlert, r, 0, fmt.Sprintf("triage-overdue:%d", r.ID), due)
	m.payload.Level = AlertTriageOverdue
	e.outbox.queue(b, m, now)
}

// triageArrival is the coordinators' email of a referral's arrival in
// triage: one a referral, known by its dedupe key.
func triageArrival(r Referral, now time.Time) outboxMsg {
	m := emailMsg(EmailAlert, r, 0, fmt.Sprintf("triage:%d", r.ID), now)
	m.payload.Level = AlertTriageWaiting
	return m
}

// sqlToldTogether marks emails not yet sent as told otherwise, in the
// transaction that queued them: no worker has seen them.
const sqlToldTogether = `
UPDATE outbox SET sent_at = $2, delivery_status = $3
WHERE dedupe_key = ANY($1) AND sent_at IS NULL AND dead_at IS NULL`

// tellTriageTogether is for referrals that reached triage together, in the
// caller's transaction, by one change that the coordinators are told of
// in one alert naming them all (an agency leaving the network hands back
// every referral it had not accepted: queueRetiredAlert): the email of
// each one's arrival, queued as for any referral reaching triage, is
// marked as told in that alert (why), so a busy agency's retirement is
// one email to each coordinator, not one a referral. Each still has its
// card in Slack's triage channel, a crisis its own call, and the reminder
// at its triage target while nobody has claimed it (queueTriageMail).
func (e *Engine) tellTriageTogether(ctx context.Context, tx pgx.Tx, rs []Referral, why string, now time.Time) error {
	if len(rs) == 0 {
		return nil
	}
	keys := make([]string, len(rs))
	for i, r := range rs {
		keys[i] = triageArrival(r, now).dedupe
	}
	if _, err := tx.Exec(ctx, sqlToldTogether, keys, now, DeliverySkipped(why)); err != nil {
		return fmt.Errorf("triage arrival emails told together: %w", err)
	}
	return nil
}

// TriageWaiting is one referral waiting in triage, for the coordinators'
// daily digest: by reference, never by client.
type TriageWaiting struct {
	Reference string    `db:"reference"`
	Needs     []Need    `db:"needs"`
	District  string    `db:"postcode_district"`
	Crisis    bool      `db:"crisis"`
	CreatedAt time.Time `db:"created_at"`
	Claimed   bool      `db:"claimed"`
	Overdue   bool      `db:"-"` // past its triage target (Calendar.TriageDue)
}

const sqlTriageWaiting = `
SELECT reference, needs, postcode_district, crisis, created_at, triage_claimed_by IS NOT NULL AS claimed
FROM referrals WHERE to_agency_id IS NULL AND status = 'requested'
ORDER BY crisis DESC, created_at, id`

// TriageQueue lists the referrals waiting in triage at now, the crisis
// first then the oldest, each marked when it is past its triage target.
func (e *Engine) TriageQueue(ctx context.Context, now time.Time) ([]TriageWaiting, error) {
	cal, err := e.calendar(ctx)
	if err != nil {
		return nil, err
	}
	rows, _ := e.pool.Query(ctx, sqlTriageWaiting)
	list, err := pgx.CollectRows(rows, pgx.RowToStructByName[TriageWaiting])
	if err != nil {
		return nil, fmt.Errorf("referrals waiting in triage: %w", err)
	}
	for i := range list {
		list[i].Overdue = cal.TriageDue(list[i].CreatedAt, list[i].Crisis).Before(now)
	}
	return list, nil
}
