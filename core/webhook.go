package core

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
)

// WebhookSubscriptionID identifies a partner's webhook subscription.
type WebhookSubscriptionID int64

// OutboxWebhook delivers one referral event to one partner subscription
// (Payload.Webhook says which). Its rows carry no referral_id column, so a
// partner's slow or broken receiver never holds back the referral's cards
// and texts; the payload's version orders the events for the partner.
const OutboxWebhook OutboxKind = "webhook.referral"

// Webhook event types.
const (
	WebhookReferralCreated = "referral.created"
	WebhookReferralUpdated = "referral.updated"
)

// WebhookRetrySchedule is how long a webhook event waits after each
// failed attempt before the next: Standard Webhooks' example schedule
// (the first attempt at once, then after 5 s, 5 min, 30 min, 2 h, 5 h,
// 10 h and 10 h), eight attempts over a little more than a day. A
// receiver down for a deploy, or overnight, misses nothing and needs no
// one to resume it. It is the one definition: the worker retries by it
// and a subscription pauses only once it is spent (WebhookRetrySpan).
// Crisis alerts keep their own short schedule; webhooks are never urgent.
var WebhookRetrySchedule = []time.Duration{
	5 * time.Second, 5 * time.Minute, 30 * time.Minute,
	2 * time.Hour, 5 * time.Hour, 10 * time.Hour, 10 * time.Hour,
}

// WebhookAttempts is how many times one event is tried before its
// schedule is spent: the first attempt and one per wait.
var WebhookAttempts = len(WebhookRetrySchedule) + 1

// WebhookRetrySpan is how long deliveries to a subscription must have
// failed, with none delivered, before it is paused (and coordinators
// alerted): the whole of WebhookRetrySchedule, so an event that fails
// every attempt pauses it at its last. Its events wait, none are lost.
var WebhookRetrySpan = func() time.Duration {
	var d time.Duration
	for _, w := range WebhookRetrySchedule {
		d += w
	}
	return d
}()

// WebhookRetryWait returns how long an event waits after its attempts-th
// failed attempt (1 = the first), and false once its schedule is spent.
func WebhookRetryWait(attempts int) (time.Duration, bool) {
	if attempts < 1 || attempts > len(WebhookRetrySchedule) {
		return 0, false
	}
	return WebhookRetrySchedule[attempts-1], true
}

// webhookSpanWords says WebhookRetrySpan for coordinators ("over 27 hours").
func webhookSpanWords() string {
	return fmt.Sprintf("over %d hours", int(WebhookRetrySpan/time.Hour))
}

// WebhookPayload is what an outbox row of kind OutboxWebhook carries:
// ids and statuses only. The partner fetches details with its credentials.
type WebhookPayload struct {
	Subscription WebhookSubscriptionID `json:"subscription_id"`
	Event        string                `json:"event"`
	Reference    string                `json:"reference"`
	Status       Status                `json:"status"`
}

// WebhookSubscription is where a partner wants referral events sent.
type WebhookSubscription struct {
	ID        WebhookSubscriptionID `db:"id"`
	PartnerID PartnerID             `db:"partner_id"`
	URL       string                `db:"url"`
	Failures  int                   `db:"failures"`
	PausedAt  *time.Time            `db:"paused_at"`
	LastError string                `db:"last_error"`
	CreatedAt time.Time             `db:"created_at"`
	// PreviousSecretUntil is when the secret replaced by the last
	// rotation stops signing deliveries (nil: none is kept).
	PreviousSecretUntil *time.Time `db:"previous_secret_until"`
}

const webhookColumns = `id, partner_id, url, failures, paused_at, last_error, created_at, previous_secret_until`

// sqlQueueWebhooks writes one outbox row per live subscription of a
// partner allowed to see the referral (its agency sent or received it, or
// the partner is network-wide), in the transaction of the change. A
// partner of an agency the change made the receiving one ($10 the one
// before: a self-referral assigned from triage) hears of it as created:
// to that agency's system it is new.
const sqlQueueWebhooks = `
INSERT INTO outbox (kind, referral_id, payload, dedupe_key, available_at, created_at)
SELECT $1, NULL,
       jsonb_build_object('referral_id', $2::bigint, 'version', $3::int,
           'webhook', jsonb_build_object('subscription_id', s.id,
               'event', CASE WHEN p.agency_id = $8 AND $8 <> $10 THEN '` + WebhookReferralCreated + `' ELSE $4::text END,
               'reference', $5::text, 'status', $6::text)),
       'webhook:' || s.id || ':' || $2::bigint || ':v' || $3::int, $7, $7
FROM webhook_subscriptions s JOIN partners p ON p.id = s.partner_id
WHERE s.deleted_at IS NULL AND p.revoked_at IS NULL
  AND (p.agency_id IS NULL OR p.agency_id = $8 OR p.agency_id = $9)
ON CONFLICT (dedupe_key) DO NOTHING`

// queueWebhooks adds the webhook rows of a referral change to its batch;
// wasTo is the receiving agency before it (r's own for a new referral).
func (e *Engine) queueWebhooks(b *pgx.Batch, r Referral, event string, wasTo *AgencyID, now time.Time) {
	b.Queue(sqlQueueWebhooks, OutboxWebhook, r.ID, r.Version, event, r.Reference, string(r.Status), now,
		derefAgency(r.ToAgencyID), derefAgency(r.FromAgencyID), derefAgency(wasTo))
}

// legacyWebhookSecretField is what secrets were sealed for before they
// were bound to their row.
const legacyWebhookSecretField = "webhook.secret"

// NewWebhookSecret makes a Standard Webhooks secret: "whsec_" and the
// base64 of 24 random bytes.
func NewWebhookSecret() (string, error) {
	b := make([]byte, 24)
	if _, err := rand.Read(b); err != nil {
		return "", fmt.Errorf("webhook secret: %w", err)
	}
	return "whsec_" + base64.StdEncoding.EncodeToString(b), nil
}

// Subscribe records a partner's webhook URL and returns the subscription
// with its signing secret, shown once. The secret is kept encrypted: it
// must be read back to sign each delivery. Only an address the
// deployment's rule allows is taken (CheckWebhookURL with
// WebhookReceivers): in production an https address of a public host.
// The address is kept, and answered, in its normal form (WebhookURL).
func (e *Engine) Subscribe(ctx context.Context, partner PartnerID, rawURL string) (WebhookSubscription, string, error) {
	return e.subscribe(ctx, partner, rawURL, e.receivers)
}

// UseWebhookReceivers sets which receiver addresses webhooks may go to,
// for subscribing and delivering alike. Without it, PublicReceivers.
func (e *Engine) UseWebhookReceivers(r WebhookReceivers) { e.receivers = r }

// WebhookReceivers is the rule set by UseWebhookReceivers.
func (e *Engine) WebhookReceivers() WebhookReceivers { return e.receivers }

func (e *Engine) subscribe(ctx context.Context, partner PartnerID, rawURL string, allow WebhookReceivers) (WebhookSubscription, string, error) {
	address, err := WebhookURL(rawURL, allow)
	if err != nil {
		return WebhookSubscription{}, "", err
	}
	secret, err := NewWebhookSecret()
	if err != nil {
		return WebhookSubscription{}, "", err
	}
	var s WebhookSubscription
	err = inTx(ctx, e.pool, func(tx pgx.Tx) error {
		// One live subscription per address: a second would deliver
		// every event twice. The partner's row is locked so two calls at
		// once cannot both find none.
		// The look comes in a statement of its own, after the lock: one
		// statement's snapshot is taken before it waits for the lock,
		// and would miss a subscription committed meanwhile.
		if _, err := tx.Exec(ctx, `SELECT 1 FROM partners WHERE id = $1 FOR UPDATE`, partner); err != nil {
			return fmt.Errorf("lock the partner's subscriptions: %w", err)
		}
		// Compared in their normal form: an address stored before
		// addresses were normalised (with ":443", say) is the same one.
		held, err := sameAddress(ctx, tx, partner, address)
		if err != nil {
			return fmt.Errorf("read the partner's subscriptions: %w", err)
		}
		if held != 0 {
			return &ValidationError{Fields: []FieldError{{Field: "url", Message: fmt.Sprintf(
				"this system already has subscription %d to that address, which gets every event; delete it first to make a new one", held)}}}
		}
		// The secret is sealed bound to its row, so the id comes first.
		var id WebhookSubscriptionID
		if err := tx.QueryRow(ctx, `SELECT nextval(pg_get_serial_sequence('webhook_subscriptions', 'id'))`).Scan(&id); err != nil {
			return err
		}
		enc, err := e.crypt.Seal("webhook_subscriptions", "secret_enc", id, secret)
		if err != nil {
			return err
		}
		rows, _ := tx.Query(ctx, `INSERT INTO webhook_subscriptions (id, partner_id, url, secret_enc, created_at)
			OVERRIDING SYSTEM VALUE VALUES ($1, $2, $3, $4, $5) RETURNING `+webhookColumns, id, partner, address, enc, e.clock.Now())
		s, err = pgx.CollectExactlyOneRow(rows, pgx.RowToStructByName[WebhookSubscription])
		return err
	})
	if err != nil {
		return WebhookSubscription{}, "", fmt.Errorf("subscribe: %w", err)
	}
	return s, secret, nil
}

// Subscriptions lists a partner's live subscriptions (0: every partner's).
func (e *Engine) Subscriptions(ctx context.Context, partner PartnerID) ([]WebhookSubscription, error) {
	rows, _ := e.pool.Query(ctx, `SELECT `+webhookColumns+` FROM webhook_subscriptions
		WHERE deleted_at IS NULL AND ($1::bigint = 0 OR partner_id = $1) ORDER BY id`, partner)
	ss, err := pgx.CollectRows(rows, pgx.RowToStructByName[WebhookSubscription])
	if err != nil {
		return nil, fmt.Errorf("list webhook subscriptions: %w", err)
	}
	for i := range ss {
		ss[i].PreviousSecretUntil = e.stillKept(ss[i].PreviousSecretUntil)
	}
	return ss, nil
}

// Unsubscribe ends a partner's subscription; events not yet delivered to
// it are dropped at send time.
func (e *Engine) Unsubscribe(ctx context.Context, partner PartnerID, id WebhookSubscriptionID) error {
	tag, err := e.pool.Exec(ctx, `UPDATE webhook_subscriptions SET deleted_at = $3
		WHERE id = $1 AND partner_id = $2 AND deleted_at IS NULL`, id, partner, e.clock.Now())
	if err != nil {
		return fmt.Errorf("unsubscribe %d: %w", id, err)
	}
	if tag.RowsAffected() == 0 {
		return fmt.Errorf("webhook subscription %d: %w", id, ErrNotFound)
	}
	return nil
}

// WebhookTarget is what a delivery needs: where, the secrets to sign
// with, and whether the subscription is paused or gone.
type WebhookTarget struct {
	Subscription WebhookSubscription
	Secret       string
	// Previous is the secret the last rotation replaced, while it is
	// still kept (WebhookSecretOverlap); "" otherwise. A delivery is
	// signed under both.
	Previous string
	Gone     bool // unsubscribed, or the partner was revoked
}

// Secrets are the secrets a delivery is signed under, the current first.
func (t WebhookTarget) Secrets() []string {
	if t.Previous == "" {
		return []string{t.Secret}
	}
	return []string{t.Secret, t.Previous}
}

// WebhookTarget reads a subscription for delivery.
func (e *Engine) WebhookTarget(ctx context.Context, id WebhookSubscriptionID) (WebhookTarget, error) {
	var t WebhookTarget
	var enc, prevEnc []byte
	var prevUntil, deleted, revoked *time.Time
	s := &t.Subscription
	err := e.pool.QueryRow(ctx, `SELECT s.id, s.partner_id, s.url, s.failures, s.paused_at, s.last_error, s.created_at,
		s.secret_enc, s.previous_secret_enc, s.previous_secret_until, s.deleted_at, p.revoked_at
		FROM webhook_subscriptions s JOIN partners p ON p.id = s.partner_id WHERE s.id = $1`, id).
		Scan(&s.ID, &s.PartnerID, &s.URL, &s.Failures, &s.PausedAt, &s.LastError, &s.CreatedAt, &enc, &prevEnc, &prevUntil, &deleted, &revoked)
	if errors.Is(err, pgx.ErrNoRows) {
		return WebhookTarget{}, fmt.Errorf("webhook subscription %d: %w", id, ErrNotFound)
	}
	if err != nil {
		return WebhookTarget{}, fmt.Errorf("webhook subscription %d: %w", id, err)
	}
	t.Gone = deleted != nil || revoked != nil
	if t.Secret, err = e.crypt.Open("webhook_subscriptions", "secret_enc", s.ID, legacyWebhookSecretField, enc); err != nil {
		return WebhookTarget{}, fmt.Errorf("webhook subscription %d: %w", id, err)
	}
	if s.PreviousSecretUntil = e.stillKept(prevUntil); s.PreviousSecretUntil != nil && len(prevEnc) > 0 {
		if t.Previous, err = e.crypt.Open("webhook_subscriptions", "previous_secret_enc", s.ID, "", prevEnc); err != nil {
			return WebhookTarget{}, fmt.Errorf("webhook subscription %d: previous secret: %w", id, err)
		}
	}
	return t, nil
}

// sameAddress returns the partner's live subscription to address (a
// normal form, WebhookURL's), or 0 for none. Stored addresses are
// compared in their normal form too: one stored before addresses were
// normalised (with ":443", say) is the same address.
func sameAddress(ctx context.Context, tx pgx.Tx, partner PartnerID, address string) (WebhookSubscriptionID, error) {
	rows, _ := tx.Query(ctx, `SELECT id, url FROM webhook_subscriptions
		WHERE partner_id = $1 AND deleted_at IS NULL ORDER BY id`, partner)
	var id, held WebhookSubscriptionID
	var stored string
	_, err := pgx.ForEachRow(rows, []any{&id, &stored}, func() error {
		if normal, ok := normalWebhookURL(stored); held == 0 && (stored == address || ok && normal == address) {
			held = id
		}
		return nil
	})
	return held, err
}

// WebhookDelivered clears a subscription's run of failures: the span
// that pauses it starts again at the next failure.
func (e *Engine) WebhookDelivered(ctx context.Context, id WebhookSubscriptionID) error {
	if _, err := e.pool.Exec(ctx, `UPDATE webhook_subscriptions SET failures = 0, last_error = '', failing_since = NULL
		WHERE id = $1 AND (failures > 0 OR failing_since IS NOT NULL)`, id); err != nil {
		return fmt.Errorf("webhook subscription %d delivered: %w", id, err)
	}
	return nil
}

// WebhookFailed counts a failed delivery. Once deliveries have failed,
// none delivered, for WebhookRetrySpan (an event's whole retry schedule)
// the subscription is paused and, in the same transaction, coordinators
// are alerted; it reports whether this failure paused it. Failures
// earlier in the schedule only count: the worker retries them.
// why must be safe to show coordinators (no response bodies).
func (e *Engine) WebhookFailed(ctx context.Context, id WebhookSubscriptionID, why string) (bool, error) {
	return e.webhookFailed(ctx, id, why, false)
}

// WebhookGone pauses a subscription at once, its receiver having said it
// wants no more deliveries (410 Gone, as Standard Webhooks reads it),
// alerting coordinators in the same transaction as WebhookFailed does
// at its limit; it reports whether this answer paused it (false when it
// was paused already). why must be safe to show coordinators.
func (e *Engine) WebhookGone(ctx context.Context, id WebhookSubscriptionID, why string) (bool, error) {
	return e.webhookFailed(ctx, id, why, true)
}

// sqlWebhookFailed counts a failed delivery ($2 why, $3 now), starting
// the run of failures if none is under way, and pauses the subscription
// when $4 (gone) or when the run began at $5 (WebhookRetrySpan before now) or earlier.
const sqlWebhookFailed = `
UPDATE webhook_subscriptions s SET failures = failures + 1, last_error = $2,
    failing_since = coalesce(failing_since, $3),
    paused_at = CASE WHEN paused_at IS NULL AND ($4 OR coalesce(failing_since, $3) <= $5) THEN $3 ELSE paused_at END
FROM partners p WHERE s.id = $1 AND p.id = s.partner_id
RETURNING s.failures, s.paused_at, p.name`

// webhookFailed counts a failed delivery, pausing the subscription once
// deliveries have failed for WebhookRetrySpan, or at once when gone.
func (e *Engine) webhookFailed(ctx context.Context, id WebhookSubscriptionID, why string, gone bool) (bool, error) {
	paused := false
	err := inTx(ctx, e.pool, func(tx pgx.Tx) error {
		now := e.clock.Now()
		var failures int
		var pausedAt *time.Time
		var partnerName string
		err := tx.QueryRow(ctx, sqlWebhookFailed, id, why, now, gone, now.Add(-WebhookRetrySpan)).Scan(&failures, &pausedAt, &partnerName)
		if err != nil {
			return fmt.Errorf("webhook subscription %d failed: %w", id, err)
		}
		if pausedAt == nil || !pausedAt.Equal(now) {
			return nil
		}
		paused = true
		text := fmt.Sprintf("Webhook deliveries to %s (subscription %d) have failed for %s, through every retry, none delivered "+
			"(%d failures in a row, the last: %s), and are paused. "+
			"Nothing is lost: events wait until the partner fixes its receiver and resumes with `onward partner webhook-resume %d --by EMAIL`.",
			partnerName, id, webhookSpanWords(), failures, why, id)
		if gone {
			text = fmt.Sprintf("Webhook deliveries to %s (subscription %d) are paused: its receiver answered 410 Gone, saying it wants no more (%s). "+
				"Nothing is lost: events wait until the partner resumes with `onward partner webhook-resume %d --by EMAIL`.",
				partnerName, id, why, id)
		}
		return e.outbox.EnqueueTx(ctx, tx, OutboxAlert, 0, OutboxPayload{Level: "webhook-paused", Text: text},
			fmt.Sprintf("webhook-paused:%d:%d", id, now.UnixMicro()), now)
	})
	if err != nil {
		return false, err
	}
	if paused {
		e.wakeWorkers()
	}
	return paused, nil
}

// sqlResumeSubscription ends a subscription's pause; $2, when not 0, is
// the partner system it must belong to (a partner resuming its own).
const sqlResumeSubscription = `
UPDATE webhook_subscriptions s SET paused_at = NULL, failures = 0, failing_since = NULL
FROM partners p
WHERE s.id = $1 AND s.deleted_at IS NULL AND p.id = s.partner_id AND ($2::bigint = 0 OR s.partner_id = $2)
RETURNING s.partner_id, p.agency_id`

// ResumeSubscription ends a pause: the failures are cleared and the
// events that waited are due at once, their attempts counted afresh, so a
// receiver still failing pauses the subscription again (after
// WebhookRetrySpan) when the first of them has spent its schedule, before
// any is given up. Events the worker gave up
// on meanwhile come back too: a subscription's events wait for it, none
// is lost. by is the partner system the subscription belongs to (its
// API), or a coordinator, an admin or the system (mayChangePartners);
// another partner's subscription is ErrNotFound to a partner system.
// Audited.
func (e *Engine) ResumeSubscription(ctx context.Context, id WebhookSubscriptionID, by Actor) error {
	var own PartnerID
	switch {
	case by.Kind == ActorPartner && by.PartnerID != 0:
		own = by.PartnerID
	default:
		if err := mayChangePartners(by); err != nil {
			return fmt.Errorf("resume webhook subscription %d: %w", id, err)
		}
	}
	err := inTx(ctx, e.pool, func(tx pgx.Tx) error {
		var partner PartnerID
		var agency *AgencyID
		err := tx.QueryRow(ctx, sqlResumeSubscription, id, own).Scan(&partner, &agency)
		if errors.Is(err, pgx.ErrNoRows) {
			return ErrNotFound
		}
		if err != nil {
			return err
		}
		_, err = tx.Exec(ctx, `UPDATE outbox SET available_at = $3, attempts = 0, cut_short = 0, dead_at = NULL, due_since = NULL
			WHERE kind = $1 AND sent_at IS NULL AND (payload->'webhook'->>'subscription_id')::bigint = $2`,
			OutboxWebhook, id, e.clock.Now())
		if err != nil {
			return err
		}
		return e.appendEvent(ctx, tx, newEvent{kind: EventWebhookResumed, agency: derefAgency(agency), actor: by,
			data: eventData("partner_id", int64(partner), "subscription_id", int64(id))})
	})
	if err != nil {
		return fmt.Errorf("resume webhook subscription %d: %w", id, err)
	}
	e.wakeWorkers()
	return nil
}

// WebhookSecretOverlap is how long a webhook secret replaced by
// RotateWebhookSecret still signs deliveries beside the new one: a day,
// for the partner to put the new secret in its receiver.
const WebhookSecretOverlap = 24 * time.Hour

// stillKept is until while a replaced secret still signs deliveries, nil
// once it has stopped (or there is none).
func (e *Engine) stillKept(until *time.Time) *time.Time {
	if until == nil || !e.clock.Now().Before(*until) {
		return nil
	}
	return until
}

// RotationPendingError refuses a rotation of a webhook subscription's
// secret while the secret the last rotation replaced still signs
// deliveries: a second rotation would drop that one at once, and a
// receiver still verifying with it would refuse every delivery.
type RotationPendingError struct {
	// Until is when the replaced secret stops signing, and the
	// subscription may be rotated again.
	Until time.Time
}

func (e *RotationPendingError) Error() string {
	return fmt.Sprintf("the secret the last rotation replaced still signs deliveries until %s, and rotating again now would drop it "+
		"while your receiver may still use it; nothing was changed. Rotate again after then. To stop a leaked secret at once, "+
		"delete the subscription and subscribe again", e.Until.UTC().Format(time.RFC3339))
}

// RotateWebhookSecret gives one of a partner's subscriptions a new signing
// secret, returned once. For WebhookSecretOverlap the secret it replaces
// still signs deliveries beside it (each delivery carries both
// signatures), so a receiver changes over without refusing one; until
// then another rotation is refused with a *RotationPendingError. Another
// partner's subscription is ErrNotFound.
func (e *Engine) RotateWebhookSecret(ctx context.Context, partner PartnerID, id WebhookSubscriptionID) (WebhookSubscription, string, error) {
	secret, err := NewWebhookSecret()
	if err != nil {
		return WebhookSubscription{}, "", err
	}
	var s WebhookSubscription
	err = inTx(ctx, e.pool, func(tx pgx.Tx) error {
		var enc []byte
		var until *time.Time
		err := tx.QueryRow(ctx, `SELECT secret_enc, previous_secret_until FROM webhook_subscriptions
			WHERE id = $1 AND partner_id = $2 AND deleted_at IS NULL FOR UPDATE`, id, partner).Scan(&enc, &until)
		if errors.Is(err, pgx.ErrNoRows) {
			return fmt.Errorf("webhook subscription %d: %w", id, ErrNotFound)
		}
		if err != nil {
			return err
		}
		if kept := e.stillKept(until); kept != nil {
			return &RotationPendingError{Until: *kept}
		}
		old, err := e.crypt.Open("webhook_subscriptions", "secret_enc", id, legacyWebhookSecretField, enc)
		if err != nil {
			return err
		}
		prevEnc, err := e.crypt.Seal("webhook_subscriptions", "previous_secret_enc", id, old)
		if err != nil {
			return err
		}
		newEnc, err := e.crypt.Seal("webhook_subscriptions", "secret_enc", id, secret)
		if err != nil {
			return err
		}
		rows, _ := tx.Query(ctx, `UPDATE webhook_subscriptions
			SET secret_enc = $2, previous_secret_enc = $3, previous_secret_until = $4
			WHERE id = $1 RETURNING `+webhookColumns, id, newEnc, prevEnc, e.clock.Now().Add(WebhookSecretOverlap))
		s, err = pgx.CollectExactlyOneRow(rows, pgx.RowToStructByName[WebhookSubscription])
		return err
	})
	if err != nil {
		return WebhookSubscription{}, "", fmt.Errorf("rotate the secret of webhook subscription %d: %w", id, err)
	}
	return s, secret, nil
}
