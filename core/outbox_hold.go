package core

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
)

// A held row is a client text that may not go out as it stands: the
// client uses WhatsApp, their 24-hour window is closed, and no approved
// template is configured for its kind. It is neither sent as free text
// (WhatsApp would refuse it, error 63016) nor dead-lettered: it waits,
// coordinators are told once, and it goes out as soon as it can — the
// moment the client writes again (RecordInbound releases it), or when
// the worker looks again after a template has been configured.

// heldPrefix starts the delivery status of a held row.
const heldPrefix = "held: "

// DeliveryHeld is the status of a held row, saying why ("held: no
// approved WhatsApp template for accepted").
func DeliveryHeld(why string) DeliveryStatus { return DeliveryStatus(heldPrefix + why) }

// Held reports whether the status is a held row's.
func (s DeliveryStatus) Held() bool { return strings.HasPrefix(string(s), heldPrefix) }

// Hold puts the row back until the given time without counting the
// attempt, as held (DeliveryHeld(why)), and in the same transaction
// queues one coordinator alert with alertText — once per row, however
// often it is held again.
func (o *Outbox) Hold(ctx context.Context, c OutboxClaim, until time.Time, why, alertText string) error {
	return pgx.BeginFunc(ctx, o.pool, func(tx pgx.Tx) error {
		if err := leased(ctx, tx, "hold", c, sqlDefer, until, DeliveryHeld(why), true); err != nil {
			return err
		}
		return o.EnqueueTx(ctx, tx, OutboxAlert, 0,
			OutboxPayload{ReferralID: c.Referral(), Level: "held", Text: alertText},
			fmt.Sprintf("held:%d", c.ID), o.clock.Now())
	})
}

// sqlReleaseHeld makes the held texts of the phone's client due now.
const sqlReleaseHeld = `
UPDATE outbox SET available_at = $2, leased = false
WHERE kind = $3 AND sent_at IS NULL AND dead_at IS NULL AND starts_with(delivery_status, $4)
  AND referral_id IN (SELECT r.id FROM referrals r JOIN clients c ON c.id = r.client_id WHERE c.phone_hash = $1)`

// releaseHeld makes the held texts of the client with this phone hash due
// at now, in the caller's transaction; the caller wakes the workers after
// the commit. A row a worker has just claimed loses its lease, so it is
// never sent twice.
func (o *Outbox) releaseHeld(ctx context.Context, tx pgx.Tx, phoneHash []byte, now time.Time) (int64, error) {
	tag, err := tx.Exec(ctx, sqlReleaseHeld, phoneHash, now, OutboxClientSMS, heldPrefix)
	if err != nil {
		return 0, fmt.Errorf("release held texts: %w", err)
	}
	return tag.RowsAffected(), nil
}

// OutsideWindowError is the last_error of a text sent again because
// WhatsApp refused it as outside the 24-hour window.
const OutsideWindowError = "twilio: error 63016 (outside the WhatsApp window): sent again"

// sqlReopenOutsideWindow puts a sent WhatsApp text back in the queue,
// once: a row that was already sent again is left failed.
const sqlReopenOutsideWindow = `
UPDATE outbox SET sent_at = NULL, available_at = $2, provider_id = '', last_error = $3,
    delivery_status = $4, leased = false, due_since = NULL
WHERE provider_id = $1 AND kind = $5 AND sent_at IS NOT NULL AND dead_at IS NULL AND last_error <> $3`

// ReopenOutsideWindow queues again the client text whose message Twilio
// reported failed with 63016 (a free-form WhatsApp message outside the
// window), so the worker sends it as a template or holds it. It reports
// whether a row was reopened; each row is reopened at most once.
func (o *Outbox) ReopenOutsideWindow(ctx context.Context, providerID string) (bool, error) {
	tag, err := o.pool.Exec(ctx, sqlReopenOutsideWindow, providerID, o.clock.Now(), OutsideWindowError,
		DeliveryWaiting("outside the WhatsApp window"), OutboxClientSMS)
	if err != nil {
		return false, fmt.Errorf("reopen whatsapp text: %w", err)
	}
	if tag.RowsAffected() > 0 && o.wake != nil {
		o.wake()
	}
	return tag.RowsAffected() > 0, nil
}
