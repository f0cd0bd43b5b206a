package core

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode"

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
	ActionReopen   Action = "reopen"   // undo a completion, within UndoWindow
)

// actionDef is everything one action does, in one place: where it may
// start and where it leads, who may take it, what it checks, what it
// changes on the referral, which event it records, which messages it
// queues and which referral follows from it. transition runs the steps in
// the same order for every action; an action leaves a step nil when it has
// nothing to add.
type actionDef struct {
	from []Status
	// to is the status the action leads to; empty means the status does
	// not change (assign, claim) or is set by apply (resume).
	to Status
	// onRetired are further statuses the action may start from while the
	// agency holding the referral has left the network (RetireAgency):
	// nobody there can act on it any more, so a coordinator, and only a
	// coordinator, moves it on, saying why (feedback is required). See
	// checkAllowedHeld and checkActorHeld.
	onRetired []Status
	// notFrom says why the action does not start from a status, where
	// the status alone does not say it plainly (the refusal's
	// TransitionError.Why).
	notFrom map[Status]string
	// inTriage: the action may be taken while the referral waits in triage
	// (every other action needs a receiving agency first). onlyInTriage:
	// it may be taken there and nowhere else.
	inTriage, onlyInTriage bool
	// coordinatorOnly refuses everyone but coordinators; otherwise may
	// says who else can act (nil: staff of the receiving agency).
	coordinatorOnly bool
	may             func(who actorRole) bool
	// acknowledges stamps acknowledged_at the first time.
	acknowledges bool
	// event is the kind of event recorded (default EventTransition).
	event EventKind
	// check adds the action's own field errors.
	check func(req TransitionRequest) []FieldError
	// apply sets the action's fields on c.next (and c.target).
	apply func(c *change) error
	// queue adds the action's outbox rows, beside the card updates every
	// action queues.
	queue func(c *change)
	// follow runs after the change is recorded and may make the referral
	// that carries the client on (c.res.Child).
	follow func(c *change) error
}

// actorRole is how the actor stands to the referral.
type actorRole struct {
	kind         ActorKind
	isTo, isFrom bool // staff of the receiving / referring agency
}

var actions = map[Action]actionDef{
	ActionAccept: {
		from: []Status{StatusRequested}, to: StatusAccepted, acknowledges: true,
		queue: func(c *change) {
			u, cal, now := c.updated, c.cal, c.now
			c.e.outbox.queue(c.b, smsMsg(u, SMSAccepted, time.Time{}), now)
			c.e.outbox.queue(c.b, smsMsg(u, SMSContactCheck, cal.AddWorkingDays(now, cal.AgencyContactDays(u.Crisis))), now)
			queueContactDue(c)
		},
	},
	ActionReject: {
		from: []Status{StatusRequested}, to: StatusRejected, acknowledges: true,
		// Both problems at once: a reason missing does not hide feedback
		// missing too, when whatever reason is chosen will need it.
		check: func(req TransitionRequest) []FieldError {
			var fields []FieldError
			known := slices.Contains(Reasons, req.Reason)
			switch {
			case req.Reason == "":
				fields = append(fields, FieldError{Field: "reason", Message: "choose a reason for rejecting the referral"})
			case !known:
				codes := make([]string, len(Reasons))
				for i, r := range Reasons {
					codes[i] = string(r)
				}
				fields = append(fields, FieldError{Field: "reason", Message: fmt.Sprintf("%q is not a reason for rejecting a referral: choose one of %s",
					string(req.Reason), strings.Join(codes, ", "))})
			}
			switch {
			case inWords(req.Feedback):
			case known && req.Reason.NeedsFeedback():
				fields = append(fields, FieldError{Field: "feedback", Message: fmt.Sprintf("say why, in words, as well as the reason %q: the referrer needs it to find the right help", req.Reason.Label())})
			case !known && !slices.ContainsFunc(Reasons, func(r Reason) bool { return !r.NeedsFeedback() }):
				fields = append(fields, FieldError{Field: "feedback", Message: "say why, in words: the referrer needs it to find the right help"})
			}
			return fields
		},
		apply: func(c *change) error {
			reason := c.req.Reason
			c.next.Reason, c.next.Feedback = &reason, strings.TrimSpace(c.req.Feedback)
			return nil
		},
		queue: func(c *change) {
			queueFeedback(c)
			queueTurnedDownText(c)
		},
		follow: func(c *change) error {
			if !c.updated.SelfReferral() {
				return nil
			}
			// A self-referral never ends at a rejection: it goes back to
			// triage, or to the next suggestion when the network routes
			// automatically.
			child, err := c.e.rerouteSelfReferral(c.ctx, c.tx, c.updated, c.req.Actor, c.set, c.now)
			if err != nil {
				return err
			}
			c.res.Child = &child
			return nil
		},
	},
	ActionRedirect: {
		from: []Status{StatusRequested}, to: StatusRejected, acknowledges: true,
		// An agency that retired keeps the referrals it had taken on, and
		// its clients would wait for help that never comes: a coordinator
		// refers each client on to an agency still in the network.
		onRetired: []Status{StatusAccepted, StatusInProgress, StatusOnHold},
		check:     needsAgency,
		apply: func(c *change) error {
			reason := ReasonRedirected
			c.next.Reason, c.next.Feedback = &reason, strings.TrimSpace(c.req.Feedback)
			return c.resolveTarget()
		},
		queue: queueFeedback,
		follow: func(c *change) error {
			child, err := c.e.referOn(c.ctx, c.tx, c.updated, c.target, false, c.req.Actor, c.cal, c.now)
			if err != nil {
				return err
			}
			c.res.Child = &child
			return nil
		},
	},
	ActionHold: {
		// Putting a referral on its waiting list is the agency's answer
		// to it, as accepting is: a referral held before its deadline
		// is acknowledged in time, in the reports, the inbox and the
		// reminders alike (they all read acknowledged_at).
		from: []Status{StatusRequested, StatusAccepted}, to: StatusOnHold, acknowledges: true,
		apply: func(c *change) error {
			held := c.from.Status
			c.next.HeldFrom = &held
			return nil
		},
		queue: queueWaitingListReview,
	},
	ActionResume: {
		from: []Status{StatusOnHold},
		apply: func(c *change) error {
			c.next.Status, c.next.HeldFrom = *c.from.HeldFrom, nil
			return nil
		},
		// Back to accepted: the client is due to be contacted again from
		// now, and reminded of then.
		queue: func(c *change) {
			if c.updated.Status == StatusAccepted {
				queueContactDue(c)
			}
		},
	},
	ActionContact: {
		from: []Status{StatusAccepted}, to: StatusInProgress,
		may: func(who actorRole) bool { return who.isTo || who.kind == ActorClient },
	},
	ActionComplete: {
		from: []Status{StatusInProgress}, to: StatusCompleted,
		notFrom: map[Status]string{StatusAccepted: "mark the client contacted first"},
		check:   CheckOutcome,
		apply: func(c *change) error {
			if fields := checkGainOffered(c.from, c.req); len(fields) > 0 {
				return &ValidationError{Fields: fields}
			}
			if c.req.Outcome != "" {
				o := c.req.Outcome
				c.next.Outcome = &o
			}
			g := c.req.Gain
			c.next.GainWeeklyIncomePence, c.next.GainOneOffIncomePence = gainColumn(g.WeeklyIncome), gainColumn(g.OneOffIncome)
			c.next.GainDebtWrittenOffPence, c.next.GainDebtManagedPence = gainColumn(g.DebtWrittenOff), gainColumn(g.DebtManaged)
			c.next.AdviceType, c.next.AdviceTopic = nil, nil
			if t := c.req.AdviceType; t != "" {
				c.next.AdviceType = &t
			}
			if t := c.req.AdviceTopic; t != "" {
				c.next.AdviceTopic = &t
			}
			if note := strings.TrimSpace(c.req.OutcomeNote); note != "" {
				enc, err := c.e.sealOutcomeNote(c.ctx, c.tx, c.from, note)
				if err != nil {
					return err
				}
				c.next.OutcomeNoteEnc = enc
			}
			return nil
		},
		queue: func(c *change) {
			// The feedback request waits out the undo window, and is
			// skipped if the completion was undone (Referral.StillDue).
			// Its dedupe key names the completion's version, so a
			// completion undone and made again asks once, by its own row.
			if c.updated.SelfReferral() {
				c.e.outbox.queue(c.b, smsMsg(c.updated, SMSFeedbackAsk, c.newsAt()), c.now)
			}
		},
	},
	// Could not contact is for a client never reached: once marked
	// contacted (in progress) they were, and how the help ended is a
	// completion's outcome.
	ActionFail: {from: []Status{StatusAccepted}, to: StatusFailed, notFrom: map[Status]string{StatusInProgress: FailAfterContact},
		queue: queueCouldNotContactText},
	ActionReopen: {
		from: []Status{StatusCompleted}, to: StatusInProgress,
		apply: func(c *change) error {
			if !c.from.Undoable(c.now) {
				return &TransitionError{Action: ActionReopen, Status: c.from.Status,
					Why: fmt.Sprintf("a completion can be undone only within %d minutes of it", int(UndoWindow.Minutes()))}
			}
			// Undone, the referral would be open again under a consent the
			// client withdrew since (a withdrawal cancels the open ones).
			f, err := c.e.disclosureFactsIn(c.ctx, c.tx, c.from)
			if err != nil {
				return fmt.Errorf("undo the completion of %s: %w", c.from.Reference, err)
			}
			if withheld, _ := f.Withheld(); withheld {
				return &TransitionError{Action: ActionReopen, Status: c.from.Status,
					Why: "the client has withdrawn consent since it was completed"}
			}
			c.next.Outcome, c.next.OutcomeNoteEnc, c.next.ClosedAt = nil, nil, nil
			c.next.GainWeeklyIncomePence, c.next.GainOneOffIncomePence = nil, nil
			c.next.GainDebtWrittenOffPence, c.next.GainDebtManagedPence = nil, nil
			c.next.AdviceType, c.next.AdviceTopic = nil, nil
			return nil
		},
	},
	ActionCancel: {
		from: []Status{StatusRequested, StatusAccepted, StatusInProgress, StatusOnHold}, to: StatusCancelled,
		inTriage: true,
		may: func(who actorRole) bool {
			return who.isTo || who.isFrom || who.kind == ActorSystem || who.kind == ActorClient
		},
		apply: func(c *change) error {
			c.next.Feedback = strings.TrimSpace(c.req.Feedback)
			return nil
		},
		queue: func(c *change) {
			queueCancelledEmail(c)
			queueCancelledText(c)
		},
	},
	ActionAssign: {
		from: []Status{StatusRequested}, inTriage: true, onlyInTriage: true, coordinatorOnly: true,
		event: EventAssigned, check: needsAgency,
		apply: func(c *change) error {
			c.next.Status = c.from.Status
			if err := c.resolveTarget(); err != nil {
				return err
			}
			a := c.target
			c.next.ToAgencyID, c.next.Triaged = &a.ID, true
			c.next.AssignedAt, c.next.AckDueAt = &c.now, ackDue(c.cal, c.now, *a, c.from.Crisis)
			return nil
		},
		queue: func(c *change) { c.e.queueRouted(c.b, c.updated, *c.target, c.cal, c.now) },
	},
	ActionClaim: {
		from: []Status{StatusRequested}, inTriage: true, onlyInTriage: true, coordinatorOnly: true,
		event: EventClaimed,
		apply: func(c *change) error {
			c.next.Status = c.from.Status
			c.next.TriageClaimedBy = c.req.Actor.staffID()
			return nil
		},
	},
}

// inWords reports whether feedback says something in words: at least one
// letter, in any script. "." or "-" typed to get past a required field
// tells the referrer nothing; every channel (web, Slack, the partner
// API) is held to it here.
func inWords(feedback string) bool {
	return strings.IndexFunc(feedback, unicode.IsLetter) >= 0
}

// needsAgency is the check of the actions that send a referral to an agency.
func needsAgency(req TransitionRequest) []FieldError {
	if req.ToAgency == 0 {
		return []FieldError{{Field: "agency", Message: "choose the agency to send the referral to"}}
	}
	return nil
}

// UndoWindow is how long after completing a referral its completion can
// be undone (the referral goes back to in progress).
const UndoWindow = 10 * time.Minute

// Undoable reports whether the referral's completion can still be undone
// at now (ActionReopen): for UndoWindow after it was made. News of the
// completion (the client's feedback request, the referrer's update) goes
// from the moment it no longer can.
func (r Referral) Undoable(now time.Time) bool {
	return r.Status == StatusCompleted && now.Before(r.StatusAt.Add(UndoWindow))
}

// newsAt is when news of the change may leave: at once, or for a
// completion once it can no longer be undone, so that nobody is told of a
// completion taken back.
func (c *change) newsAt() time.Time {
	if c.req.Action == ActionComplete {
		return c.now.Add(UndoWindow)
	}
	return c.now
}

// CheckOutcome is the check of completion that needs nothing but the
// request: an outcome from the fixed list is required, one a completion
// records (not "Could not contact", which is ActionFail), its note short,
// each gain within range and the advice type one of the National
// Standards'. Act runs it; a channel that refuses part of a form before
// core sees it (amounts that are not money) runs it too, so the rest of
// the form's problems are named at once.
func CheckOutcome(req TransitionRequest) []FieldError {
	var fields []FieldError
	switch {
	case !req.Outcome.Valid():
		fields = append(fields, FieldError{Field: "outcome", Message: "Choose how the referral ended"})
	case !req.Outcome.Completes():
		fields = append(fields, OutcomeNotACompletion)
	}
	fields = append(fields, req.Gain.Check()...)
	if req.AdviceType != "" && !req.AdviceType.Valid() {
		fields = append(fields, FieldError{Field: "advice_type", Message: "Choose the type of advice given: type I, II or III"})
	}
	if len(req.OutcomeNote) > 2000 {
		fields = append(fields, FieldError{Field: "outcome_note", Message: "the outcome note must be at most 2000 characters"})
	}
	return fields
}

// checkOffered is the check of completion against the network: the
// outcome and topic must be ones the network offers. It runs with
// CheckOutcome, before the referral is read, so a form with a wrong
// advice type and a topic the network does not offer hears of both at
// once.
func checkOffered(n Network, req TransitionRequest) []FieldError {
	var fields []FieldError
	if req.Outcome.Valid() && req.Outcome.Completes() && !n.OffersOutcome(req.Outcome) {
		fields = append(fields, FieldError{Field: "outcome", Message: fmt.Sprintf("%q is not one of this network's outcomes: choose another", req.Outcome.Label())})
	}
	if req.AdviceTopic != "" && !n.OffersAdviceTopic(req.AdviceTopic) {
		fields = append(fields, FieldError{Field: "advice_topic", Message: fmt.Sprintf("%q is not one of this network's advice topics: choose one from the list", req.AdviceTopic)})
	}
	return fields
}

// checkGainOffered is the check of completion against the referral: a
// financial gain is recorded only for money, benefits and debt referrals.
func checkGainOffered(r Referral, req TransitionRequest) []FieldError {
	var fields []FieldError
	if !req.Gain.IsZero() && !r.OffersGain() {
		for _, f := range GainFields {
			if req.Gain.Get(f.Key) != 0 {
				fields = append(fields, FieldError{Field: f.Key, Message: f.Label + " is recorded only for money, benefits or debt referrals, and this referral asks for none of them"})
			}
		}
	}
	return fields
}

// queueFeedback tells the referring agency, if any, why its referral was
// turned away.
func queueFeedback(c *change) {
	u := c.updated
	if u.FromAgencyID == nil {
		return
	}
	c.e.outbox.queue(c.b, outboxMsg{kind: OutboxFeedback, referral: u.ID,
		payload: OutboxPayload{ReferralID: u.ID, AgencyID: *u.FromAgencyID},
		dedupe:  fmt.Sprintf("feedback:%d:v%d", u.ID, u.Version)}, c.now)
}

// queueTurnedDownText tells the client of a referral an adviser made for
// them, and the agency turned down, that the service cannot help and whom
// to call, unless the adviser has referred them on by the end of the next
// working day (Engine.ClientTextDue): a client told to expect a call must
// not wait for one that will never come. A self-referral needs none: it
// is rerouted at once, and its client told of that.
func queueTurnedDownText(c *change) {
	u := c.updated
	if u.Source != SourceStaff || u.Reason == nil || !u.Reason.LeavesClientWaiting() {
		return
	}
	c.e.outbox.queue(c.b, smsMsg(u, SMSRejected, c.cal.AddWorkingDays(c.now, 1)), c.now)
}

// referrerUpdates are the actions the referring adviser is told of by email.
var referrerUpdates = []Action{ActionAccept, ActionReject, ActionRedirect, ActionComplete, ActionFail, ActionCancel}

// queueReferrerEmail tells the referring adviser (or, when they have
// left, their agency's shared address) what became of their referral,
// unless they did it themselves (cancelled it). The row names the
// action, so that news of a completion, which waits out the undo window,
// is skipped if the completion was undone (Referral.StillDue).
func queueReferrerEmail(c *change) {
	u, by := c.updated, c.req.Actor
	if u.FromAgencyID == nil || !slices.Contains(referrerUpdates, c.req.Action) {
		return
	}
	if by.Kind == ActorStaff && u.FromStaffID != nil && by.StaffID == *u.FromStaffID {
		return
	}
	m := emailMsg(EmailReferralUpdate, u, *u.FromAgencyID, fmt.Sprintf("update:%d:v%d", u.ID, u.Version), c.newsAt())
	m.payload.Action = c.req.Action
	c.e.outbox.queue(c.b, m, c.now)
}

// queueCancelledEmail tells the agency holding a cancelled referral that
// it was cancelled and the client's details are no longer shared with it,
// unless its own staff (or its own partner system) cancelled it. Whoever
// else did (the client withdrawing consent or erased, the referrer, a
// coordinator, Onward) changes its Slack card, but an agency off Slack
// would otherwise learn nothing.
func queueCancelledEmail(c *change) {
	u, by := c.updated, c.req.Actor
	if u.ToAgencyID == nil || (by.actsForAgency() && by.AgencyID == *u.ToAgencyID) {
		return
	}
	c.e.outbox.queue(c.b, emailMsg(EmailReferralCancelled, u, *u.ToAgencyID, fmt.Sprintf("cancelled:%d:%d", u.ID, *u.ToAgencyID), c.now), c.now)
}

// queueCancelledText tells the client that a referral they were told of
// (their own self-referral, confirmed to them, or one an agency accepted,
// which texted them to expect contact) was cancelled by staff, and whom to
// call: a client told to wait for a call must not wait for one that will
// never come. A client who withdrew their consent gets the withdrawal's
// own confirmation instead, and a cancellation by the client or by Onward
// itself (an erasure) texts nobody.
func queueCancelledText(c *change) {
	if c.req.withdrawal || c.req.Actor.Kind == ActorClient || c.req.Actor.Kind == ActorSystem {
		return
	}
	if !c.from.clientTold() {
		return
	}
	c.e.outbox.queue(c.b, smsMsg(c.updated, SMSCancelled, c.now), c.now)
}

// queueCouldNotContactText tells the client of a referral the agency
// closed as "could not contact" that it is closed, and whom to call: a
// client who is waiting for a call, or missed one, must not wait for one
// that will never come. Only a client who was told of the referral (as
// for a cancellation) hears of its end.
func queueCouldNotContactText(c *change) {
	if !c.from.clientTold() {
		return
	}
	c.e.outbox.queue(c.b, smsMsg(c.updated, SMSCouldNotContact, c.now), c.now)
}

// clientTold reports whether the client has been told of the referral as
// it stands: their own self-referral, confirmed to them, or one an agency
// accepted, which texted them to expect contact. News of its end goes
// only to them; a client never told of a referral is not told it ended.
func (r Referral) clientTold() bool {
	return r.SelfReferral() || slices.Contains([]Status{StatusAccepted, StatusInProgress, StatusOnHold}, r.Status)
}

// Actions lists every action.
var Actions = []Action{ActionAccept, ActionReject, ActionHold, ActionResume, ActionContact, ActionComplete,
	ActionFail, ActionCancel, ActionRedirect, ActionAssign, ActionClaim, ActionReopen}

// Allowed reports whether the action may be taken on the referral in its
// current state (ignoring who asks). Cards and the inbox use it to show
// only the buttons that work.
func (r Referral) Allowed(a Action) bool {
	return r.checkAllowed(a) == nil
}

func (r Referral) checkAllowed(a Action) error {
	_, err := r.checkAllowedHeld(a, false)
	return err
}

// checkAllowedHeld is checkAllowed knowing whether the agency holding the
// referral has left the network (holderRetired): the action may then
// also start from its onRetired statuses. left says it starts only
// because the holder left, which admits coordinators alone and needs
// feedback (checkActorHeld, checkLeft).
func (r Referral) checkAllowedHeld(a Action, holderRetired bool) (left bool, err error) {
	def, ok := actions[a]
	if !ok {
		return false, fmt.Errorf("unknown action %q", a)
	}
	if !slices.Contains(def.from, r.Status) {
		if !holderRetired || !slices.Contains(def.onRetired, r.Status) {
			return false, &TransitionError{Action: a, Status: r.Status, Why: def.notFrom[r.Status]}
		}
		left = true
	}
	if r.InTriage() && !def.inTriage {
		return false, &TransitionError{Action: a, Status: r.Status, Why: "it is waiting in triage for a coordinator to choose an agency"}
	}
	if !r.InTriage() && def.onlyInTriage {
		return false, &TransitionError{Action: a, Status: r.Status, Why: "it is already with an agency, not waiting in triage"}
	}
	return left, nil
}

// checkActorHeld is checkActor for an action that starts only because
// the agency holding the referral has left the network (left, from
// checkAllowedHeld): a coordinator's alone. Whoever else asks (the
// referring agency's staff, a partner system) is refused, saying so.
func checkActorHeld(r Referral, req TransitionRequest, left bool) error {
	if left && !req.Actor.Coordinates() {
		return &ForbiddenError{Why: fmt.Sprintf("only a coordinator can %s a referral whose agency has left the network", req.Action)}
	}
	return checkActor(r, req)
}

// checkLeft is what an action taken because the agency holding the
// referral left the network needs beside its own check: the coordinator's
// words on why, which the referrer reads and the audit log keeps, as the
// agency that had it can no longer say.
func checkLeft(req TransitionRequest) error {
	if !inWords(req.Feedback) {
		return &ValidationError{Fields: []FieldError{{Field: "feedback",
			Message: "say why the referral is moved on: its agency has left the network, and its record (and any referrer) must say why"}}}
	}
	return nil
}

// holderRetired reports whether the agency holding r has left the
// network, read only when the action could start because of it
// (actionDef.onRetired), so every other action costs no query.
func holderRetired(ctx context.Context, db DB, r Referral, a Action) (bool, error) {
	def := actions[a]
	if r.ToAgencyID == nil || slices.Contains(def.from, r.Status) || !slices.Contains(def.onRetired, r.Status) {
		return false, nil
	}
	holder, err := getAgency(ctx, db, "id = $1", *r.ToAgencyID)
	if err != nil {
		return false, fmt.Errorf("agency %d holding referral %s: %w", *r.ToAgencyID, r.Reference, err)
	}
	return holder.RetiredAt != nil, nil
}

// TransitionRequest asks for one action on one referral.
type TransitionRequest struct {
	Referral        ReferralID
	Action          Action
	Actor           Actor
	ExpectedVersion int      // the version the actor saw; 0 = whatever is current
	Reason          Reason   // reject
	Feedback        string   // reject (required: Reason.NeedsFeedback), redirect, cancel
	ToAgency        AgencyID // redirect, assign
	Outcome         Outcome  // complete: how it ended, from Outcomes (required)
	OutcomeNote     string   // complete: an optional note, stored encrypted
	// Gain, AdviceType and AdviceTopic are what completion records for
	// reports: the client's financial gain (money, benefits and debt
	// referrals only), the National Standards advice type and the
	// network's advice topic; each optional.
	Gain        Gain
	AdviceType  AdviceType
	AdviceTopic string

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

// validateRequest checks what needs only the request and the network,
// every problem at once, before the referral is read.
func validateRequest(req TransitionRequest, n Network) error {
	var fields []FieldError
	if check := actions[req.Action].check; check != nil {
		fields = append(fields, check(req)...)
	}
	if req.Action == ActionComplete {
		fields = append(fields, checkOffered(n, req)...)
	}
	if len(req.Feedback) > 2000 {
		fields = append(fields, FieldError{Field: "feedback", Message: "feedback must be at most 2000 characters"})
	}
	if len(fields) > 0 {
		return &ValidationError{Fields: fields}
	}
	return nil
}

// checkActor refuses an actor the action does not admit (see actionDef's
// coordinatorOnly and may); coordinators may take any action, within
// coordinatorOwnAgencyRefusal.
func checkActor(r Referral, req TransitionRequest) error {
	a := req.Actor
	who := actorRole{kind: a.Kind,
		isTo:   a.actsForAgency() && r.ToAgencyID != nil && *r.ToAgencyID == a.AgencyID,
		isFrom: a.actsForAgency() && r.FromAgencyID != nil && *r.FromAgencyID == a.AgencyID}
	if a.Coordinates() {
		if req.Action == ActionRedirect {
			return coordinatorOwnAgencyRefusal(r, a, req.ToAgency)
		}
		return nil
	}
	def := actions[req.Action]
	if def.coordinatorOnly {
		return &ForbiddenError{Why: "only a coordinator can triage referrals"}
	}
	may := def.may
	if may == nil {
		may = func(who actorRole) bool { return who.isTo }
	}
	if may(who) {
		return nil
	}
	if a.actsForAgency() {
		return &ForbiddenError{Why: "this referral was sent to another agency; only its staff or a coordinator can act on it"}
	}
	return &ForbiddenError{Why: fmt.Sprintf("%s cannot %s a referral", a.Name, req.Action)}
}

const sqlUpdateReferral = `
UPDATE referrals SET status = $3, held_from = $4, reason = $5, feedback = $6, to_agency_id = $7,
    triage_claimed_by = $8, triaged = $9, status_by = $10, status_at = $11, version = version + 1,
    acknowledged_at = $12, contacted_at = $13, closed_at = $14, assigned_at = $15, ack_due_at = $16,
    outcome = $17, outcome_note_enc = $18, gain_weekly_income_pence = $19, gain_one_off_income_pence = $20,
    gain_debt_written_off_pence = $21, gain_debt_managed_pence = $22, advice_type = $23, advice_topic = $24,
    follow_up_due_at = $25
WHERE id = $1 AND version = $2
RETURNING ` + referralColumns

// change is one action being applied: the referral before (from), the
// fields being set (next), the row as written (updated), and the batch its
// event and outbox rows go in.
type change struct {
	e       *Engine
	ctx     context.Context
	tx      pgx.Tx
	req     TransitionRequest
	set     snapshot
	cal     Calendar
	now     time.Time
	from    Referral
	next    Referral
	target  *Agency // the agency a redirect or an assignment sends to
	updated Referral
	b       *pgx.Batch
	res     *TransitionResult
}

// resolveTarget finds the agency req.ToAgency names and checks the
// client's consent covers it.
func (c *change) resolveTarget() error {
	r := c.from
	if err := holderRefusal(r, c.req.ToAgency); err != nil {
		return err
	}
	a, err := getAgency(c.ctx, c.tx, "id = $1", c.req.ToAgency)
	if errors.Is(err, ErrNotFound) {
		return &ValidationError{Fields: []FieldError{{Field: "agency", Message: "that agency does not exist"}}}
	} else if err != nil {
		return err
	}
	if err := a.refuseRetired("agency", c.cal.Location); err != nil {
		return err
	}
	if err := c.e.checkConsent(c.ctx, c.tx, r.ConsentID, a); err != nil {
		return err
	}
	c.target = &a
	return nil
}

func (e *Engine) transition(ctx context.Context, tx pgx.Tx, req TransitionRequest, set snapshot) (TransitionResult, error) {
	if err := validateRequest(req, set.cal.Network); err != nil {
		return TransitionResult{}, err
	}
	r, err := getReferral(ctx, tx, "id = $1", req.Referral)
	if err != nil {
		return TransitionResult{}, err
	}
	def := actions[req.Action]
	retired, err := holderRetired(ctx, tx, r, req.Action)
	if err != nil {
		return TransitionResult{}, err
	}
	left, err := r.checkAllowedHeld(req.Action, retired)
	if err != nil {
		if moved := req.ExpectedVersion != 0 && req.ExpectedVersion != r.Version; moved || r.Status == def.to {
			return TransitionResult{}, e.conflict(ctx, tx, r)
		}
		return TransitionResult{}, err
	}
	if req.ExpectedVersion != 0 && req.ExpectedVersion != r.Version {
		return TransitionResult{}, e.conflict(ctx, tx, r)
	}
	if err := checkActorHeld(r, req, left); err != nil {
		return TransitionResult{}, err
	}
	if left {
		if err := checkLeft(req); err != nil {
			return TransitionResult{}, err
		}
	}
	now := e.clock.Now()
	c := &change{e: e, ctx: ctx, tx: tx, req: req, set: set, cal: set.cal, now: now, from: r, next: r, b: &pgx.Batch{}}
	next := &c.next
	next.Status = def.to
	next.StatusBy = req.Actor.staffID()
	next.StatusAt = now
	if def.apply != nil {
		if err := def.apply(c); err != nil {
			return TransitionResult{}, err
		}
	}
	if next.AcknowledgedAt == nil && def.acknowledges {
		next.AcknowledgedAt = &now
	}
	if next.Status == StatusInProgress && next.ContactedAt == nil {
		next.ContactedAt = &now
	}
	if !next.Status.Open() {
		next.ClosedAt = &now
	}
	if next.Status != r.Status {
		// A referral moving into accepted or the waiting list is due
		// again from now (Due).
		next.FollowUpDueAt = c.cal.followUpDue(next.Status, now)
	}

	rows, _ := tx.Query(ctx, sqlUpdateReferral, r.ID, r.Version, next.Status, next.HeldFrom, next.Reason, next.Feedback,
		next.ToAgencyID, next.TriageClaimedBy, next.Triaged, next.StatusBy, next.StatusAt,
		next.AcknowledgedAt, next.ContactedAt, next.ClosedAt, next.AssignedAt, next.AckDueAt,
		next.Outcome, next.OutcomeNoteEnc, next.GainWeeklyIncomePence, next.GainOneOffIncomePence,
		next.GainDebtWrittenOffPence, next.GainDebtManagedPence, next.AdviceType, next.AdviceTopic,
		next.FollowUpDueAt)
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
	c.updated = updated
	c.res = &TransitionResult{Referral: updated, From: r.Status}

	kind := def.event
	if kind == "" {
		kind = EventTransition
	}
	data := eventData("action", string(req.Action), "reason", reasonString(next.Reason), "version", updated.Version,
		"withdrawal", req.withdrawal)
	if updated.Outcome != nil && req.Action == ActionComplete {
		completionData(data, updated)
	}
	if c.target != nil {
		data["to_agency_id"] = int64(c.target.ID)
	}
	if req.Actor.actsForAgency() {
		data["actor_agency_id"] = int64(req.Actor.AgencyID)
	}
	e.queueEvent(c.b, newEvent{kind: kind, referral: r.ID, client: r.ClientID, agency: derefAgency(updated.ToAgencyID),
		actor: req.Actor, from: r.Status, to: updated.Status, data: data}, now)

	// Every channel showing the card is brought up to date.
	if updated.ToAgencyID != nil {
		e.outbox.queue(c.b, cardMsg(updated, "agency"), now)
	}
	if updated.Triaged {
		e.outbox.queue(c.b, cardMsg(updated, "triage"), now)
	}
	if def.queue != nil {
		def.queue(c)
	}
	e.queueWebhooks(c.b, updated, WebhookReferralUpdated, r.ToAgencyID, now)
	queueReferrerEmail(c)
	if err := sendWithNext(ctx, tx, c.b); err != nil {
		return TransitionResult{}, fmt.Errorf("record %s: %w", req.Action, err)
	}
	if def.follow != nil {
		if err := def.follow(c); err != nil {
			return TransitionResult{}, err
		}
	}
	return *c.res, nil
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
	} else if name, ok := partnerChangedBy(ctx, db, r); ok {
		by = name
	}
	c := &ConflictError{Reference: r.Reference, Status: r.Status, By: by, At: r.StatusAt}
	if r.StatusBy != nil {
		c.ByStaff = *r.StatusBy
	}
	return c
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
// if the referral has moved on (Referral.StillDue).
func (e *Engine) queueRouted(b *pgx.Batch, r Referral, a Agency, cal Calendar, now time.Time) {
	e.outbox.queue(b, cardMsg(r, "agency"), now)
	e.outbox.queue(b, emailMsg(EmailNewReferral, r, a.ID, fmt.Sprintf("new:%d:%d", r.ID, a.ID), now), now)
	// A crisis runs on the crisis clock (Calendar.AckDue); the escalation
	// follows one more target's worth of working hours after the reminder.
	due := cal.AckDue(now, a, r.Crisis)
	at := map[string]time.Time{"reminder": due, "escalation": cal.AddWorkingHours(due, cal.AckTarget(a, r.Crisis))}
	for _, level := range []string{"reminder", "escalation"} {
		e.outbox.queue(b, outboxMsg{kind: OutboxAckReminder, referral: r.ID,
			payload:   OutboxPayload{ReferralID: r.ID, AgencyID: a.ID, Level: level},
			dedupe:    fmt.Sprintf("ack:%d:%d:%s", r.ID, a.ID, level),
			available: at[level]}, now)
		kind := EmailAckReminder
		if level == "escalation" {
			kind = EmailEscalation
		}
		m := emailMsg(kind, r, a.ID, fmt.Sprintf("ack:%d:%d:%s", r.ID, a.ID, level), at[level])
		m.payload.Level = level
		e.outbox.queue(b, m, now)
	}
}

// WaitingListReviewDays is how many working days a referral waits on an
// agency's waiting list before the agency is reminded of it: a client on
// a list nobody looks at again waits for help that never comes.
const WaitingListReviewDays = 10

// LevelWaitingList is the Level of the contact reminders (the Slack
// nudge and the email) that remind an agency of a referral still on its
// waiting list WaitingListReviewDays after it was put there.
const LevelWaitingList = "waiting-list"

// queueWaitingListReview queues the agency's reminder of a referral put
// on its waiting list, in Slack and by email, for when its review is due
// (Due: WaitingListReviewDays working days later); it goes only while the
// referral is still on the list from this same hold (StillDue: the
// version the row names).
func queueWaitingListReview(c *change) {
	key := fmt.Sprintf("waitlist:%d:%d:v%d", c.updated.ID, derefAgency(c.updated.ToAgencyID), c.updated.Version)
	queueContactReminder(c, LevelWaitingList, key, key)
}

// queueContactDue queues the agency's reminder of an accepted referral
// whose client has not been contacted, for when contact is due (Due), as
// it is accepted or taken off the waiting list back to accepted. It is
// skipped at send time once the client is contacted, or when the
// referral has since become due at another time (StillDue).
func queueContactDue(c *change) {
	u, agency := c.updated, derefAgency(c.updated.ToAgencyID)
	queueContactReminder(c, "", fmt.Sprintf("nudge:%d:%d:v%d", u.ID, agency, u.Version),
		fmt.Sprintf("contact:%d:%d:v%d", u.ID, agency, u.Version))
}

// queueContactReminder queues a reminder to the agency holding the
// referral, when its follow-up is due (Referral.FollowUpDueAt): in its
// Slack channel (OutboxContactNudge) and, for an agency Slack does not
// reach, by email (EmailContactReminder). level says which reminder it
// is ("" a client not yet contacted, LevelWaitingList a referral still on
// the waiting list), and so when StillDue skips it; nudgeKey and mailKey
// keep each row once. The row names the due time it was queued for, so
// it never goes when the referral's own due time says otherwise.
func queueContactReminder(c *change, level, nudgeKey, mailKey string) {
	u, agency := c.updated, derefAgency(c.updated.ToAgencyID)
	due := *u.FollowUpDueAt
	c.e.outbox.queue(c.b, outboxMsg{kind: OutboxContactNudge, referral: u.ID,
		payload:   OutboxPayload{ReferralID: u.ID, AgencyID: agency, Version: u.Version, Level: level, Due: &due},
		dedupe:    nudgeKey,
		available: due}, c.now)
	m := emailMsg(EmailContactReminder, u, agency, mailKey, due)
	m.payload.Level, m.payload.Due = level, &due
	c.e.outbox.queue(c.b, m, c.now)
}

// dueRule is what a row queued to go later waits on, for StillDue.
type dueRule int

const (
	dueAlways         dueRule = iota
	dueUnacknowledged         // acknowledgement reminders and escalations
	dueNotContacted           // contact reminders, the client's contact check and their "will contact you" text
	dueCompleted              // news of a completion
	dueTurnedDown             // the client's text that their referral was turned down
	dueOpen                   // the client's texts that their referral is on its way: confirmed, passed on; an agency's crisis-text alerts
	dueInTriage               // the coordinators' email of a referral arriving in triage
	dueUnclaimed              // the coordinators' reminder of a referral still in triage, unclaimed
	dueOnHold                 // the agency's reminder of a referral on its waiting list
)

// dueRuleOf says which rule a row of kind with payload p follows.
func dueRuleOf(kind OutboxKind, p OutboxPayload) dueRule {
	email := func(ks ...EmailKind) bool { return kind == OutboxEmail && slices.Contains(ks, p.Email) }
	text := func(ts ...string) bool { return kind == OutboxClientSMS && slices.Contains(ts, p.Template) }
	switch {
	case kind == OutboxAckReminder || email(EmailAckReminder, EmailEscalation):
		return dueUnacknowledged
	case (kind == OutboxContactNudge || email(EmailContactReminder)) && p.Level == LevelWaitingList:
		return dueOnHold
	case kind == OutboxContactNudge || email(EmailContactReminder) || text(SMSContactCheck, SMSAccepted):
		return dueNotContacted
	case text(SMSFeedbackAsk) || (email(EmailReferralUpdate) && p.Action == ActionComplete):
		return dueCompleted
	case text(SMSRejected):
		return dueTurnedDown
	case text(SMSConfirmation, SMSConfirmationNoLocal, SMSRedirected, SMSRerouted), email(EmailClientCrisis),
		kind == OutboxAlert && p.Channel == AlertToAgency:
		return dueOpen
	case email(EmailAlert) && p.Level == AlertTriageWaiting:
		return dueInTriage
	case email(EmailAlert) && p.Level == AlertTriageOverdue:
		return dueUnclaimed
	}
	return dueAlways
}

// textsOfTheEnd are the client texts that announce the end of the
// referral themselves, its cancellation or the withdrawal of the client's
// consent: they go whatever the consent says (Engine.ClientTextDue), as
// they are the news of it. Every other text stops at a withdrawal.
var textsOfTheEnd = []string{SMSCancelled, SMSConsentRemoved}

// StillDue reports whether an outbox row queued to go later about the
// referral (a reminder, or news held back while it could be undone) still
// applies to the referral as it is now, and if not, why, in a few words
// for the row's delivery status. It is the one rule every channel asks
// when such a row comes due, in Slack, email and the client's texts:
//
//   - an acknowledgement reminder or escalation, while the referral waits,
//     unacknowledged, with the agency it was queued for;
//   - a contact reminder (the agency's nudge and email, the client's
//     "were you contacted?" text), while it is accepted, by the agency it
//     was queued for (texts name none), and the client not yet contacted;
//   - news of a completion (the client's feedback request, the referrer's
//     update), while the completion it was queued for stands: still
//     completed, at the version the row names, so a completion undone and
//     made again is told of once, by the later row;
//   - the client's text that their referral was turned down, while it is
//     rejected at the version the row names (and, which only the database
//     can say, not referred on since: Engine.ClientTextDue);
//   - the client's text that an agency accepted their referral and will
//     contact them, as a contact reminder: while it is accepted and the
//     client not yet contacted (once contacted, completed, closed as
//     could not contact, on the waiting list or cancelled, "will contact
//     you within 3 working days" is no longer true);
//   - the client's texts that their referral is on its way (the
//     self-referral's confirmation, "passed to AGENCY" after a redirect or
//     a re-route), while it is open: once it has closed, the text of its
//     end (turned down, re-routed again, completed, could not contact,
//     cancelled) is the one that is true;
//   - an agency's alert of its client's crisis text, in its Slack channel
//     and by email, while the agency's referral is open: a client who
//     withdrew their consent shares nothing more with it;
//   - the coordinators' email of a referral arriving in triage, while it
//     waits there; their reminder at its triage target, while it waits
//     there and no coordinator has claimed it (queueTriageMail);
//   - an agency's reminder of a referral on its waiting list, while it is
//     still there from the same hold (queueWaitingListReview).
//
// Every other row is due: the texts of a referral's end (cancelled, could
// not contact, consent withdrawn) announce a status no action leaves.
// A client text also stops once the client's consent is withdrawn, which
// only the database can say (Engine.ClientTextDue).
func (r Referral) StillDue(kind OutboxKind, p OutboxPayload) (bool, string) {
	heldBy := func(a AgencyID) bool { return r.ToAgencyID != nil && *r.ToAgencyID == a }
	switch rule := dueRuleOf(kind, p); rule {
	case dueUnacknowledged:
		if r.AcknowledgedAt != nil || r.Status != StatusRequested || !heldBy(p.AgencyID) {
			return false, "referral acknowledged or moved on"
		}
	case dueNotContacted:
		if r.ContactedAt != nil || r.Status != StatusAccepted || (p.AgencyID != 0 && !heldBy(p.AgencyID)) {
			return false, "client contacted or referral moved on"
		}
		if p.Due != nil && (r.DueAt == nil || !r.DueAt.Equal(*p.Due)) {
			return false, "contact due at another time since"
		}
	case dueOnHold:
		if r.Status != StatusOnHold || r.Version != p.Version || !heldBy(p.AgencyID) {
			return false, "referral taken off the waiting list"
		}
	case dueCompleted:
		if r.Status != StatusCompleted || r.Version != p.Version {
			return false, "completion undone"
		}
	case dueTurnedDown:
		if r.Status != StatusRejected || r.Version != p.Version {
			return false, "referral moved on"
		}
	case dueOpen:
		if !r.Status.Open() {
			return false, "referral closed since"
		}
	case dueInTriage, dueUnclaimed:
		if !r.InTriage() {
			return false, "referral left triage"
		}
		if rule == dueUnclaimed && r.TriageClaimedBy != nil {
			return false, "a coordinator claimed it"
		}
	}
	return true, ""
}

// ClientTextDue is StillDue for a text to the client of referral r, with
// what only the database can say: no text goes once the consent the
// referral was made under is withdrawn (or the client erased), but the
// texts that announce the end themselves (textsOfTheEnd); none at all
// once the client's phone number has passed to someone else
// (client_phone_passed.go); and a text that the referral was turned down
// is not sent once the client has been referred on from it. Every text
// is asked when it comes due, so one held back (quiet hours, a
// provider's retry) says only what is still true.
func (e *Engine) ClientTextDue(ctx context.Context, r Referral, p OutboxPayload) (bool, string, error) {
	if due, why := r.StillDue(OutboxClientSMS, p); !due {
		return false, why, nil
	}
	var on, withdrawn, erased, passedOn bool
	if err := e.pool.QueryRow(ctx, sqlClientTextFacts, r.ID).Scan(&on, &withdrawn, &erased, &passedOn); err != nil {
		return false, "", fmt.Errorf("referral %s: whether its text is still due: %w", r.Reference, err)
	}
	switch {
	case erased && !slices.Contains(textsOfTheEnd, p.Template):
		return false, "client's details were erased", nil
	case passedOn:
		return false, whyPhonePassedOn, nil
	case withdrawn && !slices.Contains(textsOfTheEnd, p.Template):
		return false, "client withdrew consent", nil
	case on && dueRuleOf(OutboxClientSMS, p) == dueTurnedDown:
		return false, "client referred on", nil
	}
	return true, "", nil
}

// sqlClientTextFacts says whether a referral has been carried on to
// another, whether the consent it was made under is withdrawn, whether
// its client was erased, and whether their number passed to someone else.
const sqlClientTextFacts = `
SELECT EXISTS (SELECT 1 FROM referrals WHERE parent_id = r.id), k.withdrawn_at IS NOT NULL, c.erased_at IS NOT NULL,
    ` + sqlPhonePassedOnOf + `c.id)
FROM referrals r JOIN consents k ON k.id = r.consent_id JOIN clients c ON c.id = r.client_id
WHERE r.id = $1`
