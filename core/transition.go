package core

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
)

// Action is something done to a referral.
type Action string

// Actions on a referral.
const (
	ActionAccept   Action = "accept"
	ActionReject   Action = "reject"
	ActionHold     Action = "hold"     // put on the waiting list
	ActionResume   Action = "resume"   // take off the waiting list
	ActionContact  Action = "contact"  // the client has been contacted: in-progress
	ActionComplete Action = "complete" // help given
	ActionFail     Action = "fail"     // e.g. the client could not be reached
	ActionCancel   Action = "cancel"
	ActionRedirect Action = "redirect" // reject as redirected, and refer on to another agency
	ActionAssign   Action = "assign"   // a coordinator sends a triage referral to an agency
	ActionClaim    Action = "claim"    // a coordinator takes a triage referral on
)

// rule says where an action may start and where it leads. An empty to
// means the status does not change (assign, claim) or is the held-from
// status (resume).
type rule struct {
	from []Status
	to   Status
}

var rules = map[Action]rule{
	ActionAccept:   {from: []Status{StatusRequested}, to: StatusAccepted},
	ActionReject:   {from: []Status{StatusRequested}, to: StatusRejected},
	ActionHold:     {from: []Status{StatusRequested, StatusAccepted}, to: StatusOnHold},
	ActionResume:   {from: []Status{StatusOnHold}},
	ActionContact:  {from: []Status{StatusAccepted}, to: StatusInProgress},
	ActionComplete: {from: []Status{StatusInProgress}, to: StatusCompleted},
	ActionFail:     {from: []Status{StatusAccepted, StatusInProgress}, to: StatusFailed},
	ActionCancel:   {from: []Status{StatusRequested, StatusAccepted, StatusInProgress, StatusOnHold}, to: StatusCancelled},
	ActionRedirect: {from: []Status{StatusRequested}, to: StatusRejected},
	ActionAssign:   {from: []Status{StatusRequested}},
	ActionClaim:    {from: []Status{StatusRequested}},
}

// Actions lists every action.
var Actions = []Action{ActionAccept, ActionReject, ActionHold, ActionResume, ActionContact, ActionComplete,
	ActionFail, ActionCancel, ActionRedirect, ActionAssign, ActionClaim}

// triageActions are only for referrals waiting in triage; every other
// action except cancel needs a receiving agency first.
var triageActions = []Action{ActionAssign, ActionClaim, ActionCancel}

// Allowed reports whether the action may be taken on the referral in its
// current state (ignoring who asks). Cards and the inbox use it to show
// only the buttons that work.
func (r Referral) Allowed(a Action) bool {
	return r.checkAllowed(a) == nil
}

func (r Referral) checkAllowed(a Action) error {
	rl, ok := rules[a]
	if !ok {
		return fmt.Errorf("unknown action %q", a)
	}
	if !slices.Contains(rl.from, r.Status) {
		return &TransitionError{Action: a, Status: r.Status}
	}
	if r.InTriage() && !slices.Contains(triageActions, a) {
		return &TransitionError{Action: a, Status: r.Status, Why: "it is waiting in triage for a coordinator to choose an agency"}
	}
	if !r.InTriage() && (a == ActionAssign || a == ActionClaim) {
		return &TransitionError{Action: a, Status: r.Status, Why: "it is not waiting in triage"}
	}
	return nil
}

// TransitionRequest asks for one action on one referral.
type TransitionRequest struct {
	Referral        ReferralID
	Action          Action
	Actor           Actor
	ExpectedVersion int      // the version the actor saw; 0 = whatever is current
	Reason          Reason   // reject
	Feedback        string   // reject (required for not-eligible and inappropriate), cancel
	ToAgency        AgencyID // redirect, assign

	withdrawal bool // cancel because consent was withdrawn
}

// TransitionResult is the referral after the action and, for a redirect or
// a rejected self-referral, the new referral that carries the client on.
type TransitionResult struct {
	Referral Referral
	From     Status
	Child    *Referral
}

// Act applies an action to a referral in one transaction: permission
// check, optimistic version check, timestamps, event and outbox rows.
// Errors are typed: *ValidationError, *TransitionError, *ConflictError,
// *ForbiddenError, *ConsentScopeError, ErrNotFound.
func (e *Engine) Act(ctx context.Context, req TransitionRequest) (TransitionResult, error) {
	var res TransitionResult
	set, err := e.snapshot(ctx)
	if err != nil {
		return TransitionResult{}, fmt.Errorf("%s referral %d: %w", req.Action, req.Referral, err)
	}
	err = e.withRetry(ctx, func(tx pgx.Tx) error {
		var err error
		res, err = e.transition(ctx, tx, req, set)
		return err
	})
	var forbidden *ForbiddenError
	if errors.As(err, &forbidden) {
		// The refusal is audited outside the rolled-back transaction.
		if aerr := e.appendEvent(ctx, e.pool, newEvent{kind: EventAccessDenied, referral: req.Referral, actor: req.Actor,
			data: eventData("action", string(req.Action), "agency_id", req.Actor.AgencyID)}); aerr != nil {
			e.log.Warn("audit refused action", "referral", req.Referral, "err", aerr)
		}
	}
	if err != nil {
		return TransitionResult{}, fmt.Errorf("%s referral %d: %w", req.Action, req.Referral, err)
	}
	e.wakeWorkers()
	return res, nil
}

func (e *Engine) validateRequest(req TransitionRequest) error {
	var fields []FieldError
	switch req.Action {
	case ActionReject:
		if !slices.Contains(Reasons, req.Reason) {
			fields = append(fields, FieldError{Field: "reason", Message: "choose a reason for rejecting the referral"})
		} else if req.Reason.NeedsFeedback() && strings.TrimSpace(req.Feedback) == "" {
			fields = append(fields, FieldError{Field: "feedback", Message: fmt.Sprintf("say why, in words, when the reason is %q: the referrer needs it to find the right help", req.Reason.Label())})
		}
	case ActionRedirect, ActionAssign:
		if req.ToAgency == 0 {
			fields = append(fields, FieldError{Field: "agency", Message: "choose the agency to send the referral to"})
		}
	}
	if len(req.Feedback) > 2000 {
		fields = append(fields, FieldError{Field: "feedback", Message: "feedback must be at most 2000 characters"})
	}
	if len(fields) > 0 {
		return &ValidationError{Fields: fields}
	}
	return nil
}

func checkActor(r Referral, req TransitionRequest) error {
	a := req.Actor
	if a.Coordinates() {
		return nil
	}
	isTo := a.Kind == ActorStaff && r.ToAgencyID != nil && *r.ToAgencyID == a.AgencyID
	isFrom := a.Kind == ActorStaff && r.FromAgencyID != nil && *r.FromAgencyID == a.AgencyID
	switch req.Action {
	case ActionAssign, ActionClaim:
		return &ForbiddenError{Why: "only a coordinator can triage referrals"}
	case ActionCancel:
		if isTo || isFrom || a.Kind == ActorSystem || a.Kind == ActorClient {
			return nil
		}
	case ActionContact:
		if isTo || a.Kind == ActorClient {
			return nil
		}
	default:
		if isTo {
			return nil
		}
	}
	if a.Kind == ActorStaff {
		return &ForbiddenError{Why: "this referral was sent to another agency; only its staff or a coordinator can act on it"}
	}
	return &ForbiddenError{Why: fmt.Sprintf("%s cannot %s a referral", a.Name, req.Action)}
}

const sqlUpdateReferral = `
UPDATE referrals SET status = $3, held_from = $4, reason = $5, feedback = $6, to_agency_id = $7,
    triage_claimed_by = $8, triaged = $9, status_by = $10, status_at = $11, version = version + 1,
    acknowledged_at = $12, contacted_at = $13, closed_at = $14, assigned_at = $15, ack_due_at = $16
WHERE id = $1 AND version = $2
RETURNING ` + referralColumns

func (e *Engine) transition(ctx context.Context, tx pgx.Tx, req TransitionRequest, set snapshot) (TransitionResult, error) {
	if err := e.validateRequest(req); err != nil {
		return TransitionResult{}, err
	}
	r, err := getReferral(ctx, tx, "id = $1", req.Referral)
	if err != nil {
		return TransitionResult{}, err
	}
	if err := r.checkAllowed(req.Action); err != nil {
		if moved := req.ExpectedVersion != 0 && req.ExpectedVersion != r.Version; moved || r.Status == rules[req.Action].to {
			return TransitionResult{}, e.conflict(ctx, tx, r)
		}
		return TransitionResult{}, err
	}
	if req.ExpectedVersion != 0 && req.ExpectedVersion != r.Version {
		return TransitionResult{}, e.conflict(ctx, tx, r)
	}
	if err := checkActor(r, req); err != nil {
		return TransitionResult{}, err
	}
	cal := set.cal
	now := e.clock.Now()
	next := r
	next.Status = rules[req.Action].to
	next.StatusBy = req.Actor.staffID()
	next.StatusAt = now
	var target *Agency
	switch req.Action {
	case ActionHold:
		held := r.Status
		next.HeldFrom = &held
	case ActionResume:
		next.Status, next.HeldFrom = *r.HeldFrom, nil
	case ActionReject:
		reason := req.Reason
		next.Reason, next.Feedback = &reason, strings.TrimSpace(req.Feedback)
	case ActionRedirect:
		reason := ReasonRedirected
		next.Reason, next.Feedback = &reason, strings.TrimSpace(req.Feedback)
	case ActionCancel:
		next.Feedback = strings.TrimSpace(req.Feedback)
	case ActionAssign, ActionClaim:
		next.Status = r.Status
		if req.Action == ActionClaim {
			next.TriageClaimedBy = req.Actor.staffID()
		}
	}
	if req.Action == ActionRedirect || req.Action == ActionAssign {
		if r.ToAgencyID != nil && *r.ToAgencyID == req.ToAgency {
			return TransitionResult{}, &ValidationError{Fields: []FieldError{{Field: "agency", Message: "choose a different agency from the one the referral is with"}}}
		}
		a, err := getAgency(ctx, tx, "id = $1", req.ToAgency)
		if errors.Is(err, ErrNotFound) {
			return TransitionResult{}, &ValidationError{Fields: []FieldError{{Field: "agency", Message: "that agency does not exist"}}}
		} else if err != nil {
			return TransitionResult{}, err
		}
		if err := e.checkConsent(ctx, tx, r.ConsentID, a); err != nil {
			return TransitionResult{}, err
		}
		target = &a
		if req.Action == ActionAssign {
			next.ToAgencyID, next.Triaged = &a.ID, true
			next.AssignedAt, next.AckDueAt = &now, ackDue(cal, now, a)
		}
	}
	if next.AcknowledgedAt == nil && (req.Action == ActionAccept || req.Action == ActionReject || req.Action == ActionRedirect) {
		next.AcknowledgedAt = &now
	}
	if next.Status == StatusInProgress && next.ContactedAt == nil {
		next.ContactedAt = &now
	}
	if !next.Status.Open() {
		next.ClosedAt = &now
	}

	rows, _ := tx.Query(ctx, sqlUpdateReferral, r.ID, r.Version, next.Status, next.HeldFrom, next.Reason, next.Feedback,
		next.ToAgencyID, next.TriageClaimedBy, next.Triaged, next.StatusBy, next.StatusAt,
		next.AcknowledgedAt, next.ContactedAt, next.ClosedAt, next.AssignedAt, next.AckDueAt)
	updated, err := pgx.CollectExactlyOneRow(rows, pgx.RowToStructByName[Referral])
	if errors.Is(err, pgx.ErrNoRows) {
		current, rerr := getReferral(ctx, tx, "id = $1", r.ID)
		if rerr != nil {
			return TransitionResult{}, rerr
		}
		return TransitionResult{}, e.conflict(ctx, tx, current)
	}
	if err != nil {
		return TransitionResult{}, fmt.Errorf("update referral: %w", err)
	}

	b := &pgx.Batch{}
	kind := EventTransition
	switch req.Action {
	case ActionAssign:
		kind = EventAssigned
	case ActionClaim:
		kind = EventClaimed
	}
	data := eventData("action", string(req.Action), "reason", reasonString(next.Reason), "version", updated.Version,
		"withdrawal", req.withdrawal)
	if target != nil {
		data["to_agency_id"] = int64(target.ID)
	}
	if req.Actor.Kind == ActorStaff {
		data["actor_agency_id"] = int64(req.Actor.AgencyID)
	}
	e.queueEvent(b, newEvent{kind: kind, referral: r.ID, client: r.ClientID, agency: derefAgency(updated.ToAgencyID),
		actor: req.Actor, from: r.Status, to: updated.Status, data: data}, now)
	res := TransitionResult{Referral: updated, From: r.Status}

	// Every channel showing the card is brought up to date.
	if updated.ToAgencyID != nil {
		queueOutbox(b, cardMsg(updated, "agency"), now)
	}
	if updated.Triaged {
		queueOutbox(b, cardMsg(updated, "triage"), now)
	}
	switch req.Action {
	case ActionAccept:
		queueOutbox(b, smsMsg(updated, SMSAccepted, time.Time{}), now)
		queueOutbox(b, smsMsg(updated, SMSContactCheck, cal.AddWorkingDays(now, cal.ContactCheckDays)), now)
		queueOutbox(b, outboxMsg{kind: OutboxContactNudge, referral: r.ID,
			payload:   OutboxPayload{ReferralID: r.ID, AgencyID: derefAgency(updated.ToAgencyID)},
			dedupe:    fmt.Sprintf("nudge:%d:%d", r.ID, derefAgency(updated.ToAgencyID)),
			available: cal.AddWorkingDays(now, cal.ContactNudgeDays)}, now)
	case ActionComplete:
		if updated.SelfReferral() {
			queueOutbox(b, smsMsg(updated, SMSFeedbackAsk, time.Time{}), now)
		}
	case ActionAssign:
		e.queueRouted(b, updated, *target, cal, now)
	case ActionReject, ActionRedirect:
		if updated.FromAgencyID != nil {
			queueOutbox(b, outboxMsg{kind: OutboxFeedback, referral: r.ID,
				payload: OutboxPayload{ReferralID: r.ID, AgencyID: *updated.FromAgencyID},
				dedupe:  fmt.Sprintf("feedback:%d:v%d", r.ID, updated.Version)}, now)
		}
	}
	if err := sendBatch(ctx, tx, b); err != nil {
		return TransitionResult{}, fmt.Errorf("record %s: %w", req.Action, err)
	}

	switch {
	case req.Action == ActionRedirect:
		child, err := e.referOn(ctx, tx, updated, target, false, req.Actor, cal, now)
		if err != nil {
			return TransitionResult{}, err
		}
		res.Child = &child
	case req.Action == ActionReject && updated.SelfReferral():
		// A self-referral never ends at a rejection: it goes back to triage,
		// or to the next suggestion when the network routes automatically.
		child, err := e.rerouteSelfReferral(ctx, tx, updated, req.Actor, set, now)
		if err != nil {
			return TransitionResult{}, err
		}
		res.Child = &child
	}
	return res, nil
}

func reasonString(r *Reason) string {
	if r == nil {
		return ""
	}
	return string(*r)
}

func derefAgency(a *AgencyID) AgencyID {
	if a == nil {
		return 0
	}
	return *a
}

// conflict builds the error for a referral someone else changed first.
func (e *Engine) conflict(ctx context.Context, db DB, r Referral) error {
	by := "Onward"
	if r.StatusBy != nil {
		var name, agency string
		if err := db.QueryRow(ctx, `SELECT s.name, a.name FROM staff s JOIN agencies a ON a.id = s.agency_id WHERE s.id = $1`, *r.StatusBy).Scan(&name, &agency); err == nil {
			by = name + " (" + agency + ")"
		}
	}
	return &ConflictError{Reference: r.Reference, Status: r.Status, By: by, At: r.StatusAt}
}

// checkConsent refuses sharing the client's details with an agency their
// consent does not cover.
func (e *Engine) checkConsent(ctx context.Context, db DB, id ConsentID, a Agency) error {
	c, err := getConsent(ctx, db, id)
	if err != nil {
		return err
	}
	if c.WithdrawnAt != nil {
		return ErrConsentWithdrawn
	}
	if !c.Covers(a.ID) {
		return &ConsentScopeError{Agency: a.Name}
	}
	return nil
}

// queueRouted queues what follows a referral reaching an agency: its card
// in the agency's channel and the acknowledgement reminder (at 100% of the
// agency's target) and escalation (at 200%). Both are skipped at send time
// if the referral has moved on.
func (e *Engine) queueRouted(b *pgx.Batch, r Referral, a Agency, cal Calendar, now time.Time) {
	queueOutbox(b, cardMsg(r, "agency"), now)
	target := time.Duration(a.AckTargetHours) * time.Hour
	for i, level := range []string{"reminder", "escalation"} {
		queueOutbox(b, outboxMsg{kind: OutboxAckReminder, referral: r.ID,
			payload:   OutboxPayload{ReferralID: r.ID, AgencyID: a.ID, Level: level},
			dedupe:    fmt.Sprintf("ack:%d:%d:%s", r.ID, a.ID, level),
			available: cal.AddWorkingHours(now, target*time.Duration(i+1))}, now)
	}
}
