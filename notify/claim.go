package notify

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/onward-network/onward/core"
)

// row is a claimed outbox row. Lease is the available_at the claim set: the
// worker only records the outcome while the row still carries it, so a row
// whose lease ran out and was claimed again is never marked twice.
type row struct {
	ID             core.OutboxID      `db:"id"`
	Kind           core.OutboxKind    `db:"kind"`
	ReferralID     *core.ReferralID   `db:"referral_id"`
	Payload        core.OutboxPayload `db:"payload"`
	DedupeKey      string             `db:"dedupe_key"`
	Lease          time.Time          `db:"available_at"`
	Attempts       int                `db:"attempts"`
	CreatedAt      time.Time          `db:"created_at"`
	DeliveryStatus string             `db:"delivery_status"`
}

func (r row) referral() core.ReferralID {
	if r.ReferralID != nil {
		return *r.ReferralID
	}
	return r.Payload.ReferralID
}

// sqlClaim leases up to $2 due rows. A row is held back while an older row
// of the same referral is due, in flight or waiting for a retry (attempts >
// 0), so each referral's messages leave in order; rows scheduled for later
// and never tried do not hold anything back. SKIP LOCKED lets several
// workers claim side by side.
const sqlClaim = `
WITH due AS (
    SELECT o.id FROM outbox o
    WHERE o.sent_at IS NULL AND o.dead_at IS NULL AND o.available_at <= $1
      AND NOT EXISTS (
          SELECT 1 FROM outbox p
          WHERE o.referral_id IS NOT NULL AND p.referral_id = o.referral_id AND p.id < o.id
            AND p.sent_at IS NULL AND p.dead_at IS NULL
            AND (p.available_at <= $1 OR p.attempts > 0))
    ORDER BY o.available_at, o.id
    LIMIT $2
    FOR UPDATE OF o SKIP LOCKED
)
UPDATE outbox SET available_at = $3, attempts = outbox.attempts + 1
FROM due WHERE outbox.id = due.id
RETURNING outbox.id, outbox.kind, outbox.referral_id, outbox.payload, outbox.dedupe_key,
          outbox.available_at, outbox.attempts, outbox.created_at, outbox.delivery_status`

// claim leases due rows for this worker, committed before any delivery.
func (w *Worker) claim(ctx context.Context, limit int) ([]row, error) {
	now := w.now()
	rows, _ := w.pool.Query(ctx, sqlClaim, now, limit, now.Add(w.lease))
	rs, err := pgx.CollectRows(rows, pgx.RowToStructByName[row])
	if err != nil {
		return nil, fmt.Errorf("claim outbox rows: %w", err)
	}
	// The UPDATE returns rows in no particular order; deliver oldest first.
	sortRows(rs)
	return rs, nil
}

func sortRows(rs []row) {
	slices.SortFunc(rs, func(a, b row) int { return cmp.Compare(a.ID, b.ID) })
}

const sqlNextDue = `SELECT min(available_at) FROM outbox WHERE sent_at IS NULL AND dead_at IS NULL AND available_at > $1`

// nextDue returns when the next row that is not due yet becomes due (zero
// when there is none).
func (w *Worker) nextDue(ctx context.Context) (time.Time, error) {
	var t *time.Time
	if err := w.pool.QueryRow(ctx, sqlNextDue, w.now()).Scan(&t); err != nil {
		return time.Time{}, fmt.Errorf("next due outbox row: %w", err)
	}
	if t == nil {
		return time.Time{}, nil
	}
	return *t, nil
}
