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
