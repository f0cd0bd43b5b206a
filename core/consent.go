package core

import (
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

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

// Label says how a consent was given, as the client reads it ("by text
// message"); an unknown channel is "by" and its code.
func (c Channel) Label() string {
	switch c {
	case ChannelSMS:
		return "by text message"
	case ChannelWeb:
		return "on the web form"
	case ChannelStaff:
		return "to a member of staff, who recorded it"
	case ChannelAPI:
		return "to an agency, whose own system recorded it"
	}
	return "by " + string(c)
}

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
	Evidence       string       `validate:"notblank,max=200" label:"consent evidence"` // message SID, form submission id, or staff id; spaces alone are none
	Scope          ConsentScope `validate:"omitempty,oneof=network agencies" label:"consent scope"`
	Agencies       []AgencyID   // for ScopeAgencies
	StaffID        StaffID      // the staff member who confirmed it, for ChannelStaff
	// Language is the language the client read the wording in. When the
	// version has no translation in it the client was shown the English,
	// and English is recorded.
	Language string `validate:"max=20" label:"consent language"`
	// Particulars is what a partner system said of when and how the
	// client agreed, who recorded it and who confirmed it with them
	// (ChannelAPI), sealed under the client's key as it is written; nil
	// on every other channel.
	Particulars *ConsentParticulars `validate:"-"`
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
	// AgreedAt and How are when and how the client agreed, as a partner
	// system said (nil and "" when it did not, and for other channels);
	// the free text it gave is sealed: read all with
	// Engine.ConsentParticulars.
	AgreedAt      *time.Time `db:"agreed_at"`
	How           ConsentHow `db:"how"`
	RecordedByEnc []byte     `db:"recorded_by_enc"`
	EvidenceEnc   []byte     `db:"evidence_enc"`
}

// partnerEvidence is the evidence recorded in clear for a consent a
// partner system gave: which system. Who there confirmed it with the
// client is free text, sealed (ConsentParticulars.WitnessedBy).
func partnerEvidence(p PartnerID) string { return fmt.Sprintf("partner:%d", p) }

// Covers reports whether the consent allows sharing with the agency.
func (c Consent) Covers(a AgencyID) bool {
	if c.WithdrawnAt != nil {
		return false
	}
	return c.Scope == ScopeNetwork || slices.Contains(c.AgencyIDs, a)
}

const sqlSelectConsent = `
SELECT ` + consentColumns + `
FROM consents WHERE id = $1`

// consentColumns are a consents row as Consent reads it.
const consentColumns = `id, client_id, scope, agency_ids, wording_version, wording_sha256, channel, evidence, staff_id, given_at,
    withdrawn_at, language, agreed_at, coalesce(how, '') AS how, recorded_by_enc, evidence_enc`

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

// MaxWithdrawalEvidence is the most characters the evidence of a
// withdrawal (how the client asked) may have: enough for "phone call
// 3 Dec, spoke to the client" many times over, not a transcript. The
// staff web's box allows as many.
const MaxWithdrawalEvidence = 2000

// checkWithdrawalEvidence refuses evidence of a withdrawal that is blank
// or longer than MaxWithdrawalEvidence, whoever typed it.
// CheckWithdrawalEvidence is the check WithdrawConsent makes of the
// evidence, for a form that shows every problem of a post at once.
func CheckWithdrawalEvidence(evidence string) error { return checkWithdrawalEvidence(evidence) }

func checkWithdrawalEvidence(evidence string) error {
	var msg string
	switch n := utf8.RuneCountInString(strings.TrimSpace(evidence)); {
	case n == 0:
		msg = "evidence: say how the client asked (e.g. \"phone call 3 Dec, spoke to Ailsa\")"
	case n > MaxWithdrawalEvidence:
		msg = fmt.Sprintf("evidence: at most %d characters, please (this has %d): say how the client asked, not everything they said", MaxWithdrawalEvidence, n)
	default:
		return nil
	}
	return &ValidationError{Fields: []FieldError{{Field: "evidence", Message: msg}}}
}

// WithdrawConsent records that the client no longer agrees to share their
// details, and cancels every open referral of theirs, in one transaction.
// evidence is how they asked (see WithdrawByReference). It returns how
// many referrals were cancelled.
func (e *Engine) WithdrawConsent(ctx context.Context, client ClientID, by Actor, evidence string) (int, error) {
	if err := checkWithdrawalEvidence(evidence); err != nil {
		return 0, err
	}
	return e.withdrawConsent(ctx, client, by, "", evidence, nil)
}

// withdrawConsent is WithdrawConsent; via is the channel the withdrawal
// came through ("web", "slack", "cli", "sms", "erasure"), and tell, when
// not nil, is the text confirming the withdrawal to the client, queued in
// the same transaction: a withdrawal that texts the client is never
// recorded without its text, nor the text queued without the withdrawal
// (a repeat withdrawal finds nothing to withdraw, so a lost text could
// never be sent again).
//
// The evidence is free text about the client ("Morag rang from her
// mobile"), and the audit log can never be erased: the event keeps it
// only sealed under the client's data key (withdrawalEvidenceAD), so that
// erasing the client, which destroys the key, leaves the log whole and
// the words unreadable. The event keeps via and the consents in clear.
func (e *Engine) withdrawConsent(ctx context.Context, client ClientID, by Actor, via, evidence string, tell *withdrawalText) (int, error) {
	cancelled := 0
	set, err := e.snapshot(ctx)
	if err != nil {
		return 0, err
	}
	err = inTx(ctx, e.pool, func(tx pgx.Tx) error {
		now := e.clock.Now()
		// The client's lock first, as RecordWiderConsent takes it: a
		// consent recorded while this ran would be left standing.
		if _, err := tx.Exec(ctx, sqlLockClientConsent, client); err != nil {
			return fmt.Errorf("withdraw consent of client %d: %w", client, err)
		}
		rows, _ := tx.Query(ctx, sqlWithdrawConsents, client, now)
		ids, err := pgx.CollectRows(rows, pgx.RowTo[ConsentID])
		if err != nil {
			return fmt.Errorf("withdraw consent of client %d: %w", client, err)
		}
		if len(ids) == 0 {
			return fmt.Errorf("withdraw consent of client %d: %w", client, ErrNotFound)
		}
		data := eventData("via", via, "consents", ids)
		if evidence = strings.TrimSpace(evidence); evidence != "" {
			k, err := e.writableClientKey(ctx, tx, client)
			if err != nil {
				return fmt.Errorf("withdraw consent of client %d: %w", client, err)
			}
			enc, err := k.seal("events", "evidence_enc", withdrawalEvidenceAD(client), evidence)
			if err != nil {
				return fmt.Errorf("withdraw consent of client %d: %w", client, err)
			}
			data["evidence_enc"] = enc
		}
		if err := e.appendEvent(ctx, tx, newEvent{kind: EventConsentWithdrawn, client: client, actor: by, data: data}); err != nil {
			return err
		}
		if via == "sms" {
			// The evidence is the client's WITHDRAW text: kept against
			// them, so an erasure deletes it at Twilio.
			if err := keepClientTexts(ctx, tx, client, []string{evidence}, now); err != nil {
				return err
			}
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

// withdrawalEvidenceAD is the row a withdrawal's sealed evidence is bound
// to: the client's stream of the audit log (the event's own id is not
// known until it is written).
func withdrawalEvidenceAD(client ClientID) string { return fmt.Sprintf("client:%d", client) }

const sqlWithdrawalEvidence = `
SELECT coalesce(data->>'evidence_enc', ''), coalesce(data->>'evidence', '')
FROM events WHERE stream = $1 AND kind = $2 ORDER BY stream_seq`

// WithdrawalEvidence returns the evidence of each of the client's
// withdrawals of consent, oldest first, opened with their data key. Once
// the client is erased it is ErrErased: the key that sealed the evidence
// is gone. (Events from before the evidence was sealed hold it in clear.)
func (e *Engine) WithdrawalEvidence(ctx context.Context, client ClientID) ([]string, error) {
	rows, _ := e.pool.Query(ctx, sqlWithdrawalEvidence, newEvent{client: client}.stream(), EventConsentWithdrawn)
	type stored struct{ sealed, clear string }
	all, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (stored, error) {
		var s stored
		err := row.Scan(&s.sealed, &s.clear)
		return s, err
	})
	if err != nil {
		return nil, fmt.Errorf("withdrawal evidence of client %d: %w", client, err)
	}
	var out []string
	var k *clientKey
	for _, s := range all {
		if s.sealed == "" {
			out = append(out, s.clear)
			continue
		}
		ct, err := base64.StdEncoding.DecodeString(s.sealed)
		if err != nil {
			return nil, fmt.Errorf("withdrawal evidence of client %d: %w", client, ErrDecrypt)
		}
		if k == nil {
			key, err := e.clientKeyOf(ctx, e.pool, client)
			if err != nil {
				return nil, err
			}
			k = &key
		}
		ev, err := k.open("events", "evidence_enc", withdrawalEvidenceAD(client), "", ct)
		if err != nil {
			return nil, fmt.Errorf("withdrawal evidence of client %d: %w", client, err)
		}
		out = append(out, ev)
	}
	return out, nil
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
