package core

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
)

// Acceptance is who accepted a referral and when: the name of the member
// of staff, which reminders give so the agency knows whom to ask. It
// holds nothing about the client.
type Acceptance struct {
	By string    `db:"name"`
	At time.Time `db:"created_at"`
}

// sqlAcceptance is the latest acceptance of a referral by a member of
// staff (a partner system's acceptance names nobody).
const sqlAcceptance = `
SELECT s.name, ev.created_at FROM events ev JOIN staff s ON s.id = ev.actor_id
WHERE ev.referral_id = $1 AND ev.kind = 'referral.transition' AND ev.to_status = 'accepted'
  AND ev.from_status = 'requested' AND ev.actor_kind = 'staff'
ORDER BY ev.id DESC LIMIT 1`

// AcceptedBy is who accepted the referral and when; ok is false when no
// member of staff did (a partner system, or not accepted at all).
func (e *Engine) AcceptedBy(ctx context.Context, id ReferralID) (a Acceptance, ok bool, err error) {
	rows, _ := e.pool.Query(ctx, sqlAcceptance, id)
	a, err = pgx.CollectExactlyOneRow(rows, pgx.RowToStructByName[Acceptance])
	if errors.Is(err, pgx.ErrNoRows) {
		return Acceptance{}, false, nil
	}
	if err != nil {
		return Acceptance{}, false, fmt.Errorf("who accepted referral %d: %w", id, err)
	}
	return a, true, nil
}
