package core

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
)

const sqlHeldOpen = `
SELECT id, version, reference FROM referrals WHERE to_agency_id = $1 AND closed_at IS NULL ORDER BY id`

// queueHolderCards asks for the card of every open referral the agency
// holds to be shown again (card.sync rows), in the transaction that
// retires the agency or brings it back (why: "retired", "back"). A card
// shows what can be done with its holder as it is now: while the holder
// has left the network, a coordinator's Redirect… (Referral.AllowedHeldBy);
// once it is back, the card as before. The referrals themselves do not
// change, so the rows of their last change (keyed by version) are already
// sent: these rows are keyed by the moment of the change instead. It
// returns the references of those referrals, for the coordinators' alert
// of a retirement (queueRetiredAlert): nobody else can move them on now.
func (e *Engine) queueHolderCards(ctx context.Context, tx pgx.Tx, agency AgencyID, why string, now time.Time) ([]string, error) {
	rows, _ := tx.Query(ctx, sqlHeldOpen, agency)
	held, err := pgx.CollectRows(rows, pgx.RowToStructByPos[struct {
		ID        ReferralID
		Version   int
		Reference string
	}])
	if err != nil {
		return nil, fmt.Errorf("open referrals held by agency %d: %w", agency, err)
	}
	b := &pgx.Batch{}
	refs := make([]string, len(held))
	for i, r := range held {
		m := cardMsg(Referral{ID: r.ID, Version: r.Version}, "agency")
		m.dedupe += fmt.Sprintf(":holder-%s:%d", why, now.UnixNano())
		e.outbox.queue(b, m, now)
		refs[i] = r.Reference
	}
	if err := sendBatch(ctx, tx, b); err != nil {
		return nil, fmt.Errorf("cards of the referrals held by agency %d: %w", agency, err)
	}
	return refs, nil
}
