package notify

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/onward-network/onward/core"
)

// Entry is an outbox row as `onward outbox list` shows it: ids, kinds and
// reasons, never message bodies.
type Entry struct {
	ID             core.OutboxID      `db:"id"`
	Kind           core.OutboxKind    `db:"kind"`
	Reference      *string            `db:"reference"`
	Payload        core.OutboxPayload `db:"payload"`
	Attempts       int                `db:"attempts"`
	AvailableAt    time.Time          `db:"available_at"`
	CreatedAt      time.Time          `db:"created_at"`
	SentAt         *time.Time         `db:"sent_at"`
	DeadAt         *time.Time         `db:"dead_at"`
	LastError      string             `db:"last_error"`
	ProviderID     string             `db:"provider_id"`
	DeliveryStatus string             `db:"delivery_status"`
}

// ListFilter picks outbox rows to list.
type ListFilter struct {
	Dead  bool // only dead-lettered rows; otherwise rows not yet delivered
	Limit int  // default 100
}

const sqlListOutbox = `
SELECT o.id, o.kind, r.reference, o.payload, o.attempts, o.available_at, o.created_at, o.sent_at, o.dead_at,
       o.last_error, o.provider_id, o.delivery_status
FROM outbox o LEFT JOIN referrals r ON r.id = o.referral_id
WHERE o.sent_at IS NULL AND (CASE WHEN $1 THEN o.dead_at IS NOT NULL ELSE o.dead_at IS NULL END)
ORDER BY o.id LIMIT $2`

// List returns undelivered or dead-lettered outbox rows, oldest first.
func List(ctx context.Context, db core.DB, f ListFilter) ([]Entry, error) {
	if f.Limit <= 0 {
		f.Limit = 100
	}
	rows, _ := db.Query(ctx, sqlListOutbox, f.Dead, f.Limit)
	es, err := pgx.CollectRows(rows, pgx.RowToStructByName[Entry])
	if err != nil {
		return nil, fmt.Errorf("list outbox: %w", err)
	}
	return es, nil
}

const sqlRetryOutbox = `
UPDATE outbox SET dead_at = NULL, attempts = 0, available_at = $2, delivery_status = ''
WHERE id = $1 AND sent_at IS NULL RETURNING id`

// Retry puts an undelivered row (usually a dead letter, once its cause is
// fixed) back in the queue with a fresh attempt count, and wakes the
// workers when it commits. A row that says it was interrupted during send
// is sent again: whoever retries it has checked it did not arrive.
func Retry(ctx context.Context, pool interface {
	Begin(context.Context) (pgx.Tx, error)
}, id core.OutboxID, now time.Time) error {
	return pgx.BeginFunc(ctx, pool, func(tx pgx.Tx) error {
		var got core.OutboxID
		err := tx.QueryRow(ctx, sqlRetryOutbox, id, now).Scan(&got)
		if errors.Is(err, pgx.ErrNoRows) {
			return fmt.Errorf("outbox row %d: %w (it does not exist or was already delivered)", id, core.ErrNotFound)
		}
		if err != nil {
			return fmt.Errorf("retry outbox row %d: %w", id, err)
		}
		// NOTIFY in the transaction is delivered when it commits.
		if _, err := tx.Exec(ctx, "SELECT pg_notify($1, '')", core.OutboxChannel); err != nil {
			return fmt.Errorf("wake workers: %w", err)
		}
		return nil
	})
}
