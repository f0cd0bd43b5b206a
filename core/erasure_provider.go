package core

import (
	"context"
	"fmt"
	"regexp"
	"time"

	"github.com/jackc/pgx/v5"
)

// OutboxProviderErase asks notify to delete an erased client's messages
// at Twilio (SMS and WhatsApp alike): Twilio keeps every message, its
// body and both numbers, until the account deletes it, so without this
// anyone with the Twilio account could read the texts of a client Onward
// has erased. The row carries the client's id and the message SIDs the
// erasure cleared from Onward's own rows (Payload.MessageSIDs), nothing
// else; the SIDs of the texts Onward sent are read from the outbox when
// the row is delivered (ErasedClientMessages).
const OutboxProviderErase OutboxKind = "twilio.erase"

// messageSIDRe is the shape of a Twilio message SID (SMS "SM…", MMS
// "MM…", WhatsApp alike); evidence of any other shape is not one.
var messageSIDRe = regexp.MustCompile(`^(SM|MM)[0-9a-fA-F]{32}$`)

// sqlErasureClearedSIDs reads, before the erasure clears them, the
// message SIDs Onward keeps of a client outside the texts it sent: the
// evidence of their consents (the text that said YES, "whatsapp:" before
// it when it came by WhatsApp), the client's own texts kept against them
// (client_texts.go: their conversation's answers, a withdrawal, a
// feedback comment), the crisis texts the audit log names ($2), and the
// texts of one-time codes sent to their phone ($3, through phone_codes by
// the phone's hash $4, which the erasure deletes).
const sqlErasureClearedSIDs = `
SELECT DISTINCT sid FROM (
    SELECT regexp_replace(evidence, '^whatsapp:', '') AS sid FROM consents WHERE client_id = $1
    UNION ALL
    SELECT message_sid FROM client_texts WHERE client_id = $1
    UNION ALL
    SELECT data->>'message_sid' FROM events WHERE kind = $2 AND client_id = $1
    UNION ALL
    SELECT o.provider_id FROM outbox o JOIN phone_codes p ON p.id = (o.payload->>'phone_code_id')::bigint
    WHERE o.kind = $3 AND p.phone_hash = $4 AND o.provider_id <> ''
) s WHERE sid IS NOT NULL
ORDER BY sid`

// queueProviderErase queues, in the erasure's transaction, the deletion
// of the client's messages at Twilio (OutboxProviderErase), carrying the
// SIDs the erasure is about to clear. phoneHash is the hash of the
// client's phone (nil for none).
func (e *Engine) queueProviderErase(ctx context.Context, tx pgx.Tx, client ClientID, phoneHash []byte, now time.Time) error {
	rows, _ := tx.Query(ctx, sqlErasureClearedSIDs, client, EventCrisisAfterEnd, OutboxPhoneCode, phoneHash)
	found, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		return fmt.Errorf("message ids of client %d: %w", client, err)
	}
	var sids []string
	for _, s := range found {
		if messageSIDRe.MatchString(s) {
			sids = append(sids, s)
		}
	}
	return e.outbox.EnqueueTx(ctx, tx, OutboxProviderErase, 0, OutboxPayload{ClientID: client, MessageSIDs: sids},
		fmt.Sprintf("twilio-erase:%d", client), now)
}

// ProviderMessages is what a twilio.erase row has to delete.
type ProviderMessages struct {
	// SIDs are every message SID Onward knows of the erased client: those
	// the row carries and those of the texts Onward sent them.
	SIDs []string
	// Sending says a text to the client is still on its way to Twilio:
	// its SID is not known yet, so the deletion waits for it.
	Sending bool
}

// sqlErasedClientTexts reads the SIDs of the texts Onward sent to a
// client (outbox rows of their referrals of the text kinds $2) and
// whether one is still "sending" without an outcome.
const sqlErasedClientTexts = `
SELECT coalesce(array_agg(DISTINCT provider_id) FILTER (WHERE provider_id <> ''), '{}'),
       coalesce(bool_or(sent_at IS NULL AND dead_at IS NULL AND delivery_status = 'sending'), false)
FROM outbox WHERE kind = ANY($2) AND referral_id IN (SELECT id FROM referrals WHERE client_id = $1)`

// ErasedClientMessages lists what the twilio.erase row c has to delete:
// the SIDs it carries and those of the texts Onward sent the client, read
// now so that a text that was on its way when the client was erased is
// deleted too.
func (o *Outbox) ErasedClientMessages(ctx context.Context, c OutboxClaim) (ProviderMessages, error) {
	var (
		texts []string
		out   ProviderMessages
	)
	if err := o.pool.QueryRow(ctx, sqlErasedClientTexts, c.Payload.ClientID, textKindNames()).Scan(&texts, &out.Sending); err != nil {
		return ProviderMessages{}, fmt.Errorf("texts of erased client %d: %w", c.Payload.ClientID, err)
	}
	seen := map[string]bool{}
	for _, s := range append(append([]string(nil), c.Payload.MessageSIDs...), texts...) {
		if !seen[s] {
			seen[s] = true
			out.SIDs = append(out.SIDs, s)
		}
	}
	return out, nil
}

// sqlForgetMessageSIDs clears the SIDs of messages deleted at Twilio from
// the text rows that sent them, once each row has its outcome (a row
// still "sending" keeps its id: the worker's check of an interrupted send
// relies on it). A delivery callback naming one of them later finds no
// row and changes nothing.
const sqlForgetMessageSIDs = `
UPDATE outbox SET provider_id = ''
WHERE provider_id = ANY($1) AND kind = ANY($2) AND (sent_at IS NOT NULL OR dead_at IS NOT NULL)`

// sqlForgetErasureSIDs drops the SIDs from the twilio.erase row itself.
const sqlForgetErasureSIDs = `UPDATE outbox SET payload = payload - 'message_sids' WHERE id = $1`

// ForgetMessageSIDs is run in the transaction that marks the twilio.erase
// row c done (Outbox.MarkSent): with the messages gone at Twilio, their
// SIDs leave Onward's rows too, the row's own and the texts'.
func (o *Outbox) ForgetMessageSIDs(c OutboxClaim, sids []string) func(context.Context, pgx.Tx) error {
	return func(ctx context.Context, tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, sqlForgetMessageSIDs, sids, textKindNames()); err != nil {
			return fmt.Errorf("clear the ids of %d deleted messages: %w", len(sids), err)
		}
		if _, err := tx.Exec(ctx, sqlForgetErasureSIDs, c.ID); err != nil {
			return fmt.Errorf("clear the ids of outbox row %d: %w", c.ID, err)
		}
		return nil
	}
}

// DeliveryProviderErased is the status of a twilio.erase row done: how
// many messages Twilio no longer holds.
func DeliveryProviderErased(n int) DeliveryStatus {
	return DeliveryStatus(fmt.Sprintf("deleted at Twilio: %d message(s)", n))
}

// The events of the deletion at Twilio, on the erased client's stream of
// the audit log beside EventClientErased. They hold counts and the
// outbox row's id, never a SID.
const (
	// EventErasedAtProvider records that a twilio.erase row finished:
	// Twilio holds none of the messages Onward knew of the client.
	// "deleted" counts those Twilio deleted, "already_gone" those it no
	// longer held (a text it never kept for this account, or one an
	// earlier try of the same row deleted before it was interrupted).
	EventErasedAtProvider EventKind = "client.erased-at-provider"
	// EventProviderEraseStopped records that a twilio.erase row was
	// dead-lettered: the deletion could not finish, and the row keeps the
	// SIDs it still has to delete for `onward outbox retry`.
	EventProviderEraseStopped EventKind = "client.erasure-at-provider-stopped"
)

// ProviderErasure is what the delivery of a twilio.erase row did.
type ProviderErasure struct {
	Deleted int // messages Twilio deleted (204)
	Gone    int // messages Twilio no longer held (404)
}

// sqlAppendEventOnce is sqlAppendEvent unless the stream has an event of
// the kind already.
const sqlAppendEventOnce = sqlAppendEvent + `
WHERE NOT EXISTS (SELECT 1 FROM events WHERE stream = $1 AND kind = $2)`

// ProviderErased is run in the transaction that marks the twilio.erase
// row c done (Outbox.MarkSent): the SIDs of the messages deleted leave
// Onward's rows (Outbox.ForgetMessageSIDs), and the client's audit log
// says the deletion finished, once (EventErasedAtProvider; a client has
// one such row, and a second delivery of it writes no second event).
func (e *Engine) ProviderErased(c OutboxClaim, sids []string, done ProviderErasure) func(context.Context, pgx.Tx) error {
	forget := e.outbox.ForgetMessageSIDs(c, sids)
	return func(ctx context.Context, tx pgx.Tx) error {
		if err := forget(ctx, tx); err != nil {
			return err
		}
		ev := newEvent{kind: EventErasedAtProvider, client: c.Payload.ClientID, actor: SystemActor,
			data: eventData("deleted", done.Deleted, "already_gone", done.Gone, "outbox_id", int64(c.ID))}
		if _, err := tx.Exec(ctx, sqlAppendEventOnce, e.eventArgs(ev, e.clock.Now())...); err != nil {
			return fmt.Errorf("append %s event: %w", ev.kind, err)
		}
		return nil
	}
}

// ProviderEraseStopped is run in the transaction that dead-letters the
// twilio.erase row c (Outbox.DeadLetter): the client's audit log says the
// deletion at Twilio could not finish (EventProviderEraseStopped), naming
// the row to retry. Why it failed is on the row, not in the log.
func (e *Engine) ProviderEraseStopped(c OutboxClaim) func(context.Context, pgx.Tx) error {
	return func(ctx context.Context, tx pgx.Tx) error {
		return e.appendEvent(ctx, tx, newEvent{kind: EventProviderEraseStopped, client: c.Payload.ClientID, actor: SystemActor,
			data: eventData("outbox_id", int64(c.ID), "attempts", c.Attempts)})
	}
}

// textKindNames are TextKinds as the outbox's kind column holds them.
func textKindNames() []string {
	kinds := make([]string, len(TextKinds))
	for i, k := range TextKinds {
		kinds[i] = string(k)
	}
	return kinds
}
