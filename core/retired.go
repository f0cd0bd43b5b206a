package core

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
)

// An agency that has left the network (RetireAgency) keeps its history,
// but nobody acts for it any more: its staff lose their access in the same
// transaction (deactivated at the moment it retired, which is how they are
// told apart from staff who left before), no partner system can be
// registered for it, and the referrals it had accepted wait for a
// coordinator to cancel them. This file holds those rules and what the
// confirmation page says retiring will do.

// Retirement is what retiring an agency will do, for the page that asks a
// coordinator to confirm it.
type Retirement struct {
	Agency Agency
	// Waiting are referrals it has not accepted: turned back to whoever
	// made them (a client's own goes back to triage).
	Waiting int
	// Kept are referrals it accepted, is working on or has on its waiting
	// list: they stay with it, and a coordinator must cancel each one or
	// refer the client elsewhere, as its staff can no longer act.
	Kept int
	// Staff are its current members of staff, whose access ends.
	Staff int
	// Partners are partner systems acting for it, not revoked.
	Partners int
}

const sqlRetirement = `
SELECT (SELECT count(*) FROM referrals WHERE to_agency_id = $1 AND status = 'requested'),
       (SELECT count(*) FROM referrals WHERE to_agency_id = $1 AND status IN ('accepted', 'in-progress', 'on-hold')),
       (SELECT count(*) FROM staff WHERE agency_id = $1 AND deleted_at IS NULL),
       (SELECT count(*) FROM partners WHERE agency_id = $1 AND revoked_at IS NULL)`

// RetirementOf says what retiring the agency would do now. Only those who
// may retire it (coordinators, admins) may ask.
func (e *Engine) RetirementOf(ctx context.Context, id AgencyID, by Actor) (Retirement, error) {
	if err := mayKeepDirectory(by); err != nil {
		return Retirement{}, err
	}
	a, err := e.Agency(ctx, id)
	if err != nil {
		return Retirement{}, err
	}
	out := Retirement{Agency: a}
	if err := e.pool.QueryRow(ctx, sqlRetirement, id).Scan(&out.Waiting, &out.Kept, &out.Staff, &out.Partners); err != nil {
		return Retirement{}, fmt.Errorf("what retiring agency %d does: %w", id, err)
	}
	return out, nil
}

const sqlRetireStaff = `
UPDATE staff SET deleted_at = $2 WHERE agency_id = $1 AND deleted_at IS NULL RETURNING id`

// retireStaff ends the access of a retiring agency's staff, as
// DeactivateStaff does for one, at the moment the agency retired (now):
// every lookup of staff skips them from then on, so their sessions, links
// and Slack stop working on the next request. Each is audited.
func (e *Engine) retireStaff(ctx context.Context, tx pgx.Tx, agency AgencyID, by Actor, now time.Time) error {
	rows, _ := tx.Query(ctx, sqlRetireStaff, agency, now)
	ids, err := pgx.CollectRows(rows, pgx.RowTo[StaffID])
	if err != nil {
		return fmt.Errorf("deactivate the staff of retiring agency %d: %w", agency, err)
	}
	for _, id := range ids {
		if err := e.appendEvent(ctx, tx, newEvent{kind: EventStaffDeactivated, agency: agency, actor: by,
			data: eventData("staff_id", int64(id), "why", "agency retired")}); err != nil {
			return err
		}
	}
	return nil
}

const sqlRetiredStaff = `
SELECT s.id FROM staff s JOIN agencies a ON a.id = s.agency_id
WHERE s.agency_id = $1 AND a.retired_at IS NOT NULL AND s.deleted_at = a.retired_at ORDER BY s.id`

// RetiredStaff lists the members of staff whose access ended when the
// agency retired, so their open sessions can be ended too.
func (e *Engine) RetiredStaff(ctx context.Context, agency AgencyID) ([]StaffID, error) {
	rows, _ := e.pool.Query(ctx, sqlRetiredStaff, agency)
	ids, err := pgx.CollectRows(rows, pgx.RowTo[StaffID])
	if err != nil {
		return nil, fmt.Errorf("staff of retired agency %d: %w", agency, err)
	}
	return ids, nil
}

const sqlLeftWithAgency = `
SELECT a.id FROM staff s JOIN agencies a ON a.id = s.agency_id
WHERE s.id = $1 AND a.retired_at IS NOT NULL AND s.deleted_at = a.retired_at`

// LeftWithAgency returns the agency a former member of staff lost their
// access with, when it was its retirement that ended it; ErrNotFound for
// anyone else (current staff, or staff deactivated on their own). A sign-in
// page uses it to say why they can no longer sign in.
func (e *Engine) LeftWithAgency(ctx context.Context, staff StaffID) (Agency, error) {
	var id AgencyID
	if err := e.pool.QueryRow(ctx, sqlLeftWithAgency, staff).Scan(&id); err != nil {
		if errors.Is(err, pgx.ErrNoRows) {
			return Agency{}, fmt.Errorf("agency staff %d left with: %w", staff, ErrNotFound)
		}
		return Agency{}, fmt.Errorf("agency staff %d left with: %w", staff, err)
	}
	return e.Agency(ctx, id)
}

// AgencyInNetwork returns the agency when it is still in the network; one
// that has left it (RetiredAt) is refused as a ValidationError on field,
// saying when it left. Registering a partner system for an agency asks it
// (AddPartner).
func (e *Engine) AgencyInNetwork(ctx context.Context, id AgencyID, field string) (Agency, error) {
	a, err := e.Agency(ctx, id)
	if errors.Is(err, ErrNotFound) {
		return Agency{}, &ValidationError{Fields: []FieldError{{Field: field, Message: "that agency does not exist"}}}
	}
	if err != nil {
		return Agency{}, err
	}
	cal, err := e.calendar(ctx)
	if err != nil {
		return Agency{}, err
	}
	if err := a.refuseRetired(field, cal.Location); err != nil {
		return Agency{}, err
	}
	return a, nil
}
