package core

import (
	"context"
	"fmt"
	"time"
)

// Mobile numbers are recycled. A number its holder stops using is
// disconnected by their operator (a pay-as-you-go number after months
// without use, a contract one when it ends), held out of use for a
// quarantine period (Ofcom's numbering guidance), and then issued to
// someone else. So the phone on a client's record, years on, may be a
// stranger's, and a text from it shows only who holds the number now.
// A withdrawal by text therefore needs the client to have shown the phone
// to be theirs recently (withdrawByTextFor); otherwise it is refused in
// the same words as a phone with nothing to withdraw.

// withdrawByTextFor is how long after the client last showed their phone
// to be theirs a text from it may withdraw their consent: six months (183
// days, half a year). UK operators quarantine a disconnected mobile number
// before issuing it again, commonly for around six months (periods vary
// between operators), and the client's number can only have been
// disconnected after they last used it. So a number the client used
// within the last six months has, in the usual case, not had time to
// reach anyone else. The window errs short: a client refused by text is
// told whom to ask instead, whereas a stranger's withdrawal would cancel
// the client's referrals and tell the stranger that a record was kept.
// A client who texts Onward again starts the window again.
const withdrawByTextFor = 183 * 24 * time.Hour

// sqlPhoneLastShown is when the client last showed that the phone on
// their record is theirs: the newest of these events on their referrals.
// Only a proven phone reaches their record with its hash, the one
// ClientByPhone finds (writeClient).
//   - the referral's creation by the client: a self-referral texted from
//     the phone, or made on the web form after a code texted to the phone
//     was typed back ($2);
//   - their texted answers to the contact check and the feedback
//     questions, which are read only from that phone (AwaitReply): an
//     answer recorded ($2), or the referral moved to in progress by their
//     "yes, they have contacted me" ($3, $4);
//   - a referral an adviser made for them with the number, in Onward
//     ($5): the adviser confirms the client's consent with them, and the
//     number is the one the client gives them then. (The texts that
//     referral brings the client say they may reply WITHDRAW.) Not a
//     referral carried on from another (a redirect, a refer-on), whose
//     number comes from the record, not from the client.
//
// A partner system's referral does not count (a number read from an old
// casework record is exactly the number that may have been recycled
// since), nor does anything else staff did, nor a withdrawal's
// cancellation.
//
// sqlPhoneLastShownOf is that query up to the client's id, which follows
// it: a parameter here, a column where another statement asks it as a
// subquery (sqlUpsertClient). Its parameters $2 to $6 are
// phoneShownArgs.
const (
	sqlPhoneLastShownOf = `
SELECT max(ev.created_at) FROM referrals r JOIN events ev ON ev.referral_id = r.id
WHERE ((ev.actor_kind = 'client' AND (ev.kind = ANY($2) OR (ev.kind = $3 AND ev.to_status = $4)))
    OR (ev.actor_kind = 'staff' AND ev.kind = $5 AND r.source = $6 AND NOT ev.data ? 'from_parent'))
  AND r.client_id = `
	sqlPhoneLastShown = sqlPhoneLastShownOf + `$1`
)

// phoneShownArgs are the parameters $2 to $6 of sqlPhoneLastShownOf.
func phoneShownArgs() []any {
	shown := []string{string(EventCreated), string(EventOutcomeRecorded)}
	return []any{shown, EventTransition, StatusInProgress, EventCreated, SourceStaff}
}

// phoneLastShown returns when the client last showed that the phone on
// their record is theirs (sqlPhoneLastShown), nil if they never did.
func (e *Engine) phoneLastShown(ctx context.Context, db DB, client ClientID) (*time.Time, error) {
	var at *time.Time
	if err := db.QueryRow(ctx, sqlPhoneLastShown, append([]any{client}, phoneShownArgs()...)...).Scan(&at); err != nil {
		return nil, fmt.Errorf("when client %d last used their phone: %w", client, err)
	}
	return at, nil
}

// phoneStillTheirs reports whether a client who last showed their phone
// to be theirs at lastShown (nil: never) may still be taken to hold it
// now: only within withdrawByTextFor of it. A text from it may withdraw
// their consent, and is answered in their language (PhoneLanguage).
func phoneStillTheirs(lastShown *time.Time, now time.Time) bool {
	return lastShown != nil && now.Sub(*lastShown) <= withdrawByTextFor
}

// refusedWithdrawalByText logs, with the text's message id alone, why a
// withdrawal by text was refused: nothing that says who the client is.
func (e *Engine) refusedWithdrawalByText(evidence string, lastShown *time.Time) {
	why := fmt.Sprintf("the phone was last proven over %d days ago", int(withdrawByTextFor/(24*time.Hour)))
	if lastShown == nil {
		why = "the phone was never proven by the client's own text or code"
	}
	e.log.Info("withdraw by text refused: "+why, "sid", evidence)
}
