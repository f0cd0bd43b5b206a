package core

import (
	"context"
	"fmt"
	"strings"
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
// sent: these rows are keyed by the moment of the change instead.
//
// Retiring an agency that keeps open referrals also alerts the
// coordinators (retiredHeldAlert), in Slack's triage channel and by email
// as they chose for alerts: nobody else can move those referrals on now.
func (e *Engine) queueHolderCards(ctx context.Context, tx pgx.Tx, agency AgencyID, why string, now time.Time) error {
	rows, _ := tx.Query(ctx, sqlHeldOpen, agency)
	held, err := pgx.CollectRows(rows, pgx.RowToStructByPos[struct {
		ID        ReferralID
		Version   int
		Reference string
	}])
	if err != nil {
		return fmt.Errorf("open referrals held by agency %d: %w", agency, err)
	}
	b := &pgx.Batch{}
	for _, r := range held {
		m := cardMsg(Referral{ID: r.ID, Version: r.Version}, "agency")
		m.dedupe += fmt.Sprintf(":holder-%s:%d", why, now.UnixNano())
		e.outbox.queue(b, m, now)
	}
	if why == "retired" && len(held) > 0 {
		refs := make([]string, len(held))
		for i, r := range held {
			refs[i] = r.Reference
		}
		alert, err := e.retiredHeldAlert(ctx, tx, agency, refs)
		if err != nil {
			return err
		}
		e.outbox.queue(b, outboxMsg{kind: OutboxAlert, payload: OutboxPayload{AgencyID: agency, Level: AlertRetiredHeld, Text: alert},
			dedupe: fmt.Sprintf("retired-held:%d:%d", agency, now.UnixNano())}, now)
	}
	if err := sendBatch(ctx, tx, b); err != nil {
		return fmt.Errorf("cards of the referrals held by agency %d: %w", agency, err)
	}
	return nil
}

// AlertRetiredHeld is the level of the coordinators' alert that an agency
// left the network keeping open referrals.
const AlertRetiredHeld = "agency-retired"

// maxAlertReferences is how many references an alert lists; the rest are
// counted, and the coordinators' inbox lists them all.
const maxAlertReferences = 20

// retiredHeldAlert is the alert's words when an agency retires keeping
// open referrals (refs): by reference, never by client.
func (e *Engine) retiredHeldAlert(ctx context.Context, tx pgx.Tx, agency AgencyID, refs []string) (string, error) {
	var name string
	if err := tx.QueryRow(ctx, `SELECT name FROM agencies WHERE id = $1`, agency).Scan(&name); err != nil {
		return "", fmt.Errorf("name of retiring agency %d: %w", agency, err)
	}
	listed := refs[:min(len(refs), maxAlertReferences)]
	list := strings.Join(listed, ", ")
	if more := len(refs) - len(listed); more > 0 {
		list += fmt.Sprintf(" and %d more", more)
	}
	noun := "referrals"
	if len(refs) == 1 {
		noun = "referral"
	}
	return fmt.Sprintf("%s has left the network keeping %d open %s its staff can no longer act on: %s. "+
		"Redirect each client to another agency, or cancel the referral, saying why. "+
		"Your inbox lists them under \"Held by agencies that have left the network\".", name, len(refs), noun, list), nil
}
