package core

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
)

// AwaitKind is a reply Onward is waiting for by text.
type AwaitKind string

// Replies Onward waits for.
const (
	AwaitContactCheck AwaitKind = "contact_check" // "Has AGENCY contacted you? Reply 1 yes, 2 no"
	AwaitFeedback     AwaitKind = "feedback"      // "How helpful was this? Reply 1–5"
)

// AwaitingReply is what an incoming text from a phone may be answering.
type AwaitingReply struct {
	ReferralID ReferralID
	Kind       AwaitKind
}

const (
	sqlAwaitReply = `
INSERT INTO sms_awaiting (phone_hash, referral_id, kind, expires_at)
SELECT c.phone_hash, r.id, $2, $3 FROM referrals r JOIN clients c ON c.id = r.client_id
WHERE r.id = $1 AND c.phone_hash IS NOT NULL
ON CONFLICT (phone_hash) DO UPDATE SET referral_id = EXCLUDED.referral_id, kind = EXCLUDED.kind, expires_at = EXCLUDED.expires_at`
	// sqlOwnPhoneProven finds the client of a referral whose phone is
	// proven but has no hash: an adviser or a partner vouched for a phone
	// whose shared record is someone else's (writeClient).
	sqlOwnPhoneProven = `SELECT c.id FROM referrals r JOIN clients c ON c.id = r.client_id
WHERE r.id = $1 AND c.phone_hash IS NULL AND c.phone_proven_at IS NOT NULL AND c.erased_at IS NULL`
	sqlAwaitReplyHash = `INSERT INTO sms_awaiting (phone_hash, referral_id, kind, expires_at) VALUES ($1, $2, $3, $4)
ON CONFLICT (phone_hash) DO UPDATE SET referral_id = EXCLUDED.referral_id, kind = EXCLUDED.kind, expires_at = EXCLUDED.expires_at`
)

// AwaitReply records that the client of a referral was just asked a
// question by text, so their next reply is read as its answer (until
// expiry). The SMS sender calls it after sending the question. Only a
// proven phone's reply is read: the phone whose hash the client's record
// holds, or the phone an adviser or a partner vouched for on a record of
// the referral's own (a shared phone whose record is someone else's).
func (e *Engine) AwaitReply(ctx context.Context, referral ReferralID, kind AwaitKind, until time.Time) error {
	tag, err := e.pool.Exec(ctx, sqlAwaitReply, referral, kind, until)
	if err != nil {
		return fmt.Errorf("await %s reply for referral %d: %w", kind, referral, err)
	}
	if tag.RowsAffected() > 0 {
		return nil
	}
	var client ClientID
	err = e.pool.QueryRow(ctx, sqlOwnPhoneProven, referral).Scan(&client)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil // no phone proven: its replies are not read as answers
	}
	if err != nil {
		return fmt.Errorf("await %s reply for referral %d: %w", kind, referral, err)
	}
	p, err := e.ClientPhone(ctx, client)
	if errors.Is(err, ErrErased) || (err == nil && p == "") {
		return nil
	}
	if err != nil {
		return fmt.Errorf("await %s reply for referral %d: %w", kind, referral, err)
	}
	if _, err := e.pool.Exec(ctx, sqlAwaitReplyHash, e.crypt.PhoneHash(p), referral, kind, until); err != nil {
		return fmt.Errorf("await %s reply for referral %d: %w", kind, referral, err)
	}
	return nil
}

const sqlAwaiting = `SELECT referral_id, kind FROM sms_awaiting WHERE phone_hash = $1 AND expires_at > $2`

// Awaiting returns the question a phone's next text answers, if any.
func (e *Engine) Awaiting(ctx context.Context, p Phone) (AwaitingReply, bool, error) {
	var a AwaitingReply
	err := e.pool.QueryRow(ctx, sqlAwaiting, e.crypt.PhoneHash(p), e.clock.Now()).Scan(&a.ReferralID, &a.Kind)
	if errors.Is(err, pgx.ErrNoRows) {
		return a, false, nil
	}
	if err != nil {
		return a, false, fmt.Errorf("awaiting reply: %w", err)
	}
	return a, true, nil
}

const sqlClearAwaiting = `DELETE FROM sms_awaiting WHERE phone_hash = $1`

// ClearAwaiting forgets the question a phone was asked.
func (e *Engine) ClearAwaiting(ctx context.Context, db DB, p Phone) error {
	if _, err := db.Exec(ctx, sqlClearAwaiting, e.crypt.PhoneHash(p)); err != nil {
		return fmt.Errorf("clear awaiting reply: %w", err)
	}
	return nil
}

// AnswerContactCheck records the client's answer to "has the agency
// contacted you?". Yes marks the referral contacted (in-progress) if it
// was still waiting for contact; no alerts the coordinators.
func (e *Engine) AnswerContactCheck(ctx context.Context, p Phone, referral ReferralID, contacted bool) error {
	if err := e.ClearAwaiting(ctx, e.pool, p); err != nil {
		return err
	}
	r, err := e.Referral(ctx, referral)
	if err != nil {
		return err
	}
	if contacted {
		if r.Status != StatusAccepted {
			return nil // already moved on: nothing to record
		}
		_, err := e.Act(ctx, TransitionRequest{Referral: referral, Action: ActionContact, Actor: ClientActor})
		var ce *ConflictError
		if errors.As(err, &ce) {
			return nil
		}
		return err
	}
	err = inTx(ctx, e.pool, func(tx pgx.Tx) error {
		if err := e.appendEvent(ctx, tx, newEvent{kind: EventOutcomeRecorded, referral: referral, client: r.ClientID,
			actor: ClientActor, data: eventData(contactCheckKey, "not contacted")}); err != nil {
			return err
		}
		// The coordinators are alerted (in the referral's order, as
		// before); the agency holding it is told in its Slack channel and
		// by email (the contact reminder's, saying the client's answer),
		// each once, waiting behind none of the referral's messages.
		key := fmt.Sprintf("not-contacted:%d", referral)
		words, agency := NotContactedWords(r.Reference), ""
		if r.ToAgencyID != nil {
			a, err := getAgency(ctx, tx, "id = $1", *r.ToAgencyID)
			if err != nil {
				return fmt.Errorf("the agency holding %s: %w", r.Reference, err)
			}
			agency = a.Name
		}
		rows := []OutboxRow{{Kind: OutboxAlert, Referral: referral,
			Payload: OutboxPayload{ReferralID: referral, AgencyID: derefAgency(r.ToAgencyID), Level: AlertNotContacted,
				Text: words.ToCoordinators(agency)},
			Dedupe: key}}
		if r.ToAgencyID != nil {
			rows = append(rows, OutboxRow{Kind: OutboxAlert,
				Payload: OutboxPayload{ReferralID: referral, AgencyID: *r.ToAgencyID, Channel: AlertToAgency, Level: AlertNotContacted,
					Text: words.ToAgency()},
				Dedupe: key + ":agency"},
				OutboxRow{Kind: OutboxEmail,
					Payload: OutboxPayload{ReferralID: referral, Version: r.Version, AgencyID: *r.ToAgencyID,
						Email: EmailContactReminder, Level: AlertNotContacted},
					Dedupe: "mail:" + key + ":agency"})
		}
		return e.outbox.EnqueueAllTx(ctx, tx, rows)
	})
	if err == nil {
		e.wakeWorkers()
	}
	return err
}

// contactCheckKey is the data key of the client's answer to the contact
// check in its EventOutcomeRecorded event.
const contactCheckKey = "contact_check"

// AlertNotContacted is the Level of the rows queued when a client says
// nobody has contacted them: the coordinators' alert, the holding
// agency's (AlertToAgency) and its contact reminder email.
const AlertNotContacted = "not-contacted"

// NotContacted is how Onward tells staff that the client of a referral
// answered the contact check that nobody has contacted them, said once
// for Slack and email: Fact states it, without a full stop, so that an
// email's subject and heading can be it; Ask is what the agency holding
// the referral is asked to do.
type NotContacted struct{ Fact, Ask string }

// NotContactedWords are the words for the referral with this reference.
func NotContactedWords(reference string) NotContacted {
	return NotContacted{
		Fact: fmt.Sprintf("The client of referral %s answered Onward's text that nobody has contacted them yet", reference),
		Ask:  "If someone has, mark it contacted; if not, please get in touch with them today.",
	}
}

// ToAgency is the alert in the Slack channel of the agency holding the
// referral: the fact and what it is asked.
func (n NotContacted) ToAgency() string { return n.Fact + ". " + n.Ask }

// ToCoordinators is the coordinators' alert: the same fact, and that the
// agency holding the referral (by name, "" when none does) was asked to
// get in touch.
func (n NotContacted) ToCoordinators(agency string) string {
	if agency == "" {
		return n.Fact + "."
	}
	return n.Fact + ". " + agency + ", which accepted it, is asked to get in touch with them today."
}

const sqlRecordScore = `UPDATE referrals SET feedback_score = $2, feedback_at = $3 WHERE id = $1 RETURNING client_id`

// RecordFeedbackScore stores the client's 1–5 rating of the help they got;
// their next text is read as a comment on it (see RecordFeedbackComment).
func (e *Engine) RecordFeedbackScore(ctx context.Context, p Phone, referral ReferralID, score int) error {
	if score < 1 || score > 5 {
		return &ValidationError{Fields: []FieldError{{Field: "score", Message: "reply with a number from 1 to 5"}}}
	}
	return inTx(ctx, e.pool, func(tx pgx.Tx) error {
		var client ClientID
		if err := tx.QueryRow(ctx, sqlRecordScore, referral, score, e.clock.Now()).Scan(&client); err != nil {
			return fmt.Errorf("record feedback for referral %d: %w", referral, err)
		}
		if err := e.awaitNext(ctx, tx, p, AwaitFeedbackComment); err != nil {
			return err
		}
		return e.appendEvent(ctx, tx, newEvent{kind: EventOutcomeRecorded, referral: referral, client: client,
			actor: ClientActor, data: eventData("feedback_score", score)})
	})
}
