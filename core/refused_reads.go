package core

import (
	"context"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5"
)

// sqlReferralsOfConsent reads the referrals made under a consent.
const sqlReferralsOfConsent = sqlSelectReferral + `consent_id = $1 ORDER BY id`

// VisibleConsent returns a consent the actor may see: the consent of a
// referral they may see (Actor.MaySee). Another is reported as not found,
// so its existence is not disclosed, and the refusal is audited on its
// latest referral, as VisibleReferral audits a referral's (via names the
// channel asked).
func (e *Engine) VisibleConsent(ctx context.Context, id ConsentID, by Actor, via string) (Consent, error) {
	c, err := e.Consent(ctx, id)
	if err != nil {
		return Consent{}, fmt.Errorf("consent %d: %w", id, err)
	}
	rows, _ := e.pool.Query(ctx, sqlReferralsOfConsent, id)
	rs, err := pgx.CollectRows(rows, pgx.RowToStructByName[Referral])
	if err != nil {
		return Consent{}, fmt.Errorf("referrals of consent %d: %w", id, err)
	}
	for _, r := range rs {
		if by.MaySee(r) {
			return c, nil
		}
	}
	if len(rs) > 0 {
		e.RecordAccessDenied(ctx, rs[len(rs)-1].ID, by, "read", via)
	}
	return Consent{}, fmt.Errorf("consent %d: %w", id, ErrNotFound)
}

// sqlLatestReferralOfClient reads the id of a client's latest referral.
const sqlLatestReferralOfClient = `SELECT id FROM referrals WHERE client_id = $1 ORDER BY id DESC LIMIT 1`

// RecordClientAccessDenied audits an attempt to reach a client's details
// by an actor who may see none of their referrals (a Patient id another
// system was given, say), as RecordAccessDenied audits one on a referral:
// on the client's latest referral, where the client's own subject access
// shows it. A client with no referral (or no client) leaves nothing to
// record. It never fails the caller: the refusal stands whether or not
// the record is written.
func (e *Engine) RecordClientAccessDenied(ctx context.Context, client ClientID, by Actor, action, via string) {
	var id ReferralID
	err := e.pool.QueryRow(ctx, sqlLatestReferralOfClient, client).Scan(&id)
	switch {
	case errors.Is(err, pgx.ErrNoRows):
		return
	case err != nil:
		e.log.Warn("record refused access to a client", "client", int64(client), "err", err)
		return
	}
	e.RecordAccessDenied(ctx, id, by, action, via)
}
