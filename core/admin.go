package core

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"strings"

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
// inbox). The change is an event in the agency's audit chain. Taking an
// agency off Slack when nobody there would then be told of a new referral
// is refused (keepHearing).
func (e *Engine) SetSlackChannel(ctx context.Context, agency AgencyID, channel string, by Actor) error {
	return inTx(ctx, e.pool, func(tx pgx.Tx) error {
		return e.keepHearing(ctx, tx, agency, "Slack channel id", "taking it off Slack", func() error {
			return e.setSlackChannel(ctx, tx, agency, channel, by)
		})
	})
}

// setSlackChannel is SetSlackChannel inside the caller's transaction.
func (e *Engine) setSlackChannel(ctx context.Context, db DB, agency AgencyID, channel string, by Actor) error {
	if err := checkSlackChannel(channel); err != nil {
		return err
	}
	var id AgencyID
	if err := db.QueryRow(ctx, sqlSetChannel, agency, channel, e.clock.Now()).Scan(&id); err != nil {
		if errors.Is(err, pgx.ErrNoRows) {
			return fmt.Errorf("set Slack channel of agency %d: %w", agency, ErrNotFound)
		}
		return fmt.Errorf("set Slack channel of agency %d: %w", agency, err)
	}
	return e.appendEvent(ctx, db, newEvent{kind: EventChannelChanged, agency: agency, actor: by,
		data: eventData("slack_channel_id", channel)})
}

// checkSlackChannel refuses what is not a Slack channel id ("" is none).
func checkSlackChannel(channel string) error {
	if channel != "" && !slackChannelRe.MatchString(channel) {
		return &ValidationError{Fields: []FieldError{{Field: "Slack channel id",
			Message: "Slack channel id must look like C0123ABCD (open the channel's details in Slack; the id is at the bottom)"}}}
	}
	return nil
}

// RegisterStaff adds a member of staff and records it in the agency's
// audit chain, in one transaction.
func (e *Engine) RegisterStaff(ctx context.Context, s NewStaff, by Actor) (StaffID, error) {
	var id StaffID
	err := inTx(ctx, e.pool, func(tx pgx.Tx) error {
		var err error
		id, err = e.registerStaff(ctx, tx, s, by)
		return err
	})
	return id, err
}

// registerStaff is RegisterStaff inside the caller's transaction.
func (e *Engine) registerStaff(ctx context.Context, db DB, s NewStaff, by Actor) (StaffID, error) {
	id, err := e.AddStaff(ctx, db, s)
	if err != nil {
		return 0, err
	}
	return id, e.appendEvent(ctx, db, newEvent{kind: EventStaffAdded, agency: s.AgencyID, actor: by,
		data: eventData("staff_id", int64(id), "role", string(s.Role))})
}

// mayKeepDirectory refuses directory changes by staff who do not
// coordinate; the system and the command line may make them.
func mayKeepDirectory(by Actor) error {
	if by.Kind == ActorStaff && !by.Coordinates() {
		return &ForbiddenError{Why: "only coordinators can change the directory"}
	}
	return nil
}

const sqlUpdateService = `
UPDATE services SET name = $2, description = $3, needs = $4, eligibility = $5, postcode_districts = $6,
    council_areas = $7, languages = coalesce($8::text[], '{en}'), opening_hours = $9, updated_at = $10::timestamptz,
    schedules = $12, agency_edited_at = CASE WHEN $13::boolean THEN $10::timestamptz END
WHERE id = $1 AND agency_id = $11 RETURNING id`

// UpdateService changes a directory entry: what it offers, to whom, where
// and when. Coordinators and admins keep the directory, and each agency's
// staff keep their own agency's entries: those changes go live at once
// and are flagged for the coordinators until one of them saves the
// service. The change is an event in the agency's audit chain, and
// matching uses it at once.
func (e *Engine) UpdateService(ctx context.Context, id ServiceID, s NewService, by Actor) error {
	return inTx(ctx, e.pool, func(tx pgx.Tx) error { return e.updateService(ctx, tx, id, s, by) })
}

// updateService is UpdateService inside the caller's transaction.
func (e *Engine) updateService(ctx context.Context, db DB, id ServiceID, s NewService, by Actor) error {
	own := by.Kind == ActorStaff && !by.Coordinates() && by.AgencyID == s.AgencyID
	if err := mayKeepDirectory(by); err != nil && !own {
		return err
	}
	c, err := checkService(s)
	if err != nil {
		return err
	}
	if err := checkServiceDistricts(ctx, db, c.districts); err != nil {
		return err
	}
	var got ServiceID
	err = db.QueryRow(ctx, sqlUpdateService, id, s.Name, s.Description, NeedStrings(s.Needs), s.Eligibility,
		c.districts, c.councils, c.langs, s.OpeningHours, e.clock.Now(), s.AgencyID, ParseOpeningHours(s.OpeningHours), own).Scan(&got)
	if errors.Is(err, pgx.ErrNoRows) {
		return fmt.Errorf("update service %d: %w", id, ErrNotFound)
	}
	if err != nil {
		return fmt.Errorf("update service %d: %w", id, err)
	}
	return e.appendEvent(ctx, db, newEvent{kind: EventServiceChanged, agency: s.AgencyID, actor: by,
		data: eventData("service_id", int64(id), "name", s.Name, "by_agency", own)})
}

// AgencyDetails is what the directory says about an agency and how it
// takes referrals.
type AgencyDetails struct {
	Name                 string `validate:"required,max=200" label:"name"`
	Description          string `validate:"max=2000" label:"description"`
	Phone                string `validate:"omitempty,max=40,contactphone" label:"phone"`
	Email                string `validate:"omitempty,email,max=320" label:"email"`
	Website              string `validate:"omitempty,url,max=500" label:"website"`
	Address              string `validate:"max=500" label:"address"`
	AckTargetHours       int    `validate:"min=1,max=400" label:"acknowledgement target"`
	AcceptsSelfReferrals bool
}

// check is every rule AgencyDetails keeps, for an agency whose stored
// description is had: its tags, and a description (descriptionRequired)
// unless the agency never had one. Agencies added before descriptions
// were required can still be edited without one; a description once
// given cannot be taken away, and new agencies (NewAgency.check) and
// every agency in the network file must have one.
func (d AgencyDetails) check(had string) error {
	verr := validate(d)
	if strings.TrimSpace(d.Description) == "" && strings.TrimSpace(had) != "" {
		verr = mergeValidation(verr, &ValidationError{Fields: []FieldError{{Field: "description", Message: descriptionRequired}}})
	}
	return verr
}

const sqlUpdateAgency = `
UPDATE agencies SET name = $2, description = $3, phone = $4, email = $5, website = $6, address = $7,
    ack_target_hours = $8, accepts_self_referrals = $9, updated_at = $10
WHERE id = $1 RETURNING id`

// UpdateAgencyDetails changes an agency's directory details, its
// acknowledgement target (in working hours) and whether clients may refer
// themselves to it. Coordinators and admins keep the directory; the change
// is an event in the agency's audit chain. A name another agency in the
// network has is refused: the directory would list two alike.
func (e *Engine) UpdateAgencyDetails(ctx context.Context, id AgencyID, d AgencyDetails, by Actor) error {
	return inTx(ctx, e.pool, func(tx pgx.Tx) error { return e.updateAgencyDetails(ctx, tx, id, d, by) })
}

// updateAgencyDetails is UpdateAgencyDetails inside the caller's
// transaction.
func (e *Engine) updateAgencyDetails(ctx context.Context, db DB, id AgencyID, d AgencyDetails, by Actor) error {
	if err := mayKeepDirectory(by); err != nil {
		return err
	}
	cur, err := getAgency(ctx, db, "id = $1", id)
	if err != nil {
		return fmt.Errorf("update agency %d: %w", id, err)
	}
	if err := d.check(cur.Description); err != nil {
		return err
	}
	if err := refuseNameTaken(ctx, db, d.Name, id); err != nil {
		return err
	}
	var got AgencyID
	err = db.QueryRow(ctx, sqlUpdateAgency, id, d.Name, d.Description, d.Phone, d.Email, d.Website, d.Address,
		d.AckTargetHours, d.AcceptsSelfReferrals, e.clock.Now()).Scan(&got)
	if errors.Is(err, pgx.ErrNoRows) {
		return fmt.Errorf("update agency %d: %w", id, ErrNotFound)
	}
	if err != nil {
		return fmt.Errorf("update agency %d: %w", id, err)
	}
	return e.appendEvent(ctx, db, newEvent{kind: EventAgencyChanged, agency: id, actor: by,
		data: eventData("name", d.Name, "ack_target_hours", d.AckTargetHours, "accepts_self_referrals", d.AcceptsSelfReferrals)})
}
