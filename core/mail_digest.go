package core

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
)

// DigestUpdate is one referral a member of staff made that moved on
// during the digest's day: by reference, never by client.
type DigestUpdate struct {
	Reference string  `db:"reference"`
	Status    Status  `db:"status"`
	Reason    *Reason `db:"reason"`
}

const sqlDigestUpdates = `
SELECT reference, status, reason FROM referrals
WHERE from_staff_id = $1 AND status <> 'requested' AND status_at >= $2
ORDER BY status_at, id LIMIT 50`

// DigestUpdates lists the referrals a member of staff made whose status
// changed since since: what the referral-update emails would have said,
// gathered for their daily digest.
func (e *Engine) DigestUpdates(ctx context.Context, staff StaffID, since time.Time) ([]DigestUpdate, error) {
	rows, _ := e.pool.Query(ctx, sqlDigestUpdates, staff, since)
	list, err := pgx.CollectRows(rows, pgx.RowToStructByName[DigestUpdate])
	if err != nil {
		return nil, fmt.Errorf("referral updates for the digest of staff %d: %w", staff, err)
	}
	return list, nil
}

const sqlCountWaitingPastTarget = `
SELECT count(*) FROM referrals
WHERE status = 'requested' AND acknowledged_at IS NULL AND to_agency_id IS NOT NULL AND ack_due_at < $1`

// WaitingPastTarget counts the network's referrals waiting past their
// acknowledgement target at now: the coordinators' escalations, gathered
// for their daily digest.
func (e *Engine) WaitingPastTarget(ctx context.Context, now time.Time) (int, error) {
	var n int
	if err := e.pool.QueryRow(ctx, sqlCountWaitingPastTarget, now).Scan(&n); err != nil {
		return 0, fmt.Errorf("count referrals past their target: %w", err)
	}
	return n, nil
}

const sqlCountDeadSince = `SELECT count(*) FROM outbox WHERE dead_at >= $1`

// DeadLettersSince counts deliveries that failed for good since since:
// the coordinators' dead-letter alerts, gathered for their daily digest.
func (e *Engine) DeadLettersSince(ctx context.Context, since time.Time) (int, error) {
	var n int
	if err := e.pool.QueryRow(ctx, sqlCountDeadSince, since).Scan(&n); err != nil {
		return 0, fmt.Errorf("count dead letters: %w", err)
	}
	return n, nil
}
