package core

import (
	"context"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5"
)

// Staff events beside EventStaffAdded.
const (
	EventStaffDeactivated EventKind = "staff.deactivated"
	EventStaffRoleChanged EventKind = "staff.role-changed"
)

// mayManageStaff refuses staff changes by anyone but coordinators and
// admins; the system and the command line may make them.
func mayManageStaff(by Actor) error {
	if by.Kind == ActorStaff && !by.Coordinates() {
		return &ForbiddenError{Why: "only coordinators and admins can change staff"}
	}
	return nil
}

const sqlDeactivateStaff = `
UPDATE staff SET deleted_at = $2 WHERE id = $1 AND deleted_at IS NULL RETURNING agency_id`

// DeactivateStaff ends a member of staff's access: every lookup of staff
// skips them from now on, so open sessions and links stop working on their
// next use. The change is recorded in the agency's audit chain.
func (e *Engine) DeactivateStaff(ctx context.Context, id StaffID, by Actor) error {
	if err := mayManageStaff(by); err != nil {
		return err
	}
	if by.Kind == ActorStaff && by.StaffID == id {
		return &ValidationError{Fields: []FieldError{{Field: "staff",
			Message: "you cannot deactivate yourself; ask another coordinator"}}}
	}
	return inTx(ctx, e.pool, func(tx pgx.Tx) error {
		var agency AgencyID
		if err := tx.QueryRow(ctx, sqlDeactivateStaff, id, e.clock.Now()).Scan(&agency); err != nil {
			if errors.Is(err, pgx.ErrNoRows) {
				return fmt.Errorf("deactivate staff %d: %w", id, ErrNotFound)
			}
			return fmt.Errorf("deactivate staff %d: %w", id, err)
		}
		return e.appendEvent(ctx, tx, newEvent{kind: EventStaffDeactivated, agency: agency, actor: by,
			data: eventData("staff_id", int64(id))})
	})
}

const sqlSetStaffRole = `
UPDATE staff SET role = $2 WHERE id = $1 AND deleted_at IS NULL RETURNING agency_id`

// SetStaffRole changes what a member of staff may do; it takes effect on
// their next request. Recorded in the agency's audit chain.
func (e *Engine) SetStaffRole(ctx context.Context, id StaffID, role Role, by Actor) error {
	if err := mayManageStaff(by); err != nil {
		return err
	}
	if role != RoleAdviser && role != RoleCoordinator && role != RoleAdmin {
		return &ValidationError{Fields: []FieldError{{Field: "role", Message: "role must be adviser, coordinator or admin"}}}
	}
	return inTx(ctx, e.pool, func(tx pgx.Tx) error {
		var agency AgencyID
		if err := tx.QueryRow(ctx, sqlSetStaffRole, id, role).Scan(&agency); err != nil {
			if errors.Is(err, pgx.ErrNoRows) {
				return fmt.Errorf("set role of staff %d: %w", id, ErrNotFound)
			}
			return fmt.Errorf("set role of staff %d: %w", id, err)
		}
		return e.appendEvent(ctx, tx, newEvent{kind: EventStaffRoleChanged, agency: agency, actor: by,
			data: eventData("staff_id", int64(id), "role", string(role))})
	})
}

// InviteLink makes the sign-in link an invitation carries, for the member
// of staff just added: the link and its own id (single-use).
type InviteLink func(id StaffID) (link, jti string, err error)

// InviteStaff adds a member of staff and queues their invitation email
// with a sign-in link, in one transaction, recorded in the agency's audit
// chain: either both happen or neither.
func (e *Engine) InviteStaff(ctx context.Context, s NewStaff, by Actor, link InviteLink) (StaffID, error) {
	if err := mayManageStaff(by); err != nil {
		return 0, err
	}
	var id StaffID
	err := inTx(ctx, e.pool, func(tx pgx.Tx) error {
		var err error
		if id, err = e.AddStaff(ctx, tx, s); err != nil {
			return err
		}
		if err := e.appendEvent(ctx, tx, newEvent{kind: EventStaffAdded, agency: s.AgencyID, actor: by,
			data: eventData("staff_id", int64(id), "role", string(s.Role), "invited", true)}); err != nil {
			return err
		}
		l, jti, err := link(id)
		if err != nil {
			return fmt.Errorf("invitation link: %w", err)
		}
		return e.QueueStaffInvitation(ctx, tx, id, l, jti)
	})
	if err != nil {
		return 0, err
	}
	e.WakeWorkers()
	return id, nil
}
