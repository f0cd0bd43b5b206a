package core

import (
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
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
	// acknowledged in time. Skipped at send time if the referral has moved
	// (Referral.StillDue, as its email twin).
	OutboxAckReminder OutboxKind = "reminder.ack"
	// OutboxContactNudge nudges the agency in Slack when an accepted
	// referral is not marked contacted in time (EmailContactReminder is
	// its email twin). Skipped if it has moved (Referral.StillDue).
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
	// SMSCouldNotContact tells the client the agency closed their referral
	// because it could not reach them (ActionFail).
	SMSCouldNotContact = "could_not_contact"
	// SMSConfirmationNoLocal confirms a self-referral no local advice
	// service can take (SelfReferralResult.NoLocalService): a
	// coordinator will look for the right help, so it promises no
	// "picked up" text.
	SMSConfirmationNoLocal = "confirmation_no_local"
)

// OutboxPayload is the JSON body of an outbox row.
type OutboxPayload struct {
	ReferralID ReferralID `json:"referral_id,omitempty"`
	Version    int        `json:"version,omitempty"`
	Channel    string     `json:"channel,omitempty"`
	Template   string     `json:"template,omitempty"`
	Level      string     `json:"level,omitempty"`
	// Due is the due time a reminder was queued for (Referral.Due): it
	// goes only while the referral is still due then.
	Due      *time.Time `json:"due,omitempty"`
	AgencyID AgencyID   `json:"agency_id,omitempty"`
	Text     string     `json:"text,omitempty"`
	// Webhook names the partner subscription and event of a webhook row.
	Webhook *WebhookPayload `json:"webhook,omitempty"`
	// PhoneCodeID names the one-time code an sms.code row texts (the number
	// and code themselves stay sealed in phone_codes).
	PhoneCodeID int64 `json:"phone_code_id,omitempty"`
	// Email is the kind of an email row; StaffID its recipient when it
	// goes to a member of staff (else the agency's shared address).
	Email   EmailKind `json:"email,omitempty"`
	StaffID StaffID   `json:"staff_id,omitempty"`
	// Action is the action a referrer's update email tells of: news of a
	// completion goes only if the completion stands (Referral.StillDue).
	Action Action `json:"action,omitempty"`
	// PhoneEnc is the number a directory text goes to, or a withdrawal
	// code ask (OutboxWithdrawalAsk), encrypted: the outbox keeps personal
	// data encrypted like every other table.
	PhoneEnc []byte `json:"phone_enc,omitempty"`
	// Language is the language a text with no client record behind it is
	// written in: a phone code asked for on a page in that language.
	Language string `json:"language,omitempty"`
	// Answers marks a client text that answers what the client has just
	// sent (a self-referral's confirmation, the confirmation of a
	// withdrawal they texted): quiet hours hold back the texts Onward
	// starts, not an answer while it is fresh.
	Answers bool `json:"answers,omitempty"`
	// CrisisText is what an agency's email about its client's crisis
	// text (EmailClientCrisis) says of the text: its kinds of words and
	// when it came, never the words.
	CrisisText *CrisisTextNews `json:"crisis_text,omitempty"`
	// ClientID and MessageSIDs are an erased client and the Twilio
	// message ids their erasure cleared, for OutboxProviderErase: ids
	// only, and the SIDs are dropped once Twilio has deleted the messages.
	ClientID    ClientID `json:"client_id,omitempty"`
	MessageSIDs []string `json:"message_sids,omitempty"`
}

// DeliveryStatus is what an outbox row's delivery_status says about its
// delivery: empty while it waits, the provider's word once it has left,
// or why it was skipped, deferred or dead-lettered. Twilio's delivery
// callbacks store their MessageStatus here as it comes.
type DeliveryStatus string

// Delivery statuses with a meaning of their own.
const (
	// DeliveryPending: not tried yet, or waiting for its next attempt.
	DeliveryPending DeliveryStatus = ""
	// DeliverySending marks a text whose API call may be in flight; a row
	// claimed again in this state is dead-lettered, not sent twice.
	DeliverySending DeliveryStatus = "sending"
	// DeliveryDead marks a dead letter.
	DeliveryDead DeliveryStatus = "dead"
	// DeliveryPosted and DeliveryUpdated: a Slack message was posted, or a
	// card updated in place.
	DeliveryPosted  DeliveryStatus = "posted"
	DeliveryUpdated DeliveryStatus = "updated"
	// DeliverySeeded marks the demo history's rows, recorded as sent
	// without being delivered.
	DeliverySeeded DeliveryStatus = "seeded history"
	// DeliveryChecked marks a withdrawal code ask the worker answered,
	// whether or not a code was queued: the row does not say which.
	DeliveryChecked DeliveryStatus = "checked"

	// Twilio's final statuses: once one is recorded, a late callback with
	// an earlier status (queued, sending, sent) does not replace it, and
	// among them only one showing the message got further does
	// (deliveryRanks).
	DeliveryDelivered   DeliveryStatus = "delivered"
	DeliveryUndelivered DeliveryStatus = "undelivered"
	DeliveryFailed      DeliveryStatus = "failed"
	DeliveryRead        DeliveryStatus = "read"
	DeliveryCanceled    DeliveryStatus = "canceled"
)

// finalDeliveryStatuses are the provider statuses a message ends in, and
// deliveryRanks (aligned) how far each shows the message got: failed,
// undelivered or canceled 1, delivered 2, read 3 (WhatsApp's, after
// delivered). A callback replaces the stored status only with one of a
// higher rank, or, while neither is final, with any. Twilio's callbacks
// can arrive out of order, so a late "delivered" must not undo "read",
// nor a late "failed" undo "delivered"; a carrier's "delivered" after its
// "undelivered" is the later news and stands.
var (
	finalDeliveryStatuses = []DeliveryStatus{DeliveryDelivered, DeliveryUndelivered, DeliveryFailed, DeliveryCanceled, DeliveryRead}
	deliveryRanks         = []int32{2, 1, 1, 1, 3}
)

// Final reports whether the status is one a provider sends last.
func (s DeliveryStatus) Final() bool { return slices.Contains(finalDeliveryStatuses, s) }

// rank is the status's place in deliveryRanks: 0 before a final one.
func (s DeliveryStatus) rank() int32 {
	if i := slices.Index(finalDeliveryStatuses, s); i >= 0 {
		return deliveryRanks[i]
	}
	return 0
}

// providerStatuses are the MessageStatus values Twilio's delivery
// callbacks carry, for SMS and WhatsApp.
var providerStatuses = []DeliveryStatus{"accepted", "scheduled", "queued", "sending", "sent", "receiving",
	"received", "partially_delivered", DeliveryDelivered, DeliveryUndelivered, DeliveryFailed, DeliveryRead, DeliveryCanceled}

// ProviderStatus reports whether s is a status Twilio's delivery
// callbacks send; anything else is not a callback Onward can record.
func (s DeliveryStatus) ProviderStatus() bool { return slices.Contains(providerStatuses, s) }

// DeliverySkipped is the status of a row marked sent without being
// delivered, saying why ("skipped: client opted out of texts").
func DeliverySkipped(why string) DeliveryStatus { return DeliveryStatus("skipped: " + why) }

// DeliveryWaiting is the status of a row put back without counting the
// attempt, saying why ("waiting: quiet hours").
func DeliveryWaiting(why string) DeliveryStatus { return DeliveryStatus("waiting: " + why) }

// DeliverySMS is the status of a text Twilio accepted, with Twilio's own
// status of the moment ("sms queued").
func DeliverySMS(providerStatus string) DeliveryStatus {
	return DeliveryStatus("sms " + providerStatus)
}

// OutboxState is where a row is in its life: waiting to leave, sent
// (delivered or skipped), or dead-lettered.
type OutboxState string

// Outbox row states.
const (
	OutboxPending OutboxState = "pending"
	OutboxSent    OutboxState = "sent"
	OutboxDead    OutboxState = "dead"
)

// Outbox is the transactional outbox: every statement on the outbox table
// is one of its methods. Core's changes queue rows in their own
// transaction; notify's workers claim, mark and dead-letter them; intake
// records providers' delivery callbacks; `onward outbox` lists and
// retries. Several workers share the table through leases and SKIP LOCKED.
type Outbox struct {
	pool  *pgxpool.Pool
	clock Clock
	wake  func() // tells workers there is new work; nil when nobody listens
}

// NewOutbox opens the outbox on a pool, for commands that run without an
// Engine (the Engine has its own: Engine.Outbox). Rows it enqueues outside
// a transaction are announced with NOTIFY straight away.
func NewOutbox(pool *pgxpool.Pool, clock Clock) *Outbox {
	o := &Outbox{pool: pool, clock: clock}
	o.wake = func() {
		if _, err := pool.Exec(context.Background(), sqlNotifyOutbox, OutboxChannel); err != nil {
			// A lost wake-up only costs the workers' slow poll.
			return
		}
	}
	return o
}

// Outbox is the engine's outbox.
func (e *Engine) Outbox() *Outbox { return e.outbox }

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

// sqlNotifyOutbox wakes the workers LISTENing on OutboxChannel; inside a
// transaction it is delivered at commit.
const sqlNotifyOutbox = `SELECT pg_notify($1, '')`

// Enqueue writes one outbox row on its own and wakes the workers, for
// edges and the scheduler that create messages not caused by a referral
// change (digests, alerts). A row already present by dedupe key is left
// alone; a zero available means now.
func (o *Outbox) Enqueue(ctx context.Context, kind OutboxKind, referral ReferralID, p OutboxPayload, dedupe string, available time.Time) error {
	if err := o.insert(ctx, o.pool, kind, referral, p, dedupe, available); err != nil {
		return err
	}
	o.wake()
	return nil
}

// EnqueueTx writes one outbox row in the caller's transaction. The row is
// not visible until the commit, so the caller wakes the workers then
// (Engine.WakeWorkers).
func (o *Outbox) EnqueueTx(ctx context.Context, tx pgx.Tx, kind OutboxKind, referral ReferralID, p OutboxPayload, dedupe string, available time.Time) error {
	return o.insert(ctx, tx, kind, referral, p, dedupe, available)
}

func (o *Outbox) insert(ctx context.Context, db DB, kind OutboxKind, referral ReferralID, p OutboxPayload, dedupe string, available time.Time) error {
	now := o.clock.Now()
	if available.IsZero() {
		available = now
	}
	if _, err := db.Exec(ctx, sqlInsertOutbox, kind, nullID(referral), p, dedupe, available, now); err != nil {
		return fmt.Errorf("enqueue %s: %w", kind, err)
	}
	return nil
}

// OutboxRow is one row for EnqueueAllTx.
type OutboxRow struct {
	Kind      OutboxKind
	Referral  ReferralID
	Payload   OutboxPayload
	Dedupe    string
	Available time.Time // zero: now
}

// EnqueueAllTx writes rows in the caller's transaction in one round trip,
// as a change writes its own rows; like EnqueueTx, the caller wakes the
// workers after the commit.
func (o *Outbox) EnqueueAllTx(ctx context.Context, tx pgx.Tx, rows []OutboxRow) error {
	b := &pgx.Batch{}
	now := o.clock.Now()
	for _, r := range rows {
		o.queue(b, outboxMsg{kind: r.Kind, referral: r.Referral, payload: r.Payload, dedupe: r.Dedupe, available: r.Available}, now)
	}
	if err := sendBatch(ctx, tx, b); err != nil {
		return fmt.Errorf("enqueue %d outbox rows: %w", len(rows), err)
	}
	return nil
}

// WakeWorkers tells outbox workers there is new work; call it after
// committing a transaction that wrote outbox rows with Outbox.EnqueueTx.
func (e *Engine) WakeWorkers() { e.wakeWorkers() }

// sendBatch runs a batch and reports the first error.
func sendBatch(ctx context.Context, tx pgx.Tx, b *pgx.Batch) error {
	if b.Len() == 0 {
		return nil
	}
	if err := tx.SendBatch(ctx, b).Close(); err != nil {
		return fmt.Errorf("write %d queued statements: %w", b.Len(), err)
	}
	return nil
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
