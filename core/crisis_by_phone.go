package core

import (
	"context"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5"
)

// A client's text conversation is kept for a day; one who texts words of
// self-harm or danger after that starts a new one, with no referral in
// it. The new conversation gives them the crisis lines; their phone says
// who they are when it is the proven phone of a client's record (its
// keyed hash, ClientByPhone) and they have shown it to be theirs lately
// (phoneStillTheirs: a recycled number's new holder is not the client).
// Then the staff working with them are told exactly as for a text after
// the end of the conversation (RecordCrisisAfterEnd with no reference):
// the coordinators, and each agency holding an open referral of theirs.

const (
	// sqlLockCrisisClientByID takes the lock of client $1
	// (crisisLocate), unless erased.
	sqlLockCrisisClientByID = `SELECT id FROM clients WHERE id = $1 AND erased_at IS NULL FOR UPDATE`
	// sqlCrisisOpenOf are client $1's open referrals ($2: the open
	// statuses) under a consent not withdrawn, newest first, each with
	// whether it was carried on (a redirect, a referral on) from another
	// of them: the text is told on the first of each chain, as a
	// referral's timeline tells those before it too.
	sqlCrisisOpenOf = `
WITH RECURSIVE live AS (
    SELECT r.id, r.reference, r.to_agency_id FROM referrals r JOIN consents k ON k.id = r.consent_id
    WHERE r.client_id = $1 AND r.status = ANY($2) AND k.withdrawn_at IS NULL
), up AS (
    SELECT l.id AS live_id, r.parent_id AS id, 1 AS depth FROM live l JOIN referrals r ON r.id = l.id WHERE r.parent_id IS NOT NULL
    UNION ALL
    SELECT up.live_id, r.parent_id, up.depth + 1 FROM up JOIN referrals r ON r.id = up.id WHERE r.parent_id IS NOT NULL AND up.depth < 50
)
SELECT l.id, l.reference, coalesce(l.to_agency_id, 0),
       EXISTS (SELECT 1 FROM up JOIN live p ON p.id = up.id WHERE up.live_id = l.id)
FROM live l ORDER BY l.id DESC`
)

// crisisByPhone finds the client whose proven phone p is, shown to be
// theirs lately; else out is CrisisNotTheirs. The text is recorded on
// each of their open referrals under consent not withdrawn (on the first
// of each chain), the coordinators' alert names the newest, and every
// agency holding one is told (its newest); with none, CrisisNoOpenReferral.
func (e *Engine) crisisByPhone(ctx context.Context, p Phone) (ClientID, crisisLocate, CrisisAfterEndOutcome, error) {
	client, err := e.ClientByPhone(ctx, p)
	if errors.Is(err, ErrNotFound) {
		return 0, nil, CrisisNotTheirs, nil
	}
	if err != nil {
		return 0, nil, "", fmt.Errorf("record crisis text by phone: %w", err)
	}
	shown, err := e.phoneLastShown(ctx, e.pool, client)
	if err != nil {
		return 0, nil, "", fmt.Errorf("record crisis text by phone: %w", err)
	}
	if !phoneStillTheirs(shown, e.clock.Now()) {
		return 0, nil, CrisisNotTheirs, nil
	}
	locate := func(ctx context.Context, tx pgx.Tx) (crisisTarget, bool, error) {
		var t crisisTarget
		var id ClientID
		err := tx.QueryRow(ctx, sqlLockCrisisClientByID, client).Scan(&id)
		if errors.Is(err, pgx.ErrNoRows) {
			return t, false, nil // erased since
		}
		if err != nil {
			return t, false, fmt.Errorf("lock client: %w", err)
		}
		rows, _ := tx.Query(ctx, sqlCrisisOpenOf, client, openStatuses)
		type open struct {
			crisisHolder
			carried bool
		}
		opens, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (open, error) {
			var o open
			err := row.Scan(&o.id, &o.reference, &o.agency, &o.carried)
			return o, err
		})
		if err != nil {
			return t, false, fmt.Errorf("open referrals of client %d: %w", client, err)
		}
		if len(opens) == 0 {
			return t, false, nil
		}
		t.about = opens[0].crisisHolder
		told := map[AgencyID]bool{}
		for _, o := range opens {
			if !o.carried {
				t.on = append(t.on, o.id)
			}
			if o.agency != 0 && !told[o.agency] {
				told[o.agency] = true
				t.holders = append(t.holders, o.crisisHolder)
			}
		}
		return t, true, nil
	}
	return client, locate, "", nil
}
