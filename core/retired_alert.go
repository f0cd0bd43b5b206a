package core

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
)

// AlertRetiredHeld is the level of the coordinators' alert that an agency
// left the network leaving them referrals to move on: those it had not
// accepted that went back to triage, and those it keeps.
const AlertRetiredHeld = "agency-retired"

// maxAlertReferences is how many references an alert lists of each kind;
// the rest are counted, and the coordinators' inbox lists them all.
const maxAlertReferences = 20

// queueRetiredAlert tells the coordinators, in the transaction that
// retires the agency, what it leaves them to move on, in ONE alert (in
// Slack's triage channel, and by email as they chose for alerts): the
// referrals it had not accepted that went back to triage (triaged, whose
// own arrival emails it stands for: tellTriageTogether), and the open
// referrals it keeps, which its staff can no longer act on (held, by
// reference). An agency that leaves nothing to move on alerts nobody.
func (e *Engine) queueRetiredAlert(ctx context.Context, tx pgx.Tx, agency AgencyID, triaged []Referral, held []string, now time.Time) error {
	if len(triaged) == 0 && len(held) == 0 {
		return nil
	}
	var name string
	if err := tx.QueryRow(ctx, `SELECT name FROM agencies WHERE id = $1`, agency).Scan(&name); err != nil {
		return fmt.Errorf("name of retiring agency %d: %w", agency, err)
	}
	if err := e.tellTriageTogether(ctx, tx, triaged, "told in one alert as "+name+" left the network", now); err != nil {
		return err
	}
	b := &pgx.Batch{}
	e.outbox.queue(b, outboxMsg{kind: OutboxAlert, payload: OutboxPayload{AgencyID: agency, Level: AlertRetiredHeld, Text: retiredAlert(name, triaged, held)},
		dedupe: fmt.Sprintf("retired-held:%d:%d", agency, now.UnixNano())}, now)
	if err := sendBatch(ctx, tx, b); err != nil {
		return fmt.Errorf("alert of the retirement of agency %d: %w", agency, err)
	}
	return nil
}

// retiredAlert is the alert's words: by reference, never by client. Its
// first sentence, which an email's subject shows, says what happened.
func retiredAlert(name string, triaged []Referral, held []string) string {
	var out []string
	if n := len(triaged); n > 0 {
		refs := make([]string, n)
		for i, r := range triaged {
			refs[i] = r.Reference
			if r.Crisis {
				refs[i] += " (crisis)"
			}
		}
		those, each := "They are the ones", "each"
		if n == 1 {
			those, each = "It is the one", "it"
		}
		out = append(out, fmt.Sprintf("%s has left the network: %s went back to triage. %s it had not accepted: %s. "+
			"Choose an agency for %s from the triage queue.", name, fmt.Sprintf("%d %s", n, alertNoun(n, "referral", "referrals")), those, alertReferences(refs), each))
	}
	if n := len(held); n > 0 {
		keeps := fmt.Sprintf("%s has left the network keeping", name)
		if len(triaged) > 0 {
			keeps = "It also keeps"
		}
		out = append(out, fmt.Sprintf("%s %d open %s its staff can no longer act on: %s. "+
			"Redirect each client to another agency, or cancel the referral, saying why. "+
			"Your inbox lists them under \"Held by agencies that have left the network\".", keeps, n, alertNoun(n, "referral", "referrals"), alertReferences(held)))
	}
	return strings.Join(out, " ")
}

// alertReferences lists references for an alert: the first
// maxAlertReferences, and how many more.
func alertReferences(refs []string) string {
	listed := refs[:min(len(refs), maxAlertReferences)]
	list := strings.Join(listed, ", ")
	if more := len(refs) - len(listed); more > 0 {
		list += fmt.Sprintf(" and %d more", more)
	}
	return list
}

// alertNoun is one or many, as n asks ("1 referral", "3 referrals").
func alertNoun(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}
