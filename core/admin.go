package core

import (
	"context"
	"errors"
	"fmt"
	"regexp"

	"github.com/jackc/pgx/v5"
)

// slackChannelRe is a Slack channel id: C (public), G (private) or D
// (direct message) and upper-case letters and digits.
var slackChannelRe = regexp.MustCompile(`^[CGD][A-Z0-9]{6,20}$`)

const sqlSetChannel = `
UPDATE agencies SET slack_channel_id = $2, updated_at = $3
WHERE id = $1 RETURNING id`

// SetSlackChannel records the Slack channel where an agency's referral
// cards are posted; "" takes the agency off Slack (its staff use the web
// inbox). The change is an event in the agency's audit chain.
func (e *Engine) SetSlackChannel(ctx context.Context, agency AgencyID, channel string, by Actor) error {
	if channel != "" && !slackChannelRe.MatchString(channel) {
		return &ValidationError{Fields: []FieldError{{Field: "Slack channel id",
			Message: "Slack channel id must look like C0123ABCD (open the channel's details in Slack; the id is at the bottom)"}}}
	}
	return inTx(ctx, e.pool, func(tx pgx.Tx) error {
		var id AgencyID
		if err := tx.QueryRow(ctx, sqlSetChannel, agency, channel, e.clock.Now()).Scan(&id); err != nil {
			if errors.Is(err, pgx.ErrNoRows) {
				return fmt.Errorf("set Slack channel of agency %d: %w", agency, ErrNotFound)
			}
			return fmt.Errorf("set Slack channel of agency %d: %w", agency, err)
		}
		return e.appendEvent(ctx, tx, newEvent{kind: EventChannelChanged, agency: agency, actor: by,
			data: eventData("slack_channel_id", channel)})
	})
}

// RegisterStaff adds a member of staff and records it in the agency's
// audit chain, in one transaction.
func (e *Engine) RegisterStaff(ctx context.Context, s NewStaff, by Actor) (StaffID, error) {
	var id StaffID
	err := inTx(ctx, e.pool, func(tx pgx.Tx) error {
		var err error
		if id, err = e.AddStaff(ctx, tx, s); err != nil {
			return err
		}
		return e.appendEvent(ctx, tx, newEvent{kind: EventStaffAdded, agency: s.AgencyID, actor: by,
			data: eventData("staff_id", int64(id), "role", string(s.Role))})
	})
	return id, err
}
