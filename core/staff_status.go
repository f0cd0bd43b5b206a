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
	EventStaffReactivated EventKind = "staff.reactivated"
	EventStaffMoved       EventKind = "staff.moved"
	EventStaffChanged     EventKind = "staff.changed"
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
		if err := keepACoordinator(ctx, tx, id, "deactivate"); err != nil {
			return err
		}
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

// sqlLockCoordinators locks the rows of the network's active
// coordinators (admins coordinate too), in id order so that two callers
// never wait on each other.
const sqlLockCoordinators = `
SELECT id FROM staff WHERE role IN ('coordinator', 'admin') AND deleted_at IS NULL ORDER BY id FOR UPDATE`

// keepACoordinator refuses to take the network's last active coordinator
// away (to "demote" or "deactivate" staff member id): with none left,
// nobody could triage, manage staff or make anyone a coordinator again
// from the staff web. It locks every coordinator's row until the
// caller's transaction ends, so two such changes at once (two
// coordinators demoting each other) are made one after the other, and
// the second counts without the first's coordinator: both cannot pass.
func keepACoordinator(ctx context.Context, tx DB, id StaffID, change string) error {
	rows, _ := tx.Query(ctx, sqlLockCoordinators)
	ids, err := pgx.CollectRows(rows, pgx.RowTo[StaffID])
	if err != nil {
		return fmt.Errorf("lock coordinators: %w", err)
	}
	if len(ids) == 1 && ids[0] == id {
		field := "role"
		if change == "deactivate" {
			field = "staff"
		}
		return &ValidationError{Fields: []FieldError{{Field: field, Message: fmt.Sprintf(
			"you cannot %s the network's last coordinator: make another member of staff a coordinator first", change)}}}
	}
	return nil
}

const sqlSetStaffRole = `
UPDATE staff SET role = $2 WHERE id = $1 AND deleted_at IS NULL RETURNING agency_id`

// SetStaffRole changes what a member of staff may do; it takes effect on
// their next request. Recorded in the agency's audit chain.
func (e *Engine) SetStaffRole(ctx context.Context, id StaffID, role Role, by Actor) error {
	return inTx(ctx, e.pool, func(tx pgx.Tx) error { return e.setStaffRole(ctx, tx, id, role, by) })
}

// setStaffRole is SetStaffRole inside the caller's transaction.
func (e *Engine) setStaffRole(ctx context.Context, db DB, id StaffID, role Role, by Actor) error {
	if err := mayManageStaff(by); err != nil {
		return err
	}
	if role != RoleAdviser && role != RoleCoordinator && role != RoleAdmin {
		return &ValidationError{Fields: []FieldError{{Field: "role", Message: "role must be adviser, coordinator or admin"}}}
	}
	if role == RoleAdviser {
		if err := keepACoordinator(ctx, db, id, "demote"); err != nil {
			return err
		}
	}
	var agency AgencyID
	if err := db.QueryRow(ctx, sqlSetStaffRole, id, role).Scan(&agency); err != nil {
		if errors.Is(err, pgx.ErrNoRows) {
			return fmt.Errorf("set role of staff %d: %w", id, ErrNotFound)
		}
		return fmt.Errorf("set role of staff %d: %w", id, err)
	}
	return e.appendEvent(ctx, db, newEvent{kind: EventStaffRoleChanged, agency: agency, actor: by,
		data: eventData("staff_id", int64(id), "role", string(role))})
}

const sqlSetStaffDetails = `
UPDATE staff SET name = $2, slack_user_id = coalesce(nullif($3, ''), slack_user_id)
WHERE id = $1 AND deleted_at IS NULL RETURNING agency_id`

// setStaffDetails changes a current member of staff's name and, when
// slackUser is not "", the Slack user they are, inside the caller's
// transaction, recorded in the agency's audit chain (which names neither).
func (e *Engine) setStaffDetails(ctx context.Context, db DB, id StaffID, name, slackUser string, by Actor) error {
	if err := mayManageStaff(by); err != nil {
		return err
	}
	name = CleanLine(name) // one line in every page, email and card
	if err := validate(struct {
		Name      string `validate:"required,max=200" label:"name"`
		SlackUser string `validate:"max=32" label:"Slack user id"`
	}{name, slackUser}); err != nil {
		return err
	}
	var agency AgencyID
	if err := db.QueryRow(ctx, sqlSetStaffDetails, id, name, slackUser).Scan(&agency); err != nil {
		if errors.Is(err, pgx.ErrNoRows) {
			return fmt.Errorf("change staff %d: %w", id, ErrNotFound)
		}
		return fmt.Errorf("change staff %d: %w", id, err)
	}
	return e.appendEvent(ctx, db, newEvent{kind: EventStaffChanged, agency: agency, actor: by,
		data: eventData("staff_id", int64(id))})
}

const sqlReactivateStaff = `
UPDATE staff SET deleted_at = NULL, agency_id = $2 WHERE id = $1 AND deleted_at IS NOT NULL`

const sqlMoveStaff = `
UPDATE staff SET agency_id = $2 WHERE id = $1 AND deleted_at IS NULL`

// ReactivateStaff gives a deactivated member of staff access again, at
// their old agency (to 0) or another one, with the role they had: their
// email address stays theirs after deactivation, so this, not adding them
// again, is how someone comes back or joins another partner agency.
// Recorded in the agency's audit chain, as deactivation is.
func (e *Engine) ReactivateStaff(ctx context.Context, email string, to AgencyID, by Actor) (StaffRecord, error) {
	return e.restaff(ctx, email, to, by, true)
}

// MoveStaff moves a current member of staff to another agency: from their
// next request they see and act on that agency's referrals, and no longer
// on their old agency's. Recorded in the new agency's audit chain.
func (e *Engine) MoveStaff(ctx context.Context, email string, to AgencyID, by Actor) (StaffRecord, error) {
	return e.restaff(ctx, email, to, by, false)
}

// restaff is ReactivateStaff (reactivate) and MoveStaff: it returns the
// member of staff as they were before.
func (e *Engine) restaff(ctx context.Context, email string, to AgencyID, by Actor, reactivate bool) (StaffRecord, error) {
	if err := mayManageStaff(by); err != nil {
		return StaffRecord{}, err
	}
	var was StaffRecord
	err := inTx(ctx, e.pool, func(tx pgx.Tx) error {
		var err error
		if was, err = staffRecordByEmail(ctx, tx, email); err != nil {
			return err
		}
		switch {
		case reactivate && was.DeactivatedAt == nil:
			return &ValidationError{Fields: []FieldError{{Field: "email", Message: fmt.Sprintf(
				"%s is a current member of staff of %s, not deactivated: `onward staff move %s --agency SLUG` moves them to another agency", was.Email, was.AgencyName, was.Email)}}}
		case !reactivate && was.DeactivatedAt != nil:
			return &ValidationError{Fields: []FieldError{{Field: "email", Message: fmt.Sprintf(
				"%s was deactivated: `onward staff reactivate %s --agency SLUG` gives them access again at an agency", was.Email, was.Email)}}}
		case !reactivate && (to == 0 || to == was.AgencyID):
			return &ValidationError{Fields: []FieldError{{Field: "agency", Message: fmt.Sprintf(
				"%s is already a member of staff of %s: name the agency to move them to", was.Email, was.AgencyName)}}}
		}
		if to == 0 {
			to = was.AgencyID
		}
		a, err := getAgency(ctx, tx, "id = $1", to)
		if err != nil {
			return fmt.Errorf("agency %d: %w", to, err)
		}
		if a.RetiredAt != nil {
			return &ValidationError{Fields: []FieldError{{Field: "agency", Message: fmt.Sprintf(
				"%s has left the network (retired on %s): choose another agency", a.Name, a.RetiredAt.UTC().Format("2 Jan 2006"))}}}
		}
		sql, kind := sqlMoveStaff, EventStaffMoved
		if reactivate {
			sql, kind = sqlReactivateStaff, EventStaffReactivated
		}
		if _, err := tx.Exec(ctx, sql, was.ID, to); err != nil {
			return fmt.Errorf("%s staff %d: %w", kind, was.ID, err)
		}
		return e.appendEvent(ctx, tx, newEvent{kind: kind, agency: to, actor: by,
			data: eventData("staff_id", int64(was.ID), "from_agency_id", int64(was.AgencyID))})
	})
	return was, err
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
