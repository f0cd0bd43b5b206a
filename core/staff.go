package core

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
)

// Role is what a member of staff may do across the network.
type Role string

// Staff roles. Advisers act on their own agency's referrals; coordinators
// and admins triage and act network-wide.
const (
	RoleAdviser     Role = "adviser"
	RoleCoordinator Role = "coordinator"
	RoleAdmin       Role = "admin"
)

// Staff is a member of an agency's staff.
type Staff struct {
	ID          StaffID   `db:"id"`
	AgencyID    AgencyID  `db:"agency_id"`
	AgencyName  string    `db:"agency_name"`
	Name        string    `db:"name"`
	Role        Role      `db:"role"`
	Email       string    `db:"email"`
	SlackUserID *string   `db:"slack_user_id"`
	CreatedAt   time.Time `db:"created_at"`
}

// Actor is whoever causes a change: a member of staff, the client (by text
// or web form) or Onward itself (timers, consent withdrawal).
type Actor struct {
	Kind     ActorKind
	StaffID  StaffID
	AgencyID AgencyID
	Role     Role
	Name     string
	// PartnerID is set when a partner system acts (Kind ActorPartner).
	PartnerID PartnerID
}

// ActorKind says what kind of actor caused an event.
type ActorKind string

// Actor kinds, as stored in the event log.
const (
	ActorStaff  ActorKind = "staff"
	ActorClient ActorKind = "client"
	ActorSystem ActorKind = "system"
)

// SystemActor is Onward acting on its own.
var SystemActor = Actor{Kind: ActorSystem, Name: "Onward"}

// ClientActor is the client acting by text or web form.
var ClientActor = Actor{Kind: ActorClient, Name: "the client"}

// Actor returns the staff member as an actor.
func (s Staff) Actor() Actor {
	return Actor{Kind: ActorStaff, StaffID: s.ID, AgencyID: s.AgencyID, Role: s.Role, Name: s.Name}
}

// Coordinates reports whether the actor acts network-wide.
func (a Actor) Coordinates() bool {
	return a.actsForAgency() && (a.Role == RoleCoordinator || a.Role == RoleAdmin)
}

func (a Actor) staffID() *StaffID {
	if a.Kind != ActorStaff || a.StaffID == 0 {
		return nil
	}
	id := a.StaffID
	return &id
}

const sqlSelectStaff = `
SELECT s.id, s.agency_id, a.name AS agency_name, s.name, s.role, s.email, s.slack_user_id, s.created_at
FROM staff s JOIN agencies a ON a.id = s.agency_id
WHERE s.deleted_at IS NULL AND `

func (e *Engine) staffWhere(ctx context.Context, where string, arg any) (Staff, error) {
	rows, _ := e.pool.Query(ctx, sqlSelectStaff+where, arg)
	s, err := pgx.CollectExactlyOneRow(rows, pgx.RowToStructByName[Staff])
	if errors.Is(err, pgx.ErrNoRows) {
		return Staff{}, ErrNotFound
	}
	return s, err
}

// StaffByID returns a current member of staff.
func (e *Engine) StaffByID(ctx context.Context, id StaffID) (Staff, error) {
	s, err := e.staffWhere(ctx, "s.id = $1", id)
	if err != nil {
		return Staff{}, fmt.Errorf("staff %d: %w", id, err)
	}
	return s, nil
}

// StaffByEmail returns a current member of staff by email, any case.
func (e *Engine) StaffByEmail(ctx context.Context, email string) (Staff, error) {
	s, err := e.staffWhere(ctx, "lower(s.email) = lower($1)", strings.TrimSpace(email))
	if err != nil {
		return Staff{}, fmt.Errorf("staff by email: %w", err)
	}
	return s, nil
}

// StaffBySlackUser returns the member of staff linked to a Slack user id.
func (e *Engine) StaffBySlackUser(ctx context.Context, slackUserID string) (Staff, error) {
	s, err := e.staffWhere(ctx, "s.slack_user_id = $1", slackUserID)
	if err != nil {
		return Staff{}, fmt.Errorf("staff by Slack user: %w", err)
	}
	return s, nil
}

// ErrSlackLinkedElsewhere means a member of staff is already linked to
// another Slack account: the email a second Slack account shows does not
// move the link (anyone who can set an email on a Slack account Onward
// sees would become that member of staff). UnlinkSlackUser frees it.
var ErrSlackLinkedElsewhere = errors.New("this member of staff is already linked to another Slack account")

const (
	sqlLinkSlackUser = `
UPDATE staff SET slack_user_id = $2 WHERE id = $1 AND deleted_at IS NULL AND slack_user_id IS NULL RETURNING agency_id`
	sqlSlackUserOf     = `SELECT slack_user_id FROM staff WHERE id = $1 AND deleted_at IS NULL`
	sqlUnlinkSlackUser = `
UPDATE staff SET slack_user_id = NULL WHERE id = $1 AND deleted_at IS NULL RETURNING agency_id`
)

// LinkSlackUser records which Slack user a member of staff is, found by the
// email Slack reports for them on first use, in their agency's audit
// chain (as a change of their details, by them). A member of staff
// already linked to another Slack user is not moved
// (ErrSlackLinkedElsewhere).
func (e *Engine) LinkSlackUser(ctx context.Context, s Staff, slackUserID string) error {
	return inTx(ctx, e.pool, func(tx pgx.Tx) error {
		var agency AgencyID
		err := tx.QueryRow(ctx, sqlLinkSlackUser, s.ID, slackUserID).Scan(&agency)
		if errors.Is(err, pgx.ErrNoRows) {
			var have *string
			if err := tx.QueryRow(ctx, sqlSlackUserOf, s.ID).Scan(&have); errors.Is(err, pgx.ErrNoRows) {
				return fmt.Errorf("link Slack user to staff %d: %w", s.ID, ErrNotFound)
			} else if err != nil {
				return fmt.Errorf("link Slack user to staff %d: %w", s.ID, err)
			}
			if have != nil && *have == slackUserID {
				return nil
			}
			return fmt.Errorf("link Slack user to staff %d: %w", s.ID, ErrSlackLinkedElsewhere)
		}
		if err != nil {
			return fmt.Errorf("link Slack user to staff %d: %w", s.ID, err)
		}
		return e.appendEvent(ctx, tx, newEvent{kind: EventStaffChanged, agency: agency, actor: s.Actor(),
			data: eventData("staff_id", int64(s.ID), "slack", "linked")})
	})
}

// UnlinkSlackUser forgets which Slack user a member of staff is (they
// changed Slack accounts), so the next Slack user showing their email
// is linked; recorded in their agency's audit chain.
func (e *Engine) UnlinkSlackUser(ctx context.Context, id StaffID, by Actor) error {
	if err := mayManageStaff(by); err != nil {
		return err
	}
	return inTx(ctx, e.pool, func(tx pgx.Tx) error {
		var agency AgencyID
		if err := tx.QueryRow(ctx, sqlUnlinkSlackUser, id).Scan(&agency); err != nil {
			if errors.Is(err, pgx.ErrNoRows) {
				return fmt.Errorf("unlink Slack user of staff %d: %w", id, ErrNotFound)
			}
			return fmt.Errorf("unlink Slack user of staff %d: %w", id, err)
		}
		return e.appendEvent(ctx, tx, newEvent{kind: EventStaffChanged, agency: agency, actor: by,
			data: eventData("staff_id", int64(id), "slack", "unlinked")})
	})
}

// NewStaff is a member of staff to add.
type NewStaff struct {
	AgencyID    AgencyID `validate:"required" label:"agency"`
	Name        string   `validate:"required,max=200" label:"name"`
	Role        Role     `validate:"required,oneof=adviser coordinator admin" label:"role"`
	Email       string   `validate:"required,email,max=320" label:"email"`
	SlackUserID string   `validate:"max=32" label:"Slack user id"`
}

const sqlInsertStaff = `
INSERT INTO staff (agency_id, name, role, email, slack_user_id, created_at)
VALUES ($1, $2, $3, $4, nullif($5, ''), $6) RETURNING id`

// AddStaff adds a member of staff. An email address already in use is
// refused, saying whether a current member of staff has it or one who was
// deactivated (their address stays theirs: ReactivateStaff gives them
// access again, at the same or another agency). So is an agency that has
// left the network, as ReactivateStaff and MoveStaff refuse it: its staff
// lost their access when it retired, and a newcomer would see the clients
// of the referrals it kept.
func (e *Engine) AddStaff(ctx context.Context, db DB, s NewStaff) (StaffID, error) {
	s.Name = CleanLine(s.Name) // one line in every page, email and card
	if err := validate(s); err != nil {
		return 0, err
	}
	if _, err := e.agencyInNetwork(ctx, db, s.AgencyID, "agency"); err != nil {
		return 0, err
	}
	if err := refuseEmailTaken(ctx, db, s.Email); err != nil {
		return 0, err
	}
	var id StaffID
	if err := db.QueryRow(ctx, sqlInsertStaff, s.AgencyID, s.Name, s.Role, strings.TrimSpace(s.Email), s.SlackUserID, e.clock.Now()).Scan(&id); err != nil {
		if isUniqueViolation(err, "staff_email_idx") {
			return 0, &ValidationError{Fields: []FieldError{{Field: "email", Message: "a member of staff already uses that email address"}}}
		}
		return 0, fmt.Errorf("add staff: %w", err)
	}
	return id, nil
}

// StaffRecord is a member of staff as the staff table holds them, current
// or deactivated: their email address stays theirs either way.
type StaffRecord struct {
	Staff
	AgencySlug    string     `db:"agency_slug"`
	DeactivatedAt *time.Time `db:"deleted_at"`
}

const sqlSelectStaffRecord = `
SELECT s.id, s.agency_id, a.name AS agency_name, a.slug AS agency_slug, s.name, s.role, s.email, s.slack_user_id,
       s.created_at, s.deleted_at
FROM staff s JOIN agencies a ON a.id = s.agency_id
WHERE `

// StaffRecordByEmail returns the member of staff with an email address,
// any case, whether current or deactivated; ErrNotFound when nobody has
// it.
func (e *Engine) StaffRecordByEmail(ctx context.Context, email string) (StaffRecord, error) {
	return staffRecordByEmail(ctx, e.pool, email)
}

// StaffRecordByID returns a member of staff by id, whether current or
// deactivated; ErrNotFound when there is none.
func (e *Engine) StaffRecordByID(ctx context.Context, id StaffID) (StaffRecord, error) {
	s, err := staffRecordWhere(ctx, e.pool, "s.id = $1", id)
	if err != nil {
		return StaffRecord{}, fmt.Errorf("staff %d: %w", id, err)
	}
	return s, nil
}

func staffRecordByEmail(ctx context.Context, db DB, email string) (StaffRecord, error) {
	s, err := staffRecordWhere(ctx, db, "lower(s.email) = lower($1)", strings.TrimSpace(email))
	if err != nil {
		return StaffRecord{}, fmt.Errorf("staff by email: %w", err)
	}
	return s, nil
}

func staffRecordWhere(ctx context.Context, db DB, where string, arg any) (StaffRecord, error) {
	rows, _ := db.Query(ctx, sqlSelectStaffRecord+where, arg)
	s, err := pgx.CollectExactlyOneRow(rows, pgx.RowToStructByName[StaffRecord])
	if errors.Is(err, pgx.ErrNoRows) {
		return StaffRecord{}, ErrNotFound
	}
	return s, err
}

// refuseEmailTaken refuses an email address somebody on the staff table
// already has, in words that say who: a deactivated person's address
// cannot be given to a new record, and whoever adds them must know to
// reactivate them instead.
func refuseEmailTaken(ctx context.Context, db DB, email string) error {
	r, err := staffRecordByEmail(ctx, db, email)
	if errors.Is(err, ErrNotFound) {
		return nil
	}
	if err != nil {
		return err
	}
	if r.DeactivatedAt != nil {
		return &ValidationError{Fields: []FieldError{{Field: "email", Message: fmt.Sprintf(
			"%s belongs to %s, who was a member of staff of %s and was deactivated on %s: `onward staff reactivate %s --agency SLUG` gives them access again, at any agency",
			r.Email, r.Name, r.AgencyName, r.DeactivatedAt.UTC().Format("2 Jan 2006"), r.Email)}}}
	}
	return &ValidationError{Fields: []FieldError{{Field: "email", Message: fmt.Sprintf(
		"a member of staff already uses that email address: %s, of %s", r.Name, r.AgencyName)}}}
}

const sqlListStaff = sqlSelectStaff + `($1::bigint = 0 OR s.agency_id = $1) ORDER BY a.name, s.name`

// ListStaff lists current staff, of one agency or (agency 0) all.
func (e *Engine) ListStaff(ctx context.Context, agency AgencyID) ([]Staff, error) {
	rows, _ := e.pool.Query(ctx, sqlListStaff, agency)
	s, err := pgx.CollectRows(rows, pgx.RowToStructByName[Staff])
	if err != nil {
		return nil, fmt.Errorf("list staff: %w", err)
	}
	return s, nil
}
