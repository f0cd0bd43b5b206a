package core

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/jackc/pgx/v5"
)

// OutboxClaim is a row a worker has leased. Lease is the available_at the
// claim set: the outcome is only recorded while the row still carries it,
// so a row whose lease ran out and was claimed again is never marked twice.
type OutboxClaim struct {
	ID         OutboxID      `db:"id"`
	Kind       OutboxKind    `db:"kind"`
	ReferralID *ReferralID   `db:"referral_id"`
	Payload    OutboxPayload `db:"payload"`
	DedupeKey  string        `db:"dedupe_key"`
	Lease      time.Time     `db:"available_at"`
	Attempts   int           `db:"attempts"` // counting this one
	// CutShort counts earlier claims of the row that ended without an
	// outcome (the worker died or lost its lease); they are not attempts.
	CutShort int `db:"cut_short"`
	// ProviderID is the provider's id already on the row: for a text
	// interrupted during send, the one its delivery callback named.
	ProviderID     string         `db:"provider_id"`
	CreatedAt      time.Time      `db:"created_at"`
	DeliveryStatus DeliveryStatus `db:"delivery_status"`
	// SendingAt is when the text was marked "sending" (nil when it is not,
	// or was marked before the time was kept): the earliest Twilio can
	// have created the message of a send that was interrupted.
	SendingAt *time.Time `db:"sending_at"`
}

// Referral is the referral the row is about (0 for none).
func (c OutboxClaim) Referral() ReferralID {
	if c.ReferralID != nil {
		return *c.ReferralID
	}
	return c.Payload.ReferralID
}

// ErrLeaseLost means another worker claimed the row after this one's lease
// ran out; the other worker owns it now, and nothing was recorded.
var ErrLeaseLost = errors.New("lease on the outbox row ran out and was taken over")

// sqlClaim leases up to $2 due rows. A row is held back while an older row
// of the same referral is due, in flight or waiting for a retry (attempts >
// 0), so each referral's messages leave in order; rows scheduled for later
// and never tried do not hold anything back. SKIP LOCKED lets several
// workers claim side by side. The check of older rows is written as an OR
// so it runs only for rows of a referral, through outbox_referral_idx: as
// an anti-join the planner may compare every due row with every other,
// and a backlog of thousands (a mail server down for an hour) then takes
// minutes to claim from.
const sqlClaim = `
WITH due AS (
    SELECT o.id FROM outbox o
    WHERE o.sent_at IS NULL AND o.dead_at IS NULL AND o.available_at <= $1
      AND (o.referral_id IS NULL OR NOT EXISTS (
          SELECT 1 FROM outbox p
          WHERE p.referral_id = o.referral_id AND p.id < o.id
            AND p.sent_at IS NULL AND p.dead_at IS NULL
            AND (p.available_at <= $1 OR p.attempts > 0)))
    ORDER BY o.available_at, o.id
    LIMIT $2
    FOR UPDATE OF o SKIP LOCKED
)
UPDATE outbox SET available_at = $3, leased = true, due_since = coalesce(outbox.due_since, outbox.available_at),
    attempts = outbox.attempts + CASE WHEN outbox.leased THEN 0 ELSE 1 END,
    cut_short = outbox.cut_short + CASE WHEN outbox.leased THEN 1 ELSE 0 END
FROM due WHERE outbox.id = due.id
RETURNING outbox.id, outbox.kind, outbox.referral_id, outbox.payload, outbox.dedupe_key,
          outbox.available_at, outbox.attempts, outbox.cut_short, outbox.provider_id,
          outbox.created_at, outbox.delivery_status, outbox.sending_at`

// Claim leases up to limit rows due at now until now+lease, committed
// before any delivery, and returns them oldest first. Two claimers never
// get the same row while its lease holds. A row whose last claim ended
// without an outcome (its worker died) is not charged an attempt for it:
// its CutShort counts up instead.
func (o *Outbox) Claim(ctx context.Context, now time.Time, lease time.Duration, limit int) ([]OutboxClaim, error) {
	rows, _ := o.pool.Query(ctx, sqlClaim, now, limit, now.Add(lease))
	cs, err := pgx.CollectRows(rows, pgx.RowToStructByName[OutboxClaim])
	if err != nil {
		return nil, fmt.Errorf("claim outbox rows: %w", err)
	}
	// The UPDATE returns rows in no particular order; deliver oldest first.
	slices.SortFunc(cs, func(a, b OutboxClaim) int { return cmp.Compare(a.ID, b.ID) })
	return cs, nil
}

const sqlNextDue = `SELECT min(available_at) FROM outbox WHERE sent_at IS NULL AND dead_at IS NULL AND available_at > $1`

// NextDue returns when the next row that is not due at now becomes due
// (zero when there is none).
func (o *Outbox) NextDue(ctx context.Context, now time.Time) (time.Time, error) {
	var t *time.Time
	if err := o.pool.QueryRow(ctx, sqlNextDue, now).Scan(&t); err != nil {
		return time.Time{}, fmt.Errorf("next due outbox row: %w", err)
	}
	if t == nil {
		return time.Time{}, nil
	}
	return *t, nil
}

// The statements that record an outcome all hold the row by its lease.
const (
	sqlMarkSending = `
UPDATE outbox SET delivery_status = $3, sending_at = $4
WHERE id = $1 AND available_at = $2 AND sent_at IS NULL AND dead_at IS NULL`
	sqlMarkSent = `
UPDATE outbox SET sent_at = $3, provider_id = $4, delivery_status = $5, leased = false
WHERE id = $1 AND available_at = $2 AND sent_at IS NULL AND dead_at IS NULL`
	// sqlDefer keeps a text's "sending" mark: a text whose send was
	// interrupted is checked with Twilio when it comes back, never sent
	// blind. A row put off ($5 false: a mail server that cannot be
	// reached, a provider's pause) stays late from when it first fell
	// due (due_since); a row given a new time ($5 true: quiet hours, a
	// paused subscription, a held text) is not late until then.
	sqlDefer = `
UPDATE outbox SET available_at = $3, attempts = greatest(attempts - 1, 0), leased = false,
    delivery_status = CASE WHEN delivery_status = 'sending' THEN delivery_status ELSE $4 END,
    due_since = CASE WHEN $5::boolean THEN NULL ELSE due_since END
WHERE id = $1 AND available_at = $2 AND sent_at IS NULL AND dead_at IS NULL`
	sqlRetryLater = `
UPDATE outbox SET available_at = $3, last_error = $4, delivery_status = $5, leased = false
WHERE id = $1 AND available_at = $2 AND sent_at IS NULL AND dead_at IS NULL`
	// sqlCheckLater reschedules a text whose interrupted send Twilio could
	// not yet confirm, keeping its "sending" mark and its time.
	sqlCheckLater = `
UPDATE outbox SET available_at = $3, last_error = $4, leased = false
WHERE id = $1 AND available_at = $2 AND sent_at IS NULL AND dead_at IS NULL AND delivery_status = 'sending'`
	sqlMarkDead = `
UPDATE outbox SET dead_at = $3, last_error = $4, delivery_status = $5, leased = false
WHERE id = $1 AND available_at = $2 AND sent_at IS NULL AND dead_at IS NULL`
	// sqlRelease gives a row back untried, due at $3: the claim is not
	// counted. A text or email marked "sending" is never given back: it
	// may have reached the provider or the mail server.
	sqlRelease = `
UPDATE outbox SET available_at = $3, attempts = greatest(attempts - 1, 0), leased = false
WHERE id = $1 AND available_at = $2 AND sent_at IS NULL AND dead_at IS NULL AND delivery_status <> 'sending'`
	// sqlRecordSendingID keeps the provider's id of a text still marked
	// "sending", whoever holds the row: the fact that the provider took
	// it, recorded after the lease ran out or from its delivery callback,
	// so a later claim can ask the provider instead of calling it lost.
	sqlRecordSendingID = `
UPDATE outbox SET provider_id = $2
WHERE id = $1 AND delivery_status = 'sending' AND provider_id = '' AND sent_at IS NULL`
)

// Release gives a claimed row back untried, due at once, without counting
// the attempt: a worker shutting down returns what it will not deliver.
// ErrLeaseLost also covers a text or email marked "sending", which is kept.
func (o *Outbox) Release(ctx context.Context, c OutboxClaim, now time.Time) error {
	return leased(ctx, o.pool, "release", c, sqlRelease, now)
}

// RecordSendingID records the provider's id of a text the provider took
// while the row still says "sending" (see sqlRecordSendingID), and
// reports whether a row took it.
func (o *Outbox) RecordSendingID(ctx context.Context, id OutboxID, providerID string) (bool, error) {
	tag, err := o.pool.Exec(ctx, sqlRecordSendingID, id, providerID)
	if err != nil {
		return false, fmt.Errorf("record provider id of outbox row %d: %w", id, err)
	}
	return tag.RowsAffected() > 0, nil
}

// leased runs one lease-held update and turns "no row" into ErrLeaseLost.
func leased(ctx context.Context, db DB, what string, c OutboxClaim, sql string, args ...any) error {
	tag, err := db.Exec(ctx, sql, append([]any{c.ID, c.Lease}, args...)...)
	if err != nil {
		return fmt.Errorf("%s outbox row %d: %w", what, c.ID, err)
	}
	if tag.RowsAffected() == 0 {
		return fmt.Errorf("%s outbox row %d: %w", what, c.ID, ErrLeaseLost)
	}
	return nil
}

// MarkSending commits DeliverySending before a text's API call, which
// makes texts at-most-once across crashes (see notify's documentation).
// ErrLeaseLost means nothing must be sent.
func (o *Outbox) MarkSending(ctx context.Context, c OutboxClaim) error {
	return leased(ctx, o.pool, "mark sending", c, sqlMarkSending, DeliverySending, o.clock.Now())
}

// MarkSent records that the row left (or was skipped, with the reason in
// status) and the provider's id for it. inTx, when not nil, runs in the
// same transaction, so what the sender records (where a Slack card was
// posted) commits together with the mark.
func (o *Outbox) MarkSent(ctx context.Context, c OutboxClaim, now time.Time, providerID string, status DeliveryStatus, inTx func(context.Context, pgx.Tx) error) error {
	if inTx == nil {
		// One statement is its own transaction: no BEGIN and COMMIT to
		// wait for on every email and text.
		return leased(ctx, o.pool, "mark sent", c, sqlMarkSent, now, providerID, status)
	}
	return pgx.BeginFunc(ctx, o.pool, func(tx pgx.Tx) error {
		if err := leased(ctx, tx, "mark sent", c, sqlMarkSent, now, providerID, status); err != nil {
			return err
		}
		if inTx != nil {
			return inTx(ctx, tx)
		}
		return nil
	})
}

// Defer puts the row back until the given time without counting the
// attempt, still late (a mail server that cannot be reached, a
// provider's pause): the outbox's oldest pending row counts it from when
// it first fell due.
func (o *Outbox) Defer(ctx context.Context, c OutboxClaim, until time.Time, status DeliveryStatus) error {
	return leased(ctx, o.pool, "defer", c, sqlDefer, until, status, false)
}

// Reschedule puts the row back for a new time without counting the
// attempt (quiet hours, a paused webhook subscription): it is not late
// until then, as a row queued for that time would not be.
func (o *Outbox) Reschedule(ctx context.Context, c OutboxClaim, until time.Time, status DeliveryStatus) error {
	return leased(ctx, o.pool, "reschedule", c, sqlDefer, until, status, true)
}

// RetryLater reschedules a failed attempt for the given time (the worker's
// backoff), keeping why it failed.
func (o *Outbox) RetryLater(ctx context.Context, c OutboxClaim, at time.Time, lastError string) error {
	return leased(ctx, o.pool, "reschedule", c, sqlRetryLater, at, lastError, DeliveryPending)
}

// CheckLater reschedules, for the given time, a text found "sending"
// whose send Twilio could not yet confirm or rule out, keeping the mark
// (unlike RetryLater, which clears it): the next claim asks Twilio again
// rather than send the text blind.
func (o *Outbox) CheckLater(ctx context.Context, c OutboxClaim, at time.Time, lastError string) error {
	return leased(ctx, o.pool, "reschedule the check of", c, sqlCheckLater, at, lastError)
}

// DeadLetter marks the row dead and, in the same transaction, queues one
// coordinator alert with alertText — never for an alert itself, so a broken
// Slack cannot feed a loop of alerts about alerts. inTx, when not nil,
// runs in the same transaction (what the row's failure means for the
// audit log: Engine.ProviderEraseStopped).
func (o *Outbox) DeadLetter(ctx context.Context, c OutboxClaim, now time.Time, lastError, alertText string, inTx func(context.Context, pgx.Tx) error) error {
	return pgx.BeginFunc(ctx, o.pool, func(tx pgx.Tx) error {
		if err := leased(ctx, tx, "dead-letter", c, sqlMarkDead, now, lastError, DeliveryDead); err != nil {
			return err
		}
		if inTx != nil {
			if err := inTx(ctx, tx); err != nil {
				return err
			}
		}
		if c.Kind == OutboxAlert || c.Payload.Email == EmailDeadLetter {
			return nil
		}
		if err := o.EnqueueTx(ctx, tx, OutboxEmail, 0,
			OutboxPayload{ReferralID: c.Referral(), Email: EmailDeadLetter, Template: string(c.Kind),
				Level: fmt.Sprint(c.ID), Version: c.Attempts, Text: lastError},
			fmt.Sprintf("mail:deadletter:%d:%d", c.ID, now.UnixMicro()), now); err != nil {
			return err
		}
		return o.EnqueueTx(ctx, tx, OutboxAlert, 0,
			OutboxPayload{ReferralID: c.Referral(), Level: "dead-letter", Text: alertText},
			fmt.Sprintf("deadletter:%d:%d", c.ID, now.UnixMicro()), now)
	})
}
