package core

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
)

// Event kinds of data protection.
const (
	EventClientErased EventKind = "client.erased"
)

// ClientByReference returns the client a referral is about, for the data
// protection commands that start from the reference a client quotes.
func (e *Engine) ClientByReference(ctx context.Context, reference string) (ClientID, Referral, error) {
	ref, ok := NormaliseReference(reference)
	if !ok {
		ref = strings.ToUpper(strings.TrimSpace(reference))
	}
	r, err := e.ReferralByReference(ctx, ref)
	if err != nil {
		return 0, Referral{}, err
	}
	return r.ClientID, r, nil
}

// WithdrawalResult is what a withdrawal did.
type WithdrawalResult struct {
	Client    ClientID
	Cancelled int // open referrals cancelled (their holders see the card change)
}

// WithdrawByReference records a client's withdrawal of consent, reached
// from one of their references: by a member of staff who may see that
// referral (web or Slack), by the client (a text from their proven phone,
// the web page reached from the reference), or by a coordinator's command.
// via is the channel and evidence what shows the client asked (the text's
// message id, the web request id, the staff member's note, at most
// MaxWithdrawalEvidence characters; the audit log keeps it sealed under
// the client's data key, so erasing them shreds it). Every consent
// of the client is withdrawn, their open referrals are cancelled, and the
// client is told by text when their phone is proven. From then on their
// details are disclosed to nobody.
func (e *Engine) WithdrawByReference(ctx context.Context, reference string, by Actor, via, evidence string) (WithdrawalResult, error) {
	return e.withdrawByReference(ctx, reference, by, via, evidence, "")
}

// withdrawByReference is WithdrawByReference; provenNow is a phone the
// client proved just now (the withdrawal page's code), which counts as
// proven for telling them when it is the phone on their record.
func (e *Engine) withdrawByReference(ctx context.Context, reference string, by Actor, via, evidence string, provenNow Phone) (WithdrawalResult, error) {
	client, r, err := e.ClientByReference(ctx, reference)
	if err != nil {
		return WithdrawalResult{}, err
	}
	if by.Kind == ActorStaff && !by.MaySee(r) {
		e.RecordAccessDenied(ctx, r.ID, by, "withdraw-consent", via)
		return WithdrawalResult{}, fmt.Errorf("referral %s: %w", reference, ErrNotFound)
	}
	if err := checkWithdrawalEvidence(evidence); err != nil {
		return WithdrawalResult{}, err
	}
	// A client who withdrew just now with a code texted to their phone
	// has the phone in hand: the confirmation answers them at once, as
	// one texted WITHDRAW is, quiet hours or not. One a member of staff
	// records for them waits for the morning.
	n, err := e.withdrawConsent(ctx, client, by, via, evidence, &withdrawalText{referral: r.ID, provenNow: provenNow, answers: provenNow != ""})
	if errors.Is(err, ErrNotFound) {
		return WithdrawalResult{Client: client}, ErrConsentWithdrawn
	}
	if err != nil {
		return WithdrawalResult{}, err
	}
	return WithdrawalResult{Client: client, Cancelled: n}, nil
}

// withdrawalText is the "we have recorded your withdrawal" text a
// withdrawal queues with itself (withdrawConsent): about the referral
// named, to the client's phone only when it is proven to be theirs
// (queueWithdrawnText). provenNow is a phone a code just proved, and
// answers says the text answers the client's own (OutboxPayload.Answers).
type withdrawalText struct {
	referral  ReferralID
	provenNow Phone
	answers   bool
}

const sqlClientPhoneProven = `SELECT phone_proven_at IS NOT NULL AND phone_enc IS NOT NULL FROM clients WHERE id = $1`

// queueWithdrawnText queues the withdrawal's confirmation in its
// transaction, only to a phone proven to be the client's: proven on their
// record, or t.provenNow, the phone a code just proved, when it is the
// one on record. The text names the referral's version after the
// withdrawal cancelled it; its dedupe key does not, so one withdrawal
// texts once.
func (e *Engine) queueWithdrawnText(ctx context.Context, tx pgx.Tx, client ClientID, t withdrawalText, now time.Time) error {
	var proven bool
	if err := tx.QueryRow(ctx, sqlClientPhoneProven, client).Scan(&proven); err != nil {
		return fmt.Errorf("client %d: %w", client, err)
	}
	if !proven && t.provenNow != "" {
		onRecord, err := e.clientPhone(ctx, tx, client)
		if err != nil {
			return err
		}
		proven = onRecord == t.provenNow
	}
	if !proven {
		return nil
	}
	r, err := getReferral(ctx, tx, "id = $1", t.referral)
	if err != nil {
		return fmt.Errorf("referral %d: %w", t.referral, err)
	}
	b := &pgx.Batch{}
	e.outbox.queue(b, outboxMsg{kind: OutboxClientSMS, referral: r.ID,
		payload: OutboxPayload{ReferralID: r.ID, Version: r.Version, Template: SMSConsentRemoved, Answers: t.answers},
		dedupe:  fmt.Sprintf("sms:%d:%s", r.ID, SMSConsentRemoved)}, now)
	if err := sendBatch(ctx, tx, b); err != nil {
		return fmt.Errorf("confirm withdrawal of client %d: %w", client, err)
	}
	return nil
}

const (
	sqlEraseClient = `
UPDATE clients SET key_wrapped = NULL, name_enc = NULL, phone_enc = NULL, email_enc = NULL, postcode_enc = NULL,
    notes_enc = NULL, phone_hash = NULL, town = '', contact_time = '', preferred_contact = '', erased_at = $2, updated_at = $2
WHERE id = $1 AND erased_at IS NULL`
	// feedback is what staff wrote when rejecting, redirecting or
	// cancelling a referral ("Morag needs family support, not food"): free
	// text about the client kept in clear, so it goes with the rest.
	sqlEraseReferrals = `UPDATE referrals SET details_enc = NULL, notes_enc = NULL, outcome_note_enc = NULL, feedback_comment_enc = NULL,
    crisis_enc = NULL, feedback = '' WHERE client_id = $1`
	sqlEraseConsents = `UPDATE consents SET evidence = 'erased', evidence_enc = NULL, recorded_by_enc = NULL,
    withdrawn_at = coalesce(withdrawn_at, $2) WHERE client_id = $1`
	// The phone's codes, and its count of texts the web form caused
	// today: keyed by the phone's hash, which goes with the client.
	sqlErasePhoneCode = `WITH counts AS (DELETE FROM web_text_counts WHERE phone_hash = $1)
DELETE FROM phone_codes WHERE phone_hash = $1`
)

// ErasureReason says why a client's details are erased. It is a code
// from a fixed list, never free text: the reason stays in the audit log,
// which can never be changed, after the details are gone, and a typed
// reason ("Morag phoned on 07700 900123 and asked") would keep there the
// very details erased.
type ErasureReason string

// The reasons for an erasure.
const (
	ErasureClientAsked      ErasureReason = "client-asked"
	ErasureRetention        ErasureReason = "retention"
	ErasureWithdrewAndAsked ErasureReason = "withdrew-and-asked"
	ErasureInError          ErasureReason = "in-error"
	ErasureOther            ErasureReason = "other"
)

// ErasureReasons are the reasons a coordinator can give for an erasure,
// in the order every channel lists them (the staff web, Slack and
// `onward client erase --reason CODE`).
func ErasureReasons() []Choice {
	return []Choice{
		{string(ErasureClientAsked), "The client asked for their details to be erased"},
		{string(ErasureRetention), "The network's retention period for them is over"},
		{string(ErasureWithdrewAndAsked), "The client withdrew consent and asked for erasure"},
		{string(ErasureInError), "The record was made in error, or is a duplicate"},
		{string(ErasureOther), "Another reason, kept in the network's own files"},
	}
}

// Label is the reason in words ("" for a code not on the list).
func (r ErasureReason) Label() string {
	for _, c := range ErasureReasons() {
		if c.Code == string(r) {
			return c.Label
		}
	}
	return ""
}

// EraseClient erases a client's details by destroying their data key and
// clearing every ciphertext sealed under it: the client row, the details
// and notes kept with each referral, outcome notes, the client's feedback
// comments, one-time codes sent to their phone, and the evidence of their
// withdrawal sealed in the audit log. A copy of any of them in a backup
// can no longer be opened. What staff wrote in clear about their referrals
// (why one was rejected, redirected or cancelled) is cleared.
// Open referrals are cancelled first (as for a withdrawal). What stays is
// anonymous: referrals with their needs, district, statuses and times, so
// reports keep their figures, and the audit log, which never held details
// and still verifies; it records the reason's code (ErasureReasons).
// Text opt-outs stay (they are kept by keyed hash only, so a STOP is
// still honoured). Copies outside PostgreSQL go after the commit
// (OnErase), and the client's messages at Twilio are deleted by the
// outbox worker (OutboxProviderErase), queued in the erasure's own
// transaction. via is the channel the erasure was asked through ("web",
// "slack", "cli"), recorded for the data protection officer's register
// (DataProtectionRequest.Through). Only a coordinator may erase; anyone
// else's refusal is audited (RecordClientAccessDenied).
func (e *Engine) EraseClient(ctx context.Context, client ClientID, by Actor, reason ErasureReason, via string) error {
	if by.Kind == ActorStaff && !by.Coordinates() {
		e.RecordClientAccessDenied(ctx, client, by, "erase", via)
		return &ForbiddenError{Why: "only a coordinator can erase a client's details"}
	}
	if reason == "" {
		return &ValidationError{Fields: []FieldError{{Field: "reason", Message: "reason: say why the details are erased: choose one from the list"}}}
	}
	if reason.Label() == "" {
		var codes []string
		for _, c := range ErasureReasons() {
			codes = append(codes, c.Code)
		}
		return &ValidationError{Fields: []FieldError{{Field: "reason", Message: "reason: choose one of " + strings.Join(codes, ", ") +
			" (no free text: the reason stays in the audit log after the details are gone)"}}}
	}
	return e.eraseClient(ctx, client, by, reason, via, true)
}

// eraseClient is EraseClient; forgetCopies says whether copies outside
// PostgreSQL are removed too (OnErase). Retention's erasures leave them
// (ApplyRetention). reason is a code from ErasureReasons, the same for
// every channel and for retention, and is kept in clear; via is kept
// beside it (viaRetention for retention's own).
func (e *Engine) eraseClient(ctx context.Context, client ClientID, by Actor, reason ErasureReason, via string, forgetCopies bool) error {
	why := string(reason)
	if by.Kind == ActorStaff && !by.Coordinates() {
		return &ForbiddenError{Why: "only a coordinator can erase a client's details"}
	}
	if _, err := e.withdrawConsent(ctx, client, by, "erasure", why, nil); err != nil && !errors.Is(err, ErrNotFound) {
		return err
	}
	phone, err := e.ClientPhone(ctx, client)
	if errors.Is(err, ErrErased) {
		return fmt.Errorf("client %d: %w", client, ErrErased)
	}
	if err != nil {
		return err
	}
	err = inTx(ctx, e.pool, func(tx pgx.Tx) error {
		now := e.clock.Now()
		tag, err := tx.Exec(ctx, sqlEraseClient, client, now)
		if err != nil {
			return fmt.Errorf("erase client %d: %w", client, err)
		}
		if tag.RowsAffected() == 0 {
			return fmt.Errorf("client %d: %w", client, ErrErased)
		}
		var hash []byte
		if phone != "" {
			hash = e.crypt.PhoneHash(phone)
		}
		// Before the consents' evidence, the client's texts and the
		// phone's codes are cleared: the ids of the messages they name go
		// to the row.
		if err := e.queueProviderErase(ctx, tx, client, hash, now); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, sqlEraseReferrals, client); err != nil {
			return fmt.Errorf("erase referral details of client %d: %w", client, err)
		}
		if _, err := tx.Exec(ctx, sqlEraseConsents, client, now); err != nil {
			return fmt.Errorf("erase consent evidence of client %d: %w", client, err)
		}
		if _, err := tx.Exec(ctx, sqlForgetClientTexts, client); err != nil {
			return fmt.Errorf("erase the ids of client %d's texts: %w", client, err)
		}
		if phone != "" {
			if _, err := tx.Exec(ctx, sqlErasePhoneCode, hash); err != nil {
				return fmt.Errorf("erase phone codes of client %d: %w", client, err)
			}
		}
		return e.appendEvent(ctx, tx, newEvent{kind: EventClientErased, client: client, actor: by, data: eventData("why", why, "via", via)})
	})
	if err == nil {
		e.wakeWorkers() // the deletion at Twilio
	}
	if err == nil && forgetCopies && phone != "" && e.forget != nil {
		if ferr := e.forget(ctx, e.crypt.PhoneHash(phone)); ferr != nil {
			e.log.Warn("erased client's texts not removed from Redis; they expire on their own", "client", int64(client), "err", ferr)
		}
	}
	return err
}

// IsWithdrawKeyword reports whether a text is the network's withdraw
// keyword on its own (case and surrounding spaces ignored).
func (d DataProtection) IsWithdrawKeyword(body string) bool {
	return d.WithdrawKeyword != "" && strings.EqualFold(strings.Trim(strings.TrimSpace(body), ".!"), d.WithdrawKeyword)
}

// WithdrawByPhone records a withdrawal texted by the client: the text came
// from the phone (Twilio's From), the one proven to be theirs on their
// record; evidence is the message id. Numbers are recycled, so the text
// counts only when the client last showed the phone to be theirs (a text
// from it, a code sent to it) within withdrawByTextFor: after that its
// holder may be someone else. It reports false, and records nothing, when
// no client has that phone, when it was last shown to be theirs longer
// ago than that, or when consent was already withdrawn; in the last case,
// the phone being still theirs, the error is ErrConsentWithdrawn, so the
// client who withdrew (a moment ago, or at any time) is told so rather
// than that nothing can be withdrawn from their number. The client is
// told by text, which answers theirs (OutboxPayload.Answers), queued in
// the withdrawal's own transaction.
func (e *Engine) WithdrawByPhone(ctx context.Context, p Phone, evidence string) (bool, error) {
	client, err := e.ClientByPhone(ctx, p)
	if errors.Is(err, ErrNotFound) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("withdraw by text: %w", err)
	}
	shown, err := e.phoneLastShown(ctx, e.pool, client)
	if err != nil {
		return false, fmt.Errorf("withdraw by text: %w", err)
	}
	if !phoneStillTheirs(shown, e.clock.Now()) {
		e.refusedWithdrawalByText(evidence, shown)
		return false, nil
	}
	var last Referral
	last, err = getReferral(ctx, e.pool, "client_id = $1 ORDER BY id DESC LIMIT 1", client)
	if err != nil {
		return false, fmt.Errorf("withdraw by text: %w", err)
	}
	_, err = e.withdrawConsent(ctx, client, ClientActor, "sms", evidence, &withdrawalText{referral: last.ID, answers: true})
	if errors.Is(err, ErrNotFound) {
		return false, e.withdrawnBefore(ctx, client)
	}
	if err != nil {
		return false, err
	}
	return true, nil
}

const sqlConsentWithdrawnBefore = `SELECT EXISTS (SELECT 1 FROM consents WHERE client_id = $1 AND withdrawn_at IS NOT NULL)`

// withdrawnBefore is ErrConsentWithdrawn when the client, with no consent
// left to withdraw, withdrew one before; nil when they never gave one.
// Asked only when a withdrawal found nothing to withdraw, so a first
// withdrawal costs no extra round trip.
func (e *Engine) withdrawnBefore(ctx context.Context, client ClientID) error {
	var before bool
	if err := e.pool.QueryRow(ctx, sqlConsentWithdrawnBefore, client).Scan(&before); err != nil {
		return fmt.Errorf("withdraw by text: consents of client %d: %w", client, err)
	}
	if before {
		return fmt.Errorf("withdraw by text: client %d: %w", client, ErrConsentWithdrawn)
	}
	return nil
}

// ReferralDates names one referral of a client without their details:
// its reference and when it was made and closed.
type ReferralDates struct {
	Reference string
	CreatedAt time.Time
	ClosedAt  *time.Time
}

const sqlReferralDatesOf = `SELECT client_id, reference, created_at, closed_at FROM referrals WHERE client_id = ANY($1) ORDER BY client_id, id`

// ReferralDatesOf lists each client's referrals by reference and dates,
// oldest first: how the data protection commands name the clients they
// act on (a retention dry run) so that the data protection officer can
// check them against the network's records without reading anyone's
// details or the database's internal ids.
func (e *Engine) ReferralDatesOf(ctx context.Context, clients []ClientID) (map[ClientID][]ReferralDates, error) {
	out := map[ClientID][]ReferralDates{}
	if len(clients) == 0 {
		return out, nil
	}
	rows, err := e.pool.Query(ctx, sqlReferralDatesOf, clients)
	if err != nil {
		return nil, fmt.Errorf("referrals of %d clients: %w", len(clients), err)
	}
	defer rows.Close()
	for rows.Next() {
		var (
			c ClientID
			d ReferralDates
		)
		if err := rows.Scan(&c, &d.Reference, &d.CreatedAt, &d.ClosedAt); err != nil {
			return nil, fmt.Errorf("referrals of %d clients: %w", len(clients), err)
		}
		out[c] = append(out[c], d)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("referrals of %d clients: %w", len(clients), err)
	}
	return out, nil
}
