package core

import (
	"context"
	"fmt"

	"github.com/jackc/pgx/v5"
)

// The note an adviser writes on completing a referral is about the client,
// so it is sealed under the client's own data key, bound to the referral
// (referrals.outcome_note_enc of that row): erasing the client shreds it
// with everything else. Notes written before were sealed under the master
// key as "referral.outcome_note"; they are still read, and `onward keys
// rotate` moves them under the client's key.

const legacyOutcomeNoteField = "referral.outcome_note"

// sealOutcomeNote seals a completion note for referral r, in the
// transition's transaction.
func (e *Engine) sealOutcomeNote(ctx context.Context, tx pgx.Tx, r Referral, note string) ([]byte, error) {
	k, err := e.writableClientKey(ctx, tx, r.ClientID)
	if err != nil {
		return nil, fmt.Errorf("outcome note of %s: %w", r.Reference, err)
	}
	enc, err := k.seal("referrals", "outcome_note_enc", r.ID, note)
	if err != nil {
		return nil, fmt.Errorf("outcome note of %s: %w", r.Reference, err)
	}
	return enc, nil
}

// OutcomeNote decrypts the note made when a referral was completed ("" when
// there is none). An erased client's note reads as ErrErased.
func (e *Engine) OutcomeNote(ctx context.Context, r Referral) (string, error) {
	if len(r.OutcomeNoteEnc) == 0 {
		return "", nil
	}
	k, err := e.clientKeyOf(ctx, e.pool, r.ClientID)
	if err != nil {
		return "", err
	}
	note, err := k.open("referrals", "outcome_note_enc", r.ID, legacyOutcomeNoteField, r.OutcomeNoteEnc)
	if err != nil {
		return "", fmt.Errorf("outcome note of %s: %w", r.Reference, err)
	}
	return note, nil
}

// MayReadOutcomeNote reports whether the actor may read the note made
// when the referral was completed: staff of the agency that completed it
// (the one holding it) and coordinators. The referring agency is told
// the outcome, never the note.
func (a Actor) MayReadOutcomeNote(r Referral) bool {
	switch {
	case a.Kind == ActorSystem:
		return true
	case !a.actsForAgency():
		return false
	case a.Coordinates():
		return true
	}
	return r.Status == StatusCompleted && r.ToAgencyID != nil && *r.ToAgencyID == a.AgencyID
}

// OutcomeNoteReadable reports whether by may read r's completion note now,
// and if not why: MayReadOutcomeNote, and the client has neither withdrawn
// the consent it was made under nor been erased (the note is theirs, as
// their details are). For offering the note, as for reading it.
func (e *Engine) OutcomeNoteReadable(ctx context.Context, r Referral, by Actor) (bool, string, error) {
	if !by.MayReadOutcomeNote(r) {
		return false, "only the agency that completed this referral, or a coordinator, can read its completion note", nil
	}
	if by.Kind == ActorSystem {
		return true, "", nil
	}
	f, err := e.disclosureFacts(ctx, r)
	if err != nil {
		return false, "", err
	}
	if withheld, why := f.Withheld(); withheld {
		return false, why, nil
	}
	return true, "", nil
}

// ReadOutcomeNote returns a referral's completion note ("" when there is
// none) to someone who may read it (OutcomeNoteReadable), and records the
// reading in the audit log as DiscloseClient records a disclosure: a
// details-disclosed event saying what was read ("outcome-note") and the
// channel (via). A refusal is recorded too. An erased client's note reads
// as ErrErased.
func (e *Engine) ReadOutcomeNote(ctx context.Context, id ReferralID, by Actor, via string) (string, Referral, error) {
	r, err := e.Referral(ctx, id)
	if err != nil {
		return "", Referral{}, err
	}
	ok, why, err := e.OutcomeNoteReadable(ctx, r, by)
	if err != nil {
		return "", r, err
	}
	if !ok {
		_ = e.appendEvent(ctx, e.pool, newEvent{kind: EventAccessDenied, referral: r.ID, actor: by,
			data: eventData("action", "view-outcome-note", "via", via, "agency_id", int64(by.AgencyID), "why", why)})
		return "", r, &ForbiddenError{Why: why}
	}
	note, err := e.OutcomeNote(ctx, r)
	if err != nil || note == "" {
		return "", r, err
	}
	if err := e.appendEvent(ctx, e.pool, newEvent{kind: EventDisclosed, referral: r.ID, client: r.ClientID, actor: by,
		data: eventData("via", via, "agency_id", int64(by.AgencyID), "what", "outcome-note")}); err != nil {
		return "", r, fmt.Errorf("record reading the outcome note of %s: %w", r.Reference, err)
	}
	return note, r, nil
}
