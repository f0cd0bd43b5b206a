package demo

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
)

// sqlMarkHistorySent records the history's messages as delivered, so the
// worker does not post hundreds of old cards and texts when it starts. A
// message counts as sent when it was due (or, for one due later than the
// end of history, at the end). Rows of referrals made since cutoff are
// left for the worker.
const sqlMarkHistorySent = `
UPDATE outbox o SET sent_at = least(greatest(o.created_at, o.available_at), $2), delivery_status = 'seeded history'
WHERE o.sent_at IS NULL AND o.dead_at IS NULL
  AND CASE WHEN o.referral_id IS NULL THEN o.created_at < $1
           ELSE (SELECT r.created_at < $1 FROM referrals r WHERE r.id = o.referral_id) END`

// markHistorySent marks the outbox rows of every referral created before
// cutoff as sent.
func markHistorySent(ctx context.Context, pool *pgxpool.Pool, cutoff time.Time) error {
	if _, err := pool.Exec(ctx, sqlMarkHistorySent, cutoff, cutoff.Add(recentWindow)); err != nil {
		return fmt.Errorf("mark the demo history's messages as sent: %w", err)
	}
	return nil
}
