package core

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/jackc/pgx/v5"
)

// Channel is how consent was given.
type Channel string

// Consent channels.
const (
	ChannelSMS   Channel = "sms"
	ChannelWeb   Channel = "web"
	ChannelStaff Channel = "staff"
	ChannelAPI   Channel = "api"
)

// ConsentScope is who a client agreed may see their details.
type ConsentScope string

// Consent scopes.
const (
	// ScopeNetwork: every agency of the network, under its data sharing
	// protocol.
	ScopeNetwork ConsentScope = "network"
	// ScopeAgencies: only the agencies listed.
	ScopeAgencies ConsentScope = "agencies"
)

// ConsentInput is the evidence that a client agreed to share their details.
type ConsentInput struct {
	WordingVersion string       `validate:"required,max=40" label:"consent wording version"`
	Channel        Channel      `validate:"required,oneof=sms web staff api" label:"consent channel"`
	Evidence       string       `validate:"required,max=200" label:"consent evidence"` // message SID, form submission id, or staff id
	Scope          ConsentScope `validate:"omitempty,oneof=network agencies" label:"consent scope"`
	Agencies       []AgencyID   // for ScopeAgencies
	StaffID        StaffID      // the staff member who confirmed it, for ChannelStaff
	// Language is the language the client read the wording in. When the
	// version has no translation in it the client was shown the English,
	// and English is recorded.
	Language string `validate:"max=20" label:"consent language"`
}

// Consent is a recorded consent.
type Consent struct {
	ID             ConsentID    `db:"id"`
	ClientID       ClientID     `db:"client_id"`
	Scope          ConsentScope `db:"scope"`
	AgencyIDs      []AgencyID   `db:"agency_ids"`
	WordingVersion string       `db:"wording_version"`
	WordingSHA256  []byte       `db:"wording_sha256"`
	Channel        Channel      `db:"channel"`
	Evidence       string       `db:"evidence"`
	StaffID        *StaffID     `db:"staff_id"`
	GivenAt        time.Time    `db:"given_at"`
	Language       string       `db:"language"`
	WithdrawnAt    *time.Time   `db:"withdrawn_at"`
}

// Covers reports whether the consent allows sharing with the agency.
func (c Consent) Covers(a AgencyID) bool {
	if c.WithdrawnAt != nil {
		return false
	}
	return c.Scope == ScopeNetwork || slices.Contains(c.AgencyIDs, a)
}

const sqlSelectConsent = `
SELECT id, client_id, scope, agency_ids, wording_version, wording_sha256, channel, evidence, staff_id, given_at, withdrawn_at, language
FROM consents WHERE id = $1`

func getConsent(ctx context.Context, db DB, id ConsentID) (Consent, error) {
	rows, _ := db.Query(ctx, sqlSelectConsent, id)
	c, err := pgx.CollectExactlyOneRow(rows, pgx.RowToStructByName[Consent])
	if errors.Is(err, pgx.ErrNoRows) {
		return Consent{}, fmt.Errorf("consent %d: %w", id, ErrNotFound)
	}
	if err != nil {
		return Consent{}, fmt.Errorf("consent %d: %w", id, err)
	}
	return c, nil
}

// Consent returns a consent record.
func (e *Engine) Consent(ctx context.Context, id ConsentID) (Consent, error) {
	return getConsent(ctx, e.pool, id)
}

const (
	sqlWithdrawConsents = `UPDATE consents SET withdrawn_at = $2 WHERE client_id = $1 AND withdrawn_at IS NULL RETURNING id`
	sqlOpenReferralsOf  = `SELECT id FROM referrals WHERE client_id = $1 AND closed_at IS NULL ORDER BY id`
)

// WithdrawConsent records that the client no longer agrees to share their
// details, and cancels every open referral of theirs, in one transaction.
// It returns how many referrals were cancelled.
func (e *Engine) WithdrawConsent(ctx context.Context, client ClientID, by Actor, evidence string) (int, error) {
	return e.withdrawConsent(ctx, client, by, evidence, nil)
}

// withdrawConsent is WithdrawConsent; tell, when not nil, is the text
// confirming the withdrawal to the client, queued in the same
// transaction: a withdrawal that texts the client is never recorded
// without its text, nor the text queued without the withdrawal (a repeat
// withdrawal finds nothing to withdraw, so a lost text could never be
// sent again).
func (e *Engine) withdrawConsent(ctx context.Context, client ClientID, by Actor, evidence string, tell *withdrawalText) (int, error) {
	cancelled := 0
	set, err := e.snapshot(ctx)
	if err != nil {
		return 0, err
	}
	err = inTx(ctx, e.pool, func(tx pgx.Tx) error {
		now := e.clock.Now()
		rows, _ := tx.Query(ctx, sqlWithdrawConsents, client, now)
		ids, err := pgx.CollectRows(rows, pgx.RowTo[ConsentID])
		if err != nil {
			return fmt.Errorf("withdraw consent of client %d: %w", client, err)
		}
		if len(ids) == 0 {
			return fmt.Errorf("withdraw consent of client %d: %w", client, ErrNotFound)
		}
		if err := e.appendEvent(ctx, tx, newEvent{kind: EventConsentWithdrawn, client: client, actor: by,
			data: eventData("evidence", evidence, "consents", ids)}); err != nil {
			return err
		}
		rows, _ = tx.Query(ctx, sqlOpenReferralsOf, client)
		refs, err := pgx.CollectRows(rows, pgx.RowTo[ReferralID])
		if err != nil {
			return fmt.Errorf("open referrals of client %d: %w", client, err)
		}
		for _, id := range refs {
			if _, err := e.transition(ctx, tx, TransitionRequest{Referral: id, Action: ActionCancel, Actor: by,
				Feedback: "The client withdrew consent to share their details.", withdrawal: true}, set); err != nil {
				return err
			}
			cancelled++
		}
		if tell == nil {
			return nil
		}
		return e.queueWithdrawnText(ctx, tx, client, *tell, now)
	})
	if err != nil {
		return 0, err
	}
	e.wakeWorkers()
	return cancelled, nil
}

const (
	sqlOptOut = `INSERT INTO sms_optouts (phone_hash, opted_out_at, source) VALUES ($1, $2, $3)
		ON CONFLICT (phone_hash) DO UPDATE SET opted_out_at = $2, source = $3`
	sqlOptIn    = `DELETE FROM sms_optouts WHERE phone_hash = $1`
	sqlOptedOut = `SELECT EXISTS (SELECT 1 FROM sms_optouts WHERE phone_hash = $1)`
)

// OptOut records that a phone wants no more texts (STOP, or the carrier
// reporting it unsubscribed). It is about messaging only: consent to share
// data is separate and unchanged.
func (e *Engine) OptOut(ctx context.Context, p Phone, source string) error {
	if _, err := e.pool.Exec(ctx, sqlOptOut, e.crypt.PhoneHash(p), e.clock.Now(), source); err != nil {
		return fmt.Errorf("record text opt-out: %w", err)
	}
	return nil
}

// OptIn records that a phone is happy to get texts again (START).
func (e *Engine) OptIn(ctx context.Context, p Phone) error {
	if _, err := e.pool.Exec(ctx, sqlOptIn, e.crypt.PhoneHash(p)); err != nil {
		return fmt.Errorf("record text opt-in: %w", err)
	}
	return nil
}

// OptedOut reports whether a phone has opted out of texts.
func (e *Engine) OptedOut(ctx context.Context, p Phone) (bool, error) {
	var out bool
	if err := e.pool.QueryRow(ctx, sqlOptedOut, e.crypt.PhoneHash(p)).Scan(&out); err != nil {
		return false, fmt.Errorf("check text opt-out: %w", err)
	}
	return out, nil
}
