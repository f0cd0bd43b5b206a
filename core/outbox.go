package core

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
)

// OutboxKind names what an outbox row asks notify to deliver. Rows carry
// ids, never personal data: the sender reads what it needs when it sends.
type OutboxKind string

// Outbox kinds.
const (
	// OutboxCard posts or updates the referral's card in a channel
	// (Payload.Channel: "agency" or "triage") to show its current state.
	OutboxCard OutboxKind = "card.sync"
	// OutboxClientSMS texts the client (Payload.Template names the copy).
	OutboxClientSMS OutboxKind = "sms.client"
	// OutboxCrisisAlert alerts coordinators to a crisis self-referral.
	OutboxCrisisAlert OutboxKind = "alert.crisis"
	// OutboxFeedback tells the referring agency why its referral was rejected.
	OutboxFeedback OutboxKind = "card.feedback"
	// OutboxAckReminder reminds the agency (Payload.Level "reminder") or
	// escalates to coordinators ("escalation") when a referral is not
	// acknowledged in time. Skipped at send time if the referral has moved.
	OutboxAckReminder OutboxKind = "reminder.ack"
	// OutboxContactNudge nudges the agency when an accepted referral is not
	// marked contacted in time. Skipped if it has moved.
	OutboxContactNudge OutboxKind = "reminder.contact"
	// OutboxAlert is a coordinator alert about delivery trouble.
	OutboxAlert OutboxKind = "alert.coordinators"
)

// Client text templates named by sms.client rows.
const (
	SMSConfirmation   = "confirmation"
	SMSAccepted       = "accepted"
	SMSRedirected     = "redirected"
	SMSRerouted       = "rejected_rerouted"
	SMSRejected       = "rejected"
	SMSContactCheck   = "contact_check"
	SMSFeedbackAsk    = "feedback_request"
	SMSCancelled      = "cancelled"
	SMSConsentRemoved = "consent_withdrawn"
)

// OutboxPayload is the JSON body of an outbox row.
type OutboxPayload struct {
	ReferralID ReferralID `json:"referral_id,omitempty"`
	Version    int        `json:"version,omitempty"`
	Channel    string     `json:"channel,omitempty"`
	Template   string     `json:"template,omitempty"`
	Level      string     `json:"level,omitempty"`
	AgencyID   AgencyID   `json:"agency_id,omitempty"`
	Text       string     `json:"text,omitempty"`
}

// OutboxRow is one message waiting to leave, or that has left.
type OutboxRow struct {
	ID          OutboxID      `db:"id"`
	Kind        OutboxKind    `db:"kind"`
	ReferralID  *ReferralID   `db:"referral_id"`
	Payload     OutboxPayload `db:"payload"`
	DedupeKey   string        `db:"dedupe_key"`
	AvailableAt time.Time     `db:"available_at"`
	Attempts    int           `db:"attempts"`
	LastError   string        `db:"last_error"`
	ProviderID  string        `db:"provider_id"`
	CreatedAt   time.Time     `db:"created_at"`
	SentAt      *time.Time    `db:"sent_at"`
	DeadAt      *time.Time    `db:"dead_at"`
}

// outboxMsg is a row to write with a change.
type outboxMsg struct {
	kind      OutboxKind
	referral  ReferralID
	payload   OutboxPayload
	dedupe    string
	available time.Time // zero = now
}

const sqlInsertOutbox = `
INSERT INTO outbox (kind, referral_id, payload, dedupe_key, available_at, created_at)
VALUES ($1, $2, $3, $4, $5, $6)
ON CONFLICT (dedupe_key) DO NOTHING`

// queueOutbox adds an outbox insert to the batch of the change causing it.
// The dedupe key makes a repeated cause a no-op.
func queueOutbox(b *pgx.Batch, m outboxMsg, now time.Time) {
	avail := m.available
	if avail.IsZero() {
		avail = now
	}
	b.Queue(sqlInsertOutbox, m.kind, nullID(m.referral), m.payload, m.dedupe, avail, now)
}

// EnqueueOutbox writes outbox rows on their own, for edges and the
// scheduler that create messages not caused by a referral change (digests,
// delivery alerts). Rows already present by dedupe key are left alone.
func (e *Engine) EnqueueOutbox(ctx context.Context, db DB, kind OutboxKind, referral ReferralID, p OutboxPayload, dedupe string, available time.Time) error {
	now := e.clock.Now()
	if available.IsZero() {
		available = now
	}
	if _, err := db.Exec(ctx, sqlInsertOutbox, kind, nullID(referral), p, dedupe, available, now); err != nil {
		return fmt.Errorf("enqueue %s: %w", kind, err)
	}
	// Inside a caller's transaction the row is not visible until commit:
	// the caller wakes the workers then (WakeWorkers), not us now.
	if _, inTx := db.(pgx.Tx); !inTx {
		e.wakeWorkers()
	}
	return nil
}

// WakeWorkers tells outbox workers there is new work; call it after
// committing a transaction that wrote outbox rows with EnqueueOutbox.
func (e *Engine) WakeWorkers() { e.wakeWorkers() }

// sendBatch runs a batch and reports the first error.
func sendBatch(ctx context.Context, tx pgx.Tx, b *pgx.Batch) error {
	if b.Len() == 0 {
		return nil
	}
	return tx.SendBatch(ctx, b).Close()
}

// cardMsg asks for the referral's card in a channel to show its new state.
func cardMsg(r Referral, channel string) outboxMsg {
	return outboxMsg{
		kind: OutboxCard, referral: r.ID,
		payload: OutboxPayload{ReferralID: r.ID, Version: r.Version, Channel: channel},
		dedupe:  fmt.Sprintf("card:%d:%s:v%d", r.ID, channel, r.Version),
	}
}

// smsMsg texts the client about the referral.
func smsMsg(r Referral, template string, available time.Time) outboxMsg {
	return outboxMsg{
		kind: OutboxClientSMS, referral: r.ID,
		payload:   OutboxPayload{ReferralID: r.ID, Version: r.Version, Template: template},
		dedupe:    fmt.Sprintf("sms:%d:%s:v%d", r.ID, template, r.Version),
		available: available,
	}
}
