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
// coordinator to refer each client on to another agency (redirect) or
// cancel them. A coordinator can bring it back (UnretireAgency); its
// staff stay deactivated. This file holds those rules and what the
// confirmation page says retiring will do.

// Retirement is what retiring an agency will do, for the page that asks a
// coordinator to confirm it.
type Retirement struct {
	Agency Agency
	// Waiting are referrals it has not accepted: turned back to whoever
	// made them (a client's own goes back to triage).
	Waiting int
	// Kept are referrals it accepted, is working on or has on its waiting
	// list: they stay with it, and a coordinator must redirect each one
	// to another agency or cancel it, as its staff can no longer act.
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

// sqlLeftWithAgencyWhere finds the agency whose retirement ended the
// access of the member of staff matched by the condition that follows.
const sqlLeftWithAgencyWhere = `
SELECT a.id FROM staff s JOIN agencies a ON a.id = s.agency_id
WHERE a.retired_at IS NOT NULL AND s.deleted_at = a.retired_at AND `

const (
	sqlLeftWithAgency        = sqlLeftWithAgencyWhere + `s.id = $1`
	sqlLeftWithAgencyOnSlack = sqlLeftWithAgencyWhere + `s.slack_user_id = $1 ORDER BY s.deleted_at DESC LIMIT 1`
)

// LeftWithAgency returns the agency a former member of staff lost their
// access with, when it was its retirement that ended it; ErrNotFound for
// anyone else (current staff, or staff deactivated on their own). A sign-in
// page uses it to say why they can no longer sign in.
func (e *Engine) LeftWithAgency(ctx context.Context, staff StaffID) (Agency, error) {
	return e.leftWithAgency(ctx, sqlLeftWithAgency, staff, fmt.Sprintf("agency staff %d", staff))
}

// LeftWithAgencyOnSlack is LeftWithAgency for the member of staff linked
// to a Slack user: a former adviser pressing a button on their agency's
// card is told why nothing happens, not that they were never registered.
func (e *Engine) LeftWithAgencyOnSlack(ctx context.Context, slackUserID string) (Agency, error) {
	return e.leftWithAgency(ctx, sqlLeftWithAgencyOnSlack, slackUserID, "the Slack user's staff")
}

func (e *Engine) leftWithAgency(ctx context.Context, sql string, arg any, who string) (Agency, error) {
	var id AgencyID
	if err := e.pool.QueryRow(ctx, sql, arg).Scan(&id); err != nil {
		if errors.Is(err, pgx.ErrNoRows) {
			return Agency{}, fmt.Errorf("%s left with: %w", who, ErrNotFound)
		}
		return Agency{}, fmt.Errorf("%s left with: %w", who, err)
	}
	return e.Agency(ctx, id)
}

// AgencyInNetwork returns the agency when it is still in the network; one
// that has left it (RetiredAt), or does not exist, is refused as a
// ValidationError on field, saying when it left. Registering a partner
// system for an agency asks it (AddPartner).
func (e *Engine) AgencyInNetwork(ctx context.Context, id AgencyID, field string) (Agency, error) {
	return e.agencyInNetwork(ctx, e.pool, id, field)
}

// agencyInNetwork is AgencyInNetwork reading through db: a caller's
// transaction may have just made the agency (AddStaff).
func (e *Engine) agencyInNetwork(ctx context.Context, db DB, id AgencyID, field string) (Agency, error) {
	a, err := getAgency(ctx, db, "id = $1", id)
	if errors.Is(err, ErrNotFound) {
		return Agency{}, &ValidationError{Fields: []FieldError{{Field: field, Message: "that agency does not exist"}}}
	}
	if err != nil {
		return Agency{}, fmt.Errorf("agency %d: %w", id, err)
	}
	cal, err := e.calendarIn(ctx, db)
	if err != nil {
		return Agency{}, err
	}
	if err := a.refuseRetired(field, cal.Location); err != nil {
		return Agency{}, err
	}
	return a, nil
}

// MayActHeldBy is Actor.MayAct for a referral whose holding agency the
// caller has read (holder): while that agency has left the network, a
// coordinator may also move on the referrals its staff can no longer act
// on, redirecting each client to an agency still in the network
// (actionDef.onRetired), the rule Act enforces. A page showing such a
// referral asks it, so it offers what Act would take and nothing else.
func (a Actor) MayActHeldBy(r Referral, holder Agency, act Action) bool {
	return a.RefusalHeldBy(r, holder, act) == nil
}

// RefusalHeldBy is Actor.Refusal knowing the agency holding the referral
// (see MayActHeldBy): nil, or the *TransitionError or *ForbiddenError
// Act would refuse the action with.
func (a Actor) RefusalHeldBy(r Referral, holder Agency, act Action) error {
	left, err := r.checkAllowedHeld(act, r.heldByRetired(holder))
	if err != nil {
		return err
	}
	return checkActorHeld(r, TransitionRequest{Action: act, Actor: a}, left)
}

// WhyRequiredHeldBy reports whether taking act on r needs the actor's
// words on why because the agency holding it (holder, as read by the
// caller) has left the network (checkLeft): a page asks it to label its
// note as required rather than optional.
func (r Referral) WhyRequiredHeldBy(holder Agency, act Action) bool {
	left, err := r.checkAllowedHeld(act, r.heldByRetired(holder))
	return err == nil && left
}

// AllowedHeldBy is Referral.Allowed knowing the agency holding it
// (holder, as read by the caller): the action may be taken on the
// referral as it stands, whoever asks, counting what becomes possible
// once the holder has left the network (actionDef.onRetired). A Slack
// card, seen by everyone in its channel, asks it to show only the
// buttons that can work; who may press one is Act's question
// (Engine.ActRefusal).
func (r Referral) AllowedHeldBy(holder Agency, act Action) bool {
	_, err := r.checkAllowedHeld(act, r.heldByRetired(holder))
	return err == nil
}

// heldByRetired reports whether holder is the agency holding r and has
// left the network.
func (r Referral) heldByRetired(holder Agency) bool {
	return holder.RetiredAt != nil && r.ToAgencyID != nil && *r.ToAgencyID == holder.ID
}

// ActRefusal is RefusalHeldBy reading the holding agency itself, when it
// matters, for a channel that holds only the referral (a Slack button):
// nil when by may take act on r as it stands, the *TransitionError or
// *ForbiddenError Act would answer, or an error reading the agency.
func (e *Engine) ActRefusal(ctx context.Context, r Referral, by Actor, act Action) error {
	retired, err := holderRetired(ctx, e.pool, r, act)
	if err != nil {
		return err
	}
	left, err := r.checkAllowedHeld(act, retired)
	if err != nil {
		return err
	}
	return checkActorHeld(r, TransitionRequest{Action: act, Actor: by}, left)
}

// Unretirement is what bringing a retired agency back will do, for the
// page that asks a coordinator to confirm it.
type Unretirement struct {
	Agency Agency
	// Services are the services it offered when it retired: they return
	// to the directory and matching.
	Services int
	// Staff are the members of staff whose access ended when it retired:
	// they stay deactivated.
	Staff int
}

const sqlUnretirement = `
SELECT (SELECT count(*) FROM services WHERE agency_id = a.id AND NOT active AND updated_at = a.retired_at),
       (SELECT count(*) FROM staff WHERE agency_id = a.id AND deleted_at = a.retired_at)
FROM agencies a WHERE a.id = $1`

// UnretirementOf says what bringing the retired agency back would do now;
// an agency still in the network is refused as UnretireAgency refuses it.
// Only those who may bring it back (coordinators, admins) may ask.
func (e *Engine) UnretirementOf(ctx context.Context, id AgencyID, by Actor) (Unretirement, error) {
	if err := mayKeepDirectory(by); err != nil {
		return Unretirement{}, err
	}
	a, err := e.Agency(ctx, id)
	if err != nil {
		return Unretirement{}, err
	}
	if err := refuseNotRetired(a); err != nil {
		return Unretirement{}, err
	}
	out := Unretirement{Agency: a}
	if err := e.pool.QueryRow(ctx, sqlUnretirement, id).Scan(&out.Services, &out.Staff); err != nil {
		return Unretirement{}, fmt.Errorf("what bringing back agency %d does: %w", id, err)
	}
	return out, nil
}

// refuseNotRetired refuses to bring back an agency that is in the network.
func refuseNotRetired(a Agency) error {
	if a.RetiredAt != nil {
		return nil
	}
	return &ValidationError{Fields: []FieldError{{Field: "agency", Message: fmt.Sprintf(
		"%s has not retired: it is in the network already, so there is nothing to bring back", a.Name)}}}
}

const sqlUnretireAgency = `UPDATE agencies SET retired_at = NULL, updated_at = $2 WHERE id = $1`

// sqlReviveServices brings back the services retirement took out: those
// it stamped, inactive, with the moment the agency retired (RetireAgency
// stamps only the ones it closes). A service closed before stays closed.
const sqlReviveServices = `
UPDATE services SET active = true, updated_at = $3 WHERE agency_id = $1 AND NOT active AND updated_at = $2`

// UnretireAgency brings a retired agency back into the network, for a
// coordinator or admin: referrals can be sent to it again, and the
// services it offered when it retired return to the directory and
// matching. Its staff stay deactivated, as they were when it retired:
// each is invited again (or reactivated) as anyone is, so nobody regains
// access unasked. The cards of the referrals it kept return to what
// they showed before it retired (queueHolderCards). It is audited in the
// agency's chain, as retirement is.
// An agency still in the network is refused, saying so, and so is one
// whose name another agency in the network has taken since.
func (e *Engine) UnretireAgency(ctx context.Context, id AgencyID, by Actor) error {
	if err := mayKeepDirectory(by); err != nil {
		return err
	}
	err := inTx(ctx, e.pool, func(tx pgx.Tx) error {
		rows, _ := tx.Query(ctx, sqlAgencyForUpdate, id)
		a, err := collectAgency(rows)
		if err != nil {
			return fmt.Errorf("bring back agency %d: %w", id, err)
		}
		if err := refuseNotRetired(a); err != nil {
			return err
		}
		rows, _ = tx.Query(ctx, sqlAgencyNamed, a.Name, a.ID)
		other, err := collectAgency(rows)
		switch {
		case err == nil:
			return &ValidationError{Fields: []FieldError{{Field: "agency", Message: fmt.Sprintf(
				"%s cannot come back under its name: %s (short name %s) is in the network with the same name, and the directory would list two alike",
				a.Name, other.Name, other.Slug)}}}
		case !errors.Is(err, ErrNotFound):
			return fmt.Errorf("agencies named like agency %d: %w", id, err)
		}
		now := e.clock.Now()
		if _, err := tx.Exec(ctx, sqlUnretireAgency, id, now); err != nil {
			return fmt.Errorf("bring back agency %d: %w", id, err)
		}
		tag, err := tx.Exec(ctx, sqlReviveServices, id, *a.RetiredAt, now)
		if err != nil {
			return fmt.Errorf("bring back the services of agency %d: %w", id, err)
		}
		if err := e.appendEvent(ctx, tx, newEvent{kind: EventAgencyUnretired, agency: id, actor: by,
			data: eventData("retired_at", a.RetiredAt.UTC().Format(time.RFC3339), "services", tag.RowsAffected())}); err != nil {
			return err
		}
		_, err = e.queueHolderCards(ctx, tx, id, "back", now)
		return err
	})
	if err != nil {
		return err
	}
	e.forgetCache()
	e.wakeWorkers()
	return nil
}
