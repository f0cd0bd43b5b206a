package core

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
)

// TextKinds are the outbox kinds sent as texts through Twilio, whose
// delivery callbacks name their row (see RecordCallbackForRow).
var TextKinds = []OutboxKind{OutboxClientSMS, OutboxPhoneCode, OutboxDirectoryText}

// EventInterruptedTextConfirmed records that a text dead-lettered as
// interrupted during send was in fact taken by Twilio: the coordinators'
// alert about it was a false alarm.
const EventInterruptedTextConfirmed EventKind = "outbox.interrupted-text-confirmed"

// InterruptedCorrectionWindow is how long after a text was dead-lettered
// as interrupted a delivery callback naming its row may still correct it
// to sent. Twilio's first callbacks ("queued", "sent") come within
// seconds of the send; a row older than this may have been retried by
// hand, and is left to the people looking after it.
const InterruptedCorrectionWindow = time.Hour

// interruptedReason is in the last_error of every text dead-lettered
// because its worker died while the text was "sending" (notify's
// client_text.go, phone_code.go, directory_text.go).
const interruptedReason = "(interrupted during send"

// CallbackResult says what a delivery callback naming a row changed.
type CallbackResult string

// Callback results.
const (
	// CallbackIgnored: the row is not a text waiting on its provider id
	// (unknown, another kind, already sent or with an id, retried, or
	// dead-lettered too long ago or for another reason). Nothing changed.
	CallbackIgnored CallbackResult = "ignored"
	// CallbackMarkedSent: the row was still "sending" without an id; it is
	// marked sent with the provider's id and the callback's status.
	CallbackMarkedSent CallbackResult = "marked sent"
	// CallbackCorrected: the row had been dead-lettered as interrupted; it
	// is corrected to sent, audited, and the coordinators told that the
	// alert was a false alarm.
	CallbackCorrected CallbackResult = "corrected"
)

// sqlCallbackRow reads the row a delivery callback names, locked, so the
// worker's own mark and the callback's never both apply.
const sqlCallbackRow = `
SELECT kind, referral_id, provider_id, delivery_status, last_error,
       sent_at IS NOT NULL AS sent, dead_at
FROM outbox WHERE id = $1 FOR UPDATE`

// sqlCallbackMarkSent records the provider's id and status on the text
// and marks it sent (clearing a dead-letter mark), whoever holds it.
const sqlCallbackMarkSent = `
UPDATE outbox SET sent_at = $2, dead_at = NULL, provider_id = $3, delivery_status = $4,
    delivery_error = $5, last_error = $6, leased = false
WHERE id = $1`

// RecordCallbackForRow stores a provider's delivery callback that names
// outbox row id (Twilio's StatusCallback carries it as a query parameter,
// covered by Twilio's signature) when no row carries the callback's
// message id: the worker that sent the text died before it could record
// the id. A row still "sending" without an id is marked sent with the id
// and status, so the next claim does not call it interrupted. A row
// dead-lettered as interrupted within InterruptedCorrectionWindow is
// corrected to sent the same way, with an audit event and a coordinator
// alert saying the earlier alert was a false alarm — unless the callback
// reports the text failed, when the dead letter stands. Any other row is
// left as it is (CallbackIgnored).
func (e *Engine) RecordCallbackForRow(ctx context.Context, id OutboxID, providerID string, status DeliveryStatus, errorCode string) (CallbackResult, error) {
	if providerID == "" {
		return CallbackIgnored, nil
	}
	result := CallbackIgnored
	err := pgx.BeginFunc(ctx, e.pool, func(tx pgx.Tx) error {
		var (
			kind      OutboxKind
			referral  *ReferralID
			pid       string
			delivery  DeliveryStatus
			lastError string
			sent      bool
			deadAt    *time.Time
		)
		err := tx.QueryRow(ctx, sqlCallbackRow, id).Scan(&kind, &referral, &pid, &delivery, &lastError, &sent, &deadAt)
		if errors.Is(err, pgx.ErrNoRows) {
			return nil
		}
		if err != nil {
			return fmt.Errorf("read outbox row %d: %w", id, err)
		}
		if !slices.Contains(TextKinds, kind) || pid != "" || sent {
			return nil
		}
		now := e.clock.Now()
		switch {
		case deadAt == nil && delivery == DeliverySending:
			if _, err := tx.Exec(ctx, sqlCallbackMarkSent, id, now, providerID, status, errorCode, lastError); err != nil {
				return fmt.Errorf("mark outbox row %d sent from its delivery callback: %w", id, err)
			}
			result = CallbackMarkedSent
			return nil
		case deadAt != nil && delivery == DeliveryDead && strings.Contains(lastError, interruptedReason) &&
			now.Sub(*deadAt) <= InterruptedCorrectionWindow && !deliveryFailed(status):
			note := "interrupted during send, but Twilio's delivery callback showed it took the text: the alert was a false alarm"
			if _, err := tx.Exec(ctx, sqlCallbackMarkSent, id, now, providerID, status, errorCode, note); err != nil {
				return fmt.Errorf("correct dead-lettered outbox row %d to sent: %w", id, err)
			}
			var ref ReferralID
			if referral != nil {
				ref = *referral
				if err := e.appendEvent(ctx, tx, newEvent{kind: EventInterruptedTextConfirmed, referral: ref,
					data: map[string]any{"outbox_id": int64(id), "outbox_kind": string(kind), "status": string(status)}}); err != nil {
					return err
				}
			}
			if err := e.outbox.EnqueueTx(ctx, tx, OutboxAlert, 0,
				OutboxPayload{ReferralID: ref, Level: "dead-letter-corrected", Text: fmt.Sprintf(
					"False alarm: the text of outbox row %d (%s) reported as interrupted during send did reach Twilio, which reports it %s. It is marked sent; nothing needs doing.",
					id, kind, status)},
				fmt.Sprintf("deadletter-corrected:%d", id), now); err != nil {
				return err
			}
			result = CallbackCorrected
		}
		return nil
	})
	if err != nil {
		return CallbackIgnored, err
	}
	if result == CallbackCorrected {
		e.WakeWorkers() // the alert
	}
	return result, nil
}

// deliveryFailed reports whether a provider's status says the message did
// not reach the phone.
func deliveryFailed(s DeliveryStatus) bool {
	return s == DeliveryFailed || s == DeliveryUndelivered || s == DeliveryCanceled
}
