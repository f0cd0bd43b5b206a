package core

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
)

// MessagingChannel is how a client's phone writes to Onward and so how
// Onward texts it back: by SMS, or by WhatsApp through the same Twilio
// account. Both carry the same conversation and the same status texts.
type MessagingChannel string

// Messaging channels.
const (
	MessagingSMS      MessagingChannel = "sms"
	MessagingWhatsApp MessagingChannel = "whatsapp"
)

// WhatsAppWindow is WhatsApp's customer-service window: for this long
// after a client's last WhatsApp message, Onward may answer in its own
// words; after it, only a template WhatsApp has approved.
const WhatsAppWindow = 24 * time.Hour

// Messaging is what Onward knows about how a phone writes to it.
type Messaging struct {
	Channel MessagingChannel
	// WhatsAppInboundAt is when the phone last wrote by WhatsApp (nil if
	// never).
	WhatsAppInboundAt *time.Time
}

// WindowOpen reports whether a free-form WhatsApp message may be sent at
// now: the client wrote by WhatsApp less than WhatsAppWindow ago.
func (m Messaging) WindowOpen(now time.Time) bool {
	return m.WhatsAppInboundAt != nil && now.Sub(*m.WhatsAppInboundAt) < WhatsAppWindow
}

const (
	// sqlRecordWhatsApp notes a WhatsApp message: the channel and the
	// start of a new window. An older clock reading never moves the
	// window back.
	sqlRecordWhatsApp = `
INSERT INTO messaging_channels (phone_hash, channel, whatsapp_inbound_at, updated_at)
VALUES ($1, 'whatsapp', $2, $2)
ON CONFLICT (phone_hash) DO UPDATE SET channel = 'whatsapp', updated_at = $2,
    whatsapp_inbound_at = greatest(messaging_channels.whatsapp_inbound_at, $2)`
	// sqlRecordSMS moves a phone that used WhatsApp back to SMS; a phone
	// with no row is SMS already, so nothing is written for it.
	sqlRecordSMS = `
UPDATE messaging_channels SET channel = 'sms', updated_at = $2
WHERE phone_hash = $1 AND channel <> 'sms'`
	sqlSelectMessaging = `SELECT channel, whatsapp_inbound_at FROM messaging_channels WHERE phone_hash = $1`
	// sqlCloseWindow forgets the window when WhatsApp says it is closed
	// (Twilio's 63016), so the next message is sent as a template.
	sqlCloseWindow = `UPDATE messaging_channels SET whatsapp_inbound_at = NULL, updated_at = $2 WHERE phone_hash = $1`
)

// RecordInbound notes that the phone wrote to Onward on ch at the
// engine's now. A WhatsApp message opens the 24-hour window and releases
// the client's status texts held for want of an approved template, in
// the same transaction, so they go out at once in Onward's own words.
func (e *Engine) RecordInbound(ctx context.Context, p Phone, ch MessagingChannel) error {
	hash, now := e.crypt.PhoneHash(p), e.clock.Now()
	switch ch {
	case MessagingSMS:
		if _, err := e.pool.Exec(ctx, sqlRecordSMS, hash, now); err != nil {
			return fmt.Errorf("record sms channel: %w", err)
		}
		return nil
	case MessagingWhatsApp:
	default:
		return fmt.Errorf("record inbound: unknown messaging channel %q", ch)
	}
	var released int64
	err := pgx.BeginFunc(ctx, e.pool, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, sqlRecordWhatsApp, hash, now); err != nil {
			return fmt.Errorf("record whatsapp channel: %w", err)
		}
		var err error
		released, err = e.outbox.releaseHeld(ctx, tx, hash, now)
		return err
	})
	if err != nil {
		return err
	}
	if released > 0 {
		e.wakeWorkers()
	}
	return nil
}

// MessagingOf returns how the phone writes to Onward: SMS, with no
// window, for a phone never seen on WhatsApp.
func (e *Engine) MessagingOf(ctx context.Context, p Phone) (Messaging, error) {
	m := Messaging{Channel: MessagingSMS}
	err := e.pool.QueryRow(ctx, sqlSelectMessaging, e.crypt.PhoneHash(p)).Scan(&m.Channel, &m.WhatsAppInboundAt)
	if errors.Is(err, pgx.ErrNoRows) {
		return m, nil
	}
	if err != nil {
		return Messaging{}, fmt.Errorf("messaging channel: %w", err)
	}
	return m, nil
}

// CloseWhatsAppWindow forgets the phone's window, after Twilio refused a
// free-form message as outside it (error 63016).
func (e *Engine) CloseWhatsAppWindow(ctx context.Context, p Phone) error {
	if _, err := e.pool.Exec(ctx, sqlCloseWindow, e.crypt.PhoneHash(p), e.clock.Now()); err != nil {
		return fmt.Errorf("close whatsapp window: %w", err)
	}
	return nil
}
