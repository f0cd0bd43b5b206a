package core

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"time"

	"github.com/jackc/pgx/v5"
)

// Directory events beside EventServiceChanged and EventAgencyChanged.
const (
	EventAgencyAdded   EventKind = "agency.added"
	EventAgencyRetired EventKind = "agency.retired"
	// EventAgencyUnretired is a retired agency brought back into the
	// network (UnretireAgency).
	EventAgencyUnretired EventKind = "agency.unretired"
	EventServiceAdded    EventKind = "directory.service-added"
)

// slugRe is an agency's short name, as the agencies table allows it.
var slugRe = regexp.MustCompile(`^[a-z0-9-]+$`)

// CreateAgency adds an agency to the network from the staff web, with its
// first directory service when one is given, in one transaction recorded
// in the new agency's audit chain. Only coordinators and admins may.
func (e *Engine) CreateAgency(ctx context.Context, a NewAgency, first *NewService, by Actor) (AgencyID, error) {
	if err := mayKeepDirectory(by); err != nil {
		return 0, err
	}
	verr := a.check()
	if first != nil {
		first.AgencyID = -1 // filled in below; present so validation passes
		_, serr := checkService(*first)
		verr = mergeValidation(verr, serr)
	}
	if verr != nil {
		return 0, verr
	}
	var id AgencyID
	err := inTx(ctx, e.pool, func(tx pgx.Tx) error {
		var err error
		if id, err = e.createAgency(ctx, tx, a, by); err != nil {
			return err
		}
		if first != nil {
			first.AgencyID = id
			_, err = e.addDirectoryService(ctx, tx, *first, by)
		}
		return err
	})
	if err != nil {
		return 0, err
	}
	e.forgetCache()
	return id, nil
}

// createAgency adds an agency inside the caller's transaction, checked as
// CreateAgency checks it, and records it in its audit chain. A short name
// already used, or a name another agency of the network has, is refused:
// the directory would list two alike.
func (e *Engine) createAgency(ctx context.Context, tx pgx.Tx, a NewAgency, by Actor) (AgencyID, error) {
	if err := a.check(); err != nil {
		return 0, err
	}
	if err := refuseNameTaken(ctx, tx, a.Name, 0); err != nil {
		return 0, err
	}
	// A savepoint, so a short name already used is a plain answer and the
	// caller's transaction goes on (the network file's import names it).
	var id AgencyID
	err := pgx.BeginFunc(ctx, tx, func(sp pgx.Tx) error {
		var err error
		id, err = e.AddAgency(ctx, sp, a)
		return err
	})
	if isUniqueViolation(err, "agencies_slug_key") {
		return 0, &ValidationError{Fields: []FieldError{{Field: "short name", Message: "Another agency already uses that short name: choose another"}}}
	}
	if err != nil {
		return 0, err
	}
	return id, e.appendEvent(ctx, tx, newEvent{kind: EventAgencyAdded, agency: id, actor: by,
		data: eventData("slug", a.Slug, "name", a.Name)})
}

// AddDirectoryService adds a service to an agency's directory entry from
// the staff web: coordinators for any agency, an agency's own staff for
// theirs (flagged for the coordinators). Audited; matching uses it at once.
func (e *Engine) AddDirectoryService(ctx context.Context, s NewService, by Actor) (ServiceID, error) {
	var id ServiceID
	err := inTx(ctx, e.pool, func(tx pgx.Tx) error {
		var err error
		id, err = e.addDirectoryService(ctx, tx, s, by)
		return err
	})
	return id, err
}

// addDirectoryService is AddDirectoryService inside the caller's
// transaction.
func (e *Engine) addDirectoryService(ctx context.Context, db DB, s NewService, by Actor) (ServiceID, error) {
	own := by.Kind == ActorStaff && !by.Coordinates() && by.AgencyID == s.AgencyID
	if err := mayKeepDirectory(by); err != nil && !own {
		return 0, err
	}
	// An agency that has left the network takes no new services:
	// its old ones left the directory with it.
	a, err := getAgency(ctx, db, "id = $1", s.AgencyID)
	if err != nil {
		return 0, fmt.Errorf("agency %d: %w", s.AgencyID, err)
	}
	if a.RetiredAt != nil {
		return 0, &ValidationError{Fields: []FieldError{{Field: "agency", Message: fmt.Sprintf(
			"%s has left the network (retired on %s): a service cannot be added to it", a.Name, a.RetiredAt.UTC().Format("2 Jan 2006"))}}}
	}
	id, err := e.AddService(ctx, db, s)
	if err != nil {
		return 0, err
	}
	if own {
		if _, err := db.Exec(ctx, `UPDATE services SET agency_edited_at = $2 WHERE id = $1`, id, e.clock.Now()); err != nil {
			return 0, fmt.Errorf("flag service %d: %w", id, err)
		}
	}
	return id, e.appendEvent(ctx, db, newEvent{kind: EventServiceAdded, agency: s.AgencyID, actor: by,
		data: eventData("service_id", int64(id), "name", s.Name, "by_agency", own)})
}

const sqlRetireAgency = `
UPDATE agencies SET retired_at = $2, updated_at = $2 WHERE id = $1 AND retired_at IS NULL RETURNING id`

// RetireAgency takes an agency out of the network: its services leave the
// directory and matching, and no referral can be sent to it; its history
// stays. The referrals it had not yet accepted are turned back (see
// handBackWaiting); those it accepted stay with it, for a coordinator to
// redirect or cancel, as its staff lose their access with it
// (retireStaff), and their cards are shown again to say so
// (queueHolderCards). The coordinators hear of what they must now move
// on in one alert (queueRetiredAlert). UnretireAgency brings it back,
// with the services it took out, but not its staff. RetirementOf says
// beforehand what it will do.
func (e *Engine) RetireAgency(ctx context.Context, id AgencyID, by Actor) error {
	if err := mayKeepDirectory(by); err != nil {
		return err
	}
	if by.Kind == ActorStaff && by.AgencyID == id {
		return &ValidationError{Fields: []FieldError{{Field: "agency", Message: "You cannot retire your own agency; ask another coordinator"}}}
	}
	set, err := e.snapshot(ctx)
	if err != nil {
		return fmt.Errorf("retire agency %d: %w", id, err)
	}
	err = inTx(ctx, e.pool, func(tx pgx.Tx) error {
		now := e.clock.Now()
		var got AgencyID
		if err := tx.QueryRow(ctx, sqlRetireAgency, id, now).Scan(&got); err != nil {
			if errors.Is(err, pgx.ErrNoRows) {
				return fmt.Errorf("retire agency %d: %w", id, ErrNotFound)
			}
			return fmt.Errorf("retire agency %d: %w", id, err)
		}
		// Only the services it offered are stamped with the moment it
		// retired, so that bringing it back revives those and no service
		// that had closed before (UnretireAgency).
		if _, err := tx.Exec(ctx, `UPDATE services SET active = false, updated_at = $2 WHERE agency_id = $1 AND active`, id, now); err != nil {
			return fmt.Errorf("retire services of agency %d: %w", id, err)
		}
		if err := e.appendEvent(ctx, tx, newEvent{kind: EventAgencyRetired, agency: id, actor: by}); err != nil {
			return err
		}
		if err := e.retireStaff(ctx, tx, id, by, now); err != nil {
			return err
		}
		triaged, err := e.handBackWaiting(ctx, tx, id, by, set)
		if err != nil {
			return err
		}
		held, err := e.queueHolderCards(ctx, tx, id, "retired", now)
		if err != nil {
			return err
		}
		return e.queueRetiredAlert(ctx, tx, id, triaged, held, now)
	})
	if err == nil {
		e.wakeWorkers()
	}
	return err
}

// handBackWaiting turns back the referrals a retiring agency had not yet
// accepted, as a rejection saying it has left the network: the referrer
// sees it under "Referrals we sent" as needing attention, and a
// self-referral goes back to triage, as after any rejection. Referrals the
// agency already accepted stay with it to be finished. It returns the
// referrals that now wait in triage, which carry those clients on.
func (e *Engine) handBackWaiting(ctx context.Context, tx pgx.Tx, agency AgencyID, by Actor, set snapshot) ([]Referral, error) {
	rows, _ := tx.Query(ctx, `SELECT r.id, a.name FROM referrals r JOIN agencies a ON a.id = r.to_agency_id
WHERE r.to_agency_id = $1 AND r.status = 'requested' ORDER BY r.id`, agency)
	type waiting struct {
		ID   ReferralID
		Name string
	}
	ws, err := pgx.CollectRows(rows, pgx.RowToStructByPos[waiting])
	if err != nil {
		return nil, fmt.Errorf("referrals waiting for agency %d: %w", agency, err)
	}
	var triaged []Referral
	for _, w := range ws {
		res, err := e.transition(ctx, tx, TransitionRequest{Referral: w.ID, Action: ActionReject, Actor: by,
			Reason: ReasonOther, Feedback: w.Name + " has left the network and cannot take this referral on: please refer the client to another agency."}, set)
		if err != nil {
			return nil, fmt.Errorf("hand back referral %d from retiring agency %d: %w", w.ID, agency, err)
		}
		if res.Child != nil && res.Child.InTriage() {
			triaged = append(triaged, *res.Child)
		}
	}
	return triaged, nil
}

// AgencyEdits says which services their own agency changed since a
// coordinator last saved them, and when.
func (e *Engine) AgencyEdits(ctx context.Context) (map[ServiceID]time.Time, error) {
	rows, err := e.pool.Query(ctx, `SELECT id, agency_edited_at FROM services WHERE agency_edited_at IS NOT NULL`)
	if err != nil {
		return nil, fmt.Errorf("services changed by their agencies: %w", err)
	}
	out := map[ServiceID]time.Time{}
	var (
		id ServiceID
		at time.Time
	)
	_, err = pgx.ForEachRow(rows, []any{&id, &at}, func() error { out[id] = at; return nil })
	if err != nil {
		return nil, fmt.Errorf("services changed by their agencies: %w", err)
	}
	return out, nil
}
