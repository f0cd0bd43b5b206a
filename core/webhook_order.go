package core

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
)

// A referral's webhook rows carry no referral_id column, so a partner's
// receiver that is down never holds back the referral's texts and cards
// (sqlClaim orders rows by that column). Their own order, per referral
// and subscription, is kept here instead: an event waits while an earlier
// one of the same referral for the same receiver is still to be
// delivered, so a receiver never learns of a referral's update before it
// has been told of the referral.

const sqlEarlierWebhook = `
SELECT available_at, leased FROM outbox
WHERE kind = $1 AND sent_at IS NULL AND dead_at IS NULL AND id < $2
  AND (payload->>'referral_id')::bigint = $3
  AND (payload->'webhook'->>'subscription_id')::bigint = $4
ORDER BY id LIMIT 1`

// EarlierWebhookDue reports whether webhook row c must wait for an
// earlier event of the same referral to the same subscription, and until
// when: that event's next attempt, or in a moment when it is being
// delivered now or already due.
func (e *Engine) EarlierWebhookDue(ctx context.Context, c OutboxClaim, now time.Time) (time.Time, bool, error) {
	if c.Payload.Webhook == nil {
		return time.Time{}, false, nil
	}
	var (
		at     time.Time
		leased bool
	)
	err := e.pool.QueryRow(ctx, sqlEarlierWebhook, OutboxWebhook, c.ID, int64(c.Referral()), int64(c.Payload.Webhook.Subscription)).Scan(&at, &leased)
	if errors.Is(err, pgx.ErrNoRows) {
		return time.Time{}, false, nil
	}
	if err != nil {
		return time.Time{}, false, fmt.Errorf("earlier webhook events of referral %d: %w", c.Referral(), err)
	}
	if leased || !at.After(now) {
		at = now.Add(webhookOrderWait)
	}
	return at, true, nil
}

// webhookOrderWait is how long a webhook event waits, at a time, for an
// earlier one being delivered or due.
const webhookOrderWait = 2 * time.Second
