package core

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
)

// OutboxEntry is an outbox row as `onward outbox list` and the tests see
// it: ids, kinds, states and reasons; the payload carries ids and
// template names, never personal data.
type OutboxEntry struct {
	ID             OutboxID       `db:"id"`
	Kind           OutboxKind     `db:"kind"`
	ReferralID     *ReferralID    `db:"referral_id"` // nil for rows about no referral
	Reference      *string        `db:"reference"`
	Payload        OutboxPayload  `db:"payload"`
	Attempts       int            `db:"attempts"`
	AvailableAt    time.Time      `db:"available_at"`
	CreatedAt      time.Time      `db:"created_at"`
	SentAt         *time.Time     `db:"sent_at"`
	DeadAt         *time.Time     `db:"dead_at"`
	LastError      string         `db:"last_error"`
	ProviderID     string         `db:"provider_id"`
	DeliveryStatus DeliveryStatus `db:"delivery_status"`
	DeliveryError  string         `db:"delivery_error"` // the provider's error code, from its delivery callback
}

// State says whether the row is waiting, sent or dead.
func (e OutboxEntry) State() OutboxState {
	switch {
	case e.DeadAt != nil:
		return OutboxDead
	case e.SentAt != nil:
		return OutboxSent
	}
	return OutboxPending
}

// OutboxFilter picks outbox rows to list.
type OutboxFilter struct {
	State OutboxState // OutboxPending (the default), OutboxDead, OutboxSent, or "all"
	Limit int         // default 100
	// Urgent lists what matters first to someone on call: waiting rows
	// by when they are due (a card retrying now before a reminder due in
	// two days), dead letters newest first. Otherwise rows are listed
	// oldest first.
	Urgent bool
}

// OutboxAll lists rows in every state.
const OutboxAll OutboxState = "all"

// sqlOutboxInState is the condition of rows in a state ($1).
const sqlOutboxInState = `
WHERE CASE $1::text
          WHEN 'pending' THEN o.sent_at IS NULL AND o.dead_at IS NULL
          WHEN 'dead' THEN o.sent_at IS NULL AND o.dead_at IS NOT NULL
          WHEN 'sent' THEN o.sent_at IS NOT NULL
          ELSE true END`

// sqlListOutbox lists rows in a state; a row about a referral that is
// not its own column (an email about one) is named by its payload's.
const sqlListOutbox = `
SELECT o.id, o.kind, o.referral_id, r.reference, o.payload, o.attempts, o.available_at, o.created_at, o.sent_at, o.dead_at,
       o.last_error, o.provider_id, o.delivery_status, o.delivery_error
FROM outbox o LEFT JOIN referrals r ON r.id = coalesce(o.referral_id, (o.payload->>'referral_id')::bigint)` + sqlOutboxInState + `
ORDER BY CASE WHEN $3 AND $1::text = 'pending' THEN o.available_at END,
         CASE WHEN $3 AND $1::text = 'dead' THEN o.dead_at END DESC,
         o.id LIMIT $2`

const sqlCountOutbox = `SELECT count(*) FROM outbox o` + sqlOutboxInState

// Count is how many rows are in a state (as List's filter reads it).
func (o *Outbox) Count(ctx context.Context, state OutboxState) (int, error) {
	var n int
	if err := o.pool.QueryRow(ctx, sqlCountOutbox, string(state)).Scan(&n); err != nil {
		return 0, fmt.Errorf("count outbox rows: %w", err)
	}
	return n, nil
}

// List returns outbox rows in the filter's state, oldest first (or, with
// Urgent, what matters first).
func (o *Outbox) List(ctx context.Context, f OutboxFilter) ([]OutboxEntry, error) {
	if f.Limit <= 0 {
		f.Limit = 100
	}
	if f.State == "" {
		f.State = OutboxPending
	}
	switch f.State {
	case OutboxPending, OutboxDead, OutboxSent, OutboxAll:
	default:
		return nil, fmt.Errorf("list outbox: unknown state %q", f.State)
	}
	rows, _ := o.pool.Query(ctx, sqlListOutbox, string(f.State), f.Limit, f.Urgent)
	es, err := pgx.CollectRows(rows, pgx.RowToStructByName[OutboxEntry])
	if err != nil {
		return nil, fmt.Errorf("list outbox: %w", err)
	}
	return es, nil
}

const sqlRetryOutbox = `
UPDATE outbox SET dead_at = NULL, attempts = 0, cut_short = 0, leased = false, available_at = $2, delivery_status = $3, due_since = NULL
WHERE id = $1 AND sent_at IS NULL AND dead_at IS NOT NULL RETURNING id`

const sqlOutboxRowState = `SELECT sent_at, available_at FROM outbox WHERE id = $1`

// ErrNotDeadLetter means a row asked to be retried is not a dead letter:
// it waits for its time (a reminder due in two days, a text held for
// quiet hours) or for a worker, and retrying it would send it early.
var ErrNotDeadLetter = errors.New("not a dead letter")

// NotDeadLetterError is ErrNotDeadLetter for one row, with when it is due.
type NotDeadLetterError struct {
	ID  OutboxID
	Due time.Time
}

func (e *NotDeadLetterError) Error() string {
	return fmt.Sprintf("outbox row %d is %s: it is due %s, and a worker sends it then (only dead letters are retried)",
		e.ID, ErrNotDeadLetter, e.Due.UTC().Format("2006-01-02 15:04 MST"))
}

// Is makes errors.Is(err, ErrNotDeadLetter) true.
func (e *NotDeadLetterError) Is(target error) bool { return target == ErrNotDeadLetter }

// Retry puts a dead letter back in the queue with a fresh attempt count,
// once its cause is fixed, and wakes the workers when it commits. A row
// that is not dead (still waiting for its time, or retrying on its own)
// is refused with a NotDeadLetterError; a delivered or unknown one with
// ErrNotFound. A row that says it was interrupted during send is sent
// again: whoever retries it has checked it did not arrive.
func (o *Outbox) Retry(ctx context.Context, id OutboxID) error {
	return pgx.BeginFunc(ctx, o.pool, func(tx pgx.Tx) error {
		var got OutboxID
		err := tx.QueryRow(ctx, sqlRetryOutbox, id, o.clock.Now(), DeliveryPending).Scan(&got)
		if errors.Is(err, pgx.ErrNoRows) {
			return whyNotRetried(ctx, tx, id)
		}
		if err != nil {
			return fmt.Errorf("retry outbox row %d: %w", id, err)
		}
		// NOTIFY in the transaction is delivered when it commits.
		if _, err := tx.Exec(ctx, sqlNotifyOutbox, OutboxChannel); err != nil {
			return fmt.Errorf("wake workers: %w", err)
		}
		return nil
	})
}

// whyNotRetried says why Retry changed no row: there is none, it was
// delivered, or it is not dead and says when it is due.
func whyNotRetried(ctx context.Context, tx pgx.Tx, id OutboxID) error {
	var (
		sent *time.Time
		due  time.Time
	)
	err := tx.QueryRow(ctx, sqlOutboxRowState, id).Scan(&sent, &due)
	switch {
	case errors.Is(err, pgx.ErrNoRows), err == nil && sent != nil:
		return fmt.Errorf("outbox row %d: %w (it does not exist or was already delivered)", id, ErrNotFound)
	case err != nil:
		return fmt.Errorf("retry outbox row %d: %w", id, err)
	}
	return &NotDeadLetterError{ID: id, Due: due}
}

// sqlRecordDelivery records a provider's delivery status on the row that
// sent the message. Callbacks can arrive out of order: the stored status
// is replaced only by one of a higher rank ($6, against the stored
// status's rank in $5, aligned with the final statuses $4), or while
// neither is final.
const sqlRecordDelivery = `
UPDATE outbox SET delivery_status = $2, delivery_error = $3
WHERE provider_id = $1 AND NOT (sent_at IS NULL AND delivery_status = 'sending')
  AND ($6 > coalesce(($5::int[])[array_position($4::text[], delivery_status)], 0)
       OR ($6 = 0 AND NOT delivery_status = ANY($4::text[])))`

// RecordDelivery stores a provider's delivery callback (status and error
// code) on the row whose provider id it names, and returns how many rows
// changed: 0 when the id is unknown or a status of the same or a later
// rank is already stored.
func (o *Outbox) RecordDelivery(ctx context.Context, providerID string, status DeliveryStatus, errorCode string) (int64, error) {
	final := make([]string, len(finalDeliveryStatuses))
	for i, s := range finalDeliveryStatuses {
		final[i] = string(s)
	}
	tag, err := o.pool.Exec(ctx, sqlRecordDelivery, providerID, string(status), errorCode, final, deliveryRanks, status.rank())
	if err != nil {
		return 0, fmt.Errorf("record delivery status: %w", err)
	}
	return tag.RowsAffected(), nil
}

// sqlKnownProviderID reports whether any row carries the provider's id.
const sqlKnownProviderID = `SELECT EXISTS (SELECT 1 FROM outbox WHERE provider_id = $1)`

// ProviderIDKnown reports whether any row carries the provider's message
// id, so a callback that changed nothing because a later status is
// already stored is not mistaken for one that arrived too early.
func (o *Outbox) ProviderIDKnown(ctx context.Context, providerID string) (bool, error) {
	var known bool
	if err := o.pool.QueryRow(ctx, sqlKnownProviderID, providerID).Scan(&known); err != nil {
		return false, fmt.Errorf("look up provider id: %w", err)
	}
	return known, nil
}

// OutboxGauge is one kind's rows now, for metrics.
type OutboxGauge struct {
	Kind  OutboxKind `db:"kind"`
	Depth int64      `db:"depth"` // not yet delivered: due, scheduled or retrying
	// Pending counts the rows that should have gone by now (see
	// sqlOutboxGauges): the backlog, without the rows scheduled for later.
	Pending int64 `db:"pending"`
	Dead    int64 `db:"dead"`
	// OldestPending is since when the longest-waiting pending row has
	// waited; nil when no row is pending.
	OldestPending *time.Time `db:"oldest_pending"`
}

// sqlOutboxGauges reads only the rows not yet delivered and the dead
// letters, each through its partial index (outbox_due_idx,
// outbox_dead_idx), never the delivered rows that make up nearly all of
// the outbox.
//
// A pending row is one that should have gone by now, waiting since it
// first fell due: a row due and not yet claimed (since available_at), and
// a row claimed once and not delivered (since due_since, which the claim
// set): in flight, however long its lease; waiting for a retry; or put
// off without using an attempt by a mail server that cannot be reached
// or a provider's pause, however often it is pushed back. A row scheduled
// for later and never claimed (a reminder), or given a new time (a text
// held for quiet hours, a paused webhook subscription), is not pending
// until that time.
const sqlOutboxGauges = `
SELECT kind, sum(depth)::bigint AS depth, sum(pending)::bigint AS pending, sum(dead)::bigint AS dead,
       min(oldest_pending) AS oldest_pending FROM (
    SELECT kind, count(*) AS depth, count(pending_since) AS pending, 0 AS dead, min(pending_since) AS oldest_pending
    FROM (SELECT kind, CASE WHEN due_since IS NOT NULL THEN due_since
                            WHEN available_at <= $1 THEN available_at END AS pending_since
          FROM outbox WHERE sent_at IS NULL AND dead_at IS NULL) undelivered
    GROUP BY kind
    UNION ALL
    SELECT kind, 0, 0, count(*), NULL FROM outbox WHERE dead_at IS NOT NULL GROUP BY kind
) g GROUP BY kind`

// Gauges reads the outbox's depth, pending rows, dead letters and oldest pending row
// by kind, as of now. They are read at each scrape, so they are right however
// many workers run.
func (o *Outbox) Gauges(ctx context.Context, now time.Time) ([]OutboxGauge, error) {
	rows, _ := o.pool.Query(ctx, sqlOutboxGauges, now)
	gs, err := pgx.CollectRows(rows, pgx.RowToStructByName[OutboxGauge])
	if err != nil {
		return nil, fmt.Errorf("read outbox gauges: %w", err)
	}
	return gs, nil
}

// sqlMarkHistorySent records seeded history's messages as delivered. A
// message counts as sent when it was due (or, for one due later than end,
// at end). Rows of referrals made since cutoff are left for the worker
// (email rows name their referral in the payload only).
const sqlMarkHistorySent = `
UPDATE outbox o SET sent_at = least(greatest(o.created_at, o.available_at), $2), delivery_status = $3
WHERE o.sent_at IS NULL AND o.dead_at IS NULL
  AND CASE WHEN coalesce(o.referral_id, (o.payload->>'referral_id')::bigint) IS NULL THEN o.created_at < $1
           ELSE (SELECT r.created_at < $1 FROM referrals r
                 WHERE r.id = coalesce(o.referral_id, (o.payload->>'referral_id')::bigint)) END`

// MarkHistorySent marks the rows of every referral created before cutoff
// as sent (DeliverySeeded), so a worker started on a demo database does
// not post hundreds of old cards and texts.
func (o *Outbox) MarkHistorySent(ctx context.Context, cutoff, end time.Time) error {
	if _, err := o.pool.Exec(ctx, sqlMarkHistorySent, cutoff, end, DeliverySeeded); err != nil {
		return fmt.Errorf("mark seeded history's messages as sent: %w", err)
	}
	return nil
}
