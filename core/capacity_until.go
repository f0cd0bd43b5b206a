package core

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
)

const sqlPublishCapacityUntil = `
UPDATE agencies SET capacity_until = $2, updated_at = $3 WHERE id = $1 AND at_capacity RETURNING id`

// PublishCapacityUntil publishes, for an agency at capacity, the date it
// expects to take new referrals again (nil withdraws it). The public
// directory then says "not taking new referrals until …"; the capacity
// note stays for coordinators and staff. Who may: as SetCapacity.
func (e *Engine) PublishCapacityUntil(ctx context.Context, agency AgencyID, until *time.Time, by Actor) error {
	if by.Kind == ActorStaff && by.AgencyID != agency && !by.Coordinates() {
		return &ForbiddenError{Why: "only the agency's own staff or a coordinator can change its capacity"}
	}
	var day any
	if until != nil {
		d, now := until.Format(time.DateOnly), e.clock.Now()
		switch {
		case d <= now.Format(time.DateOnly):
			return &ValidationError{Fields: []FieldError{{Field: "date", Message: "the date must be in the future: the day you expect to take new referrals again"}}}
		case d > now.AddDate(1, 0, 0).Format(time.DateOnly):
			return &ValidationError{Fields: []FieldError{{Field: "date", Message: "the date must be within a year from today; if you do not know when, publish no date"}}}
		}
		day = d
	}
	return inTx(ctx, e.pool, func(tx pgx.Tx) error {
		var id AgencyID
		if err := tx.QueryRow(ctx, sqlPublishCapacityUntil, agency, day, e.clock.Now()).Scan(&id); err != nil {
			if errors.Is(err, pgx.ErrNoRows) {
				return &ValidationError{Fields: []FieldError{{Field: "date", Message: "the agency is not marked at capacity: set that first"}}}
			}
			return fmt.Errorf("publish capacity date of agency %d: %w", agency, err)
		}
		d, _ := day.(string)
		return e.appendEvent(ctx, tx, newEvent{kind: EventCapacityChanged, agency: agency, actor: by,
			data: eventData("at_capacity", true, "published_until", d)})
	})
}
