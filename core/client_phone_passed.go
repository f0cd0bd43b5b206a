package core

import (
	"time"

	"github.com/jackc/pgx/v5"
)

// When a stranger given a recycled number proves it (passedOnClient), the
// number is no longer the former client's: a text due to them would reach
// the stranger, and an adviser ringing it would too. So the former
// client's record loses the number itself, not only its hash, and with it
// the proof that it was theirs; a question they were asked by text stops
// waiting for an answer from it; and the audit log records, on the former
// client's own stream, that the number passed on (EventPhonePassedOn).
// That event is the one mark the rest of Onward reads (sqlPhonePassedOnOf):
// a text still queued for them ends as skipped, saying why
// (whyPhonePassedOn, Engine.ClientTextDue), and staff viewing their
// details see that the number passed on instead of it (Client.PhonePassedOn).
// The number as given with each referral stays sealed on the referral,
// part of what the client gave and of what a subject access request
// returns to them.

// EventPhonePassedOn records that the phone number on a client's record
// passed to someone else, who proved it theirs after the client had not
// shown it to be theirs within withdrawByTextFor. It carries no number
// and nothing of the new holder.
const EventPhonePassedOn EventKind = "client.phone-passed-on"

// whyPhonePassedOn is why a text due to a client whose number passed on
// is not sent, as its delivery status gives it.
const whyPhonePassedOn = "the client's phone number has passed to someone else"

// sqlPhonePassedOnOf is whether the phone number on the record of the
// client whose id follows it passed to someone else: the query the
// client's texts and the staff view of their details share. It is a
// condition up to the id, to be asked inside another statement: the id
// follows qualified by its table ("c.id", "clients.id"), since events
// has an id of its own. Events of the kind are few, found by their index
// on kind.
const sqlPhonePassedOnOf = `EXISTS (SELECT 1 FROM events WHERE kind = '` + string(EventPhonePassedOn) + `' AND client_id = `

const (
	// sqlReleasePhone takes the phone off the record of a client whose
	// number has passed to someone else: its hash, the number itself and
	// the proof it was theirs. Their other details stay as they were.
	sqlReleasePhone = `UPDATE clients SET phone_hash = NULL, phone_enc = NULL, phone_proven_at = NULL WHERE id = $1`
	// sqlForgetAwaitedReply stops a text from the phone being read as the
	// answer to a question the former client was asked by text.
	sqlForgetAwaitedReply = `DELETE FROM sms_awaiting WHERE phone_hash = $1 AND referral_id IN (SELECT id FROM referrals WHERE client_id = $2)`
)

// queuePhonePassedOn queues on b what follows when the phone with hash
// passes from the record of client former to someone else: the phone
// taken off the record, an awaited reply forgotten, and the event.
func (e *Engine) queuePhonePassedOn(b *pgx.Batch, former ClientID, hash []byte, now time.Time) {
	b.Queue(sqlReleasePhone, former)
	b.Queue(sqlForgetAwaitedReply, hash, former)
	e.queueEvent(b, newEvent{kind: EventPhonePassedOn, client: former, actor: SystemActor}, now)
}
