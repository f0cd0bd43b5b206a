package bot

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/onward-network/onward/core"
)

// Channel kinds a card is shown in, as core's card.sync rows name them.
const (
	KindAgency = "agency"
	KindTriage = "triage"
)

// button is one thing staff can press on a card. Most are core actions;
// details is the client-details disclosure.
type button string

// Card buttons, in the order they are shown. Their values are also the
// Slack action_ids and the staff inbox's form paths.
const (
	btnAccept   button = "accept"
	btnReject   button = "reject"
	btnRedirect button = "redirect"
	btnContact  button = "contact"
	btnComplete button = "complete"
	btnFail     button = "fail"
	btnClaim    button = "claim"
	btnAssign   button = "assign"
	btnDetails  button = "details"
	btnReopen   button = "reopen" // undo a completion (staff web)
	// btnHold puts a referral on the agency's waiting list and btnResume
	// takes it off again, to the status it was held from.
	btnHold   button = "hold"
	btnResume button = "resume"
	// btnCancel closes a referral without help (staff web): a
	// coordinator's way out of triage when the directory has nobody, the
	// referrer's for a referral sent in error, and the way off the waiting
	// list for a client who no longer needs the agency.
	btnCancel button = "cancel"
)

// action is the core action a button asks for ("" for details).
func (b button) action() core.Action {
	if b == btnDetails {
		return ""
	}
	return core.Action(b)
}

// cardView is what a referral card shows, the same in Slack and in the
// staff inbox. It never carries the client's name, phone, email, full
// postcode or notes: cards live in channel history.
type cardView struct {
	ID        core.ReferralID
	Version   int
	Reference string
	Kind      string // KindAgency or KindTriage
	Needs     []string
	Crisis    bool
	District  string
	// Language is the client's language in English ("Polish"); Interpreter:
	// they asked for an interpreter.
	Language    string
	Interpreter bool
	Source      core.Source
	Leaflet     string
	FromAgency  string
	ToAgency    string
	Received    time.Time
	AckDue      time.Time // zero when there is no clock running
	// Due is what the referral waits on and by when (core.Referral.Due),
	// and Overdue whether that time has passed: the inbox's rule.
	Due        core.Due
	Overdue    bool
	AckedAfter time.Duration // how long acknowledgement took, when acknowledged
	Acked      bool
	Status     core.Status
	Open       bool
	InTriage   bool
	Triaged    bool
	ActedBy    string // "Ailsa Brodie (Kirkton Citizens Advice)", or "" when nobody has acted
	ActedAt    time.Time
	Reason     string // the rejection reason, in words
	Redirected bool
	RedirectTo string
	ClaimedBy  string
	AssignedBy string
	AssignedAt time.Time
	Buttons    []button
	Mention    string // put at the top of a crisis card waiting in triage ("<!here>")
	Now        time.Time
	Location   *time.Location

	// InterpreterLabel says for which language an interpreter is wanted,
	// in core's words ("Interpreter wanted: Romanian"; "" when none is).
	InterpreterLabel string

	// RedirectedBy is the agency that redirected the referral to where it
	// is, "" when none did; RedirectWhy says its adviser wrote why. The
	// words themselves (redirectFeedback) never reach a Slack card: see
	// redirectOrigin.
	RedirectedBy     string
	RedirectWhy      bool
	redirectFeedback string

	// HolderRetired says the agency holding the referral (ToAgency) has
	// left the network: see LeftNetwork.
	HolderRetired bool

	// Helpline and HelplineHours are the network's helpline and its
	// opening hours, named on an open crisis card outside working hours
	// (outOfHoursHelpline).
	Helpline, HelplineHours string
}

// Value is what a card's buttons carry: the referral and the version the
// person saw, so a click on a stale card loses the optimistic check.
func (v cardView) Value() string { return buttonValue(v.ID, v.Version) }

func buttonValue(id core.ReferralID, version int) string {
	return fmt.Sprintf("%d:%d", id, version)
}

// parseButtonValue reads "ID:VERSION" back. A version is 1 or more: core
// takes 0 as "whatever is current", which no card ever meant.
func parseButtonValue(s string) (core.ReferralID, int, error) {
	a, b, ok := strings.Cut(s, ":")
	id, err1 := strconv.ParseInt(a, 10, 64)
	ver, err2 := strconv.Atoi(b)
	if !ok || err1 != nil || err2 != nil || id <= 0 || ver < 1 {
		return 0, 0, fmt.Errorf("button value %q is not referral:version", s)
	}
	return core.ReferralID(id), ver, nil
}

// Age is how long ago the referral arrived.
func (v cardView) Age() time.Duration { return v.Now.Sub(v.Received) }

// AckedIn says how long acknowledgement took, in words: "after 2h 5m", or
// "within a minute" when it took less (never "after 0m").
func (v cardView) AckedIn() string {
	if v.AckedAfter < time.Minute {
		return "within a minute"
	}
	return "after " + humanDuration(v.AckedAfter)
}

// DueLine is what is due in one line, as the inbox shows it ("Contact
// the client by …"), "" when nothing is.
func (v cardView) DueLine() string { return v.Due.Line(v.Now, v.Location) }

// FollowUp reports whether what is due comes after the acknowledgement
// (contacting the client, reviewing a waiting list place), which the
// card's acknowledgement line does not tell.
func (v cardView) FollowUp() bool {
	return v.Due.Kind == core.DueContact || v.Due.Kind == core.DueReview
}

// DueIn is how long is left to acknowledge (negative when overdue).
func (v cardView) DueIn() time.Duration { return v.AckDue.Sub(v.Now) }

// buildView reads what the card of a referral needs: agency names, who
// acted, the acknowledgement clock. It is used by the Slack renderer and
// the staff inbox alike.
func buildView(ctx context.Context, eng *core.Engine, r core.Referral, kind string) (cardView, error) {
	cal, err := eng.Calendar(ctx)
	if err != nil {
		return cardView{}, err
	}
	v := cardView{
		ID: r.ID, Version: r.Version, Reference: r.Reference, Kind: kind, Crisis: r.Crisis,
		District: r.PostcodeDistrict, Source: r.Source, Leaflet: r.LeafletCode, Received: r.CreatedAt,
		Status: r.Status, Open: r.Status.Open(), InTriage: r.InTriage(), Triaged: r.Triaged,
		ActedAt: r.StatusAt, Now: eng.Clock().Now(), Location: cal.Location,
	}
	for _, n := range r.Needs {
		v.Needs = append(v.Needs, n.Label())
	}
	code, need, err := eng.ClientLanguages(ctx, r.ClientID)
	if err != nil {
		return cardView{}, err
	}
	v.Language, v.Interpreter, v.InterpreterLabel = languageName(code), need.Wanted, need.Label()
	if err := redirectOrigin(ctx, eng, r, &v); err != nil {
		return cardView{}, err
	}
	names := agencyNames{eng: eng}
	if r.FromAgencyID != nil {
		if v.FromAgency, err = names.name(ctx, *r.FromAgencyID); err != nil {
			return cardView{}, err
		}
	}
	var to core.Agency
	if r.ToAgencyID != nil {
		if to, err = names.get(ctx, *r.ToAgencyID); err != nil {
			return cardView{}, err
		}
		v.ToAgency, v.HolderRetired = to.Name, to.RetiredAt != nil
	}
	if r.StatusBy != nil && r.Status != core.StatusRequested {
		v.ActedBy = staffName(ctx, eng, *r.StatusBy)
	} else if r.Status != core.StatusRequested {
		v.ActedBy = "Onward"
	}
	if r.TriageClaimedBy != nil {
		v.ClaimedBy = staffName(ctx, eng, *r.TriageClaimedBy)
	}
	if r.Reason != nil {
		v.Reason = r.Reason.Label()
		v.Redirected = *r.Reason == core.ReasonRedirected
	}

	// The clock starts when the referral reached the agency: creation, or
	// the coordinator's assignment for a triaged one. Core stores both the
	// assignment time and the due time.
	routedAt := r.CreatedAt
	if r.AssignedAt != nil {
		routedAt, v.AssignedAt = *r.AssignedAt, *r.AssignedAt
	}
	if kind == KindTriage && r.AssignedAt != nil {
		// Who assigned it is in the audit log.
		evs, err := eng.ReferralEvents(ctx, r.ID)
		if err != nil {
			return cardView{}, err
		}
		for _, ev := range evs {
			if ev.Kind == core.EventAssigned && ev.ActorID != nil {
				v.AssignedBy = staffName(ctx, eng, *ev.ActorID)
			}
		}
	}
	if v.Redirected {
		// Where it went, named as the referrer's email and Slack notice name it.
		if v.RedirectTo, _, err = eng.RedirectedTo(ctx, r); err != nil {
			return cardView{}, err
		}
	}
	switch {
	case r.AcknowledgedAt != nil:
		v.Acked, v.AckedAfter = true, r.AcknowledgedAt.Sub(routedAt)
	case r.ToAgencyID != nil && r.Status == core.StatusRequested:
		if r.AckDueAt != nil {
			v.AckDue = *r.AckDueAt
		} else {
			// Rows from before core stored the due time.
			v.AckDue = cal.AddWorkingHours(routedAt, time.Duration(to.AckTargetHours)*time.Hour)
		}
	}
	v.Due = r.Due()
	v.Overdue = v.Due.Overdue(v.Now)
	v.Buttons = buttonsFor(r, to, kind)
	v.Helpline, v.HelplineHours = outOfHoursHelpline(cal, v.Now, r)
	return v, nil
}

// buttonsFor lists the buttons valid for the referral in its status, in
// this channel: no stale buttons. holder is the agency holding it (zero
// when none does): while it has left the network, core lets a
// coordinator redirect the referrals it kept (core.Referral.AllowedHeldBy),
// so the card offers Redirect… too; who pressed is checked at the press
// (core.Engine.ActRefusal), since everyone in the channel sees the card.
func buttonsFor(r core.Referral, holder core.Agency, kind string) []button {
	var out []button
	if kind == KindTriage {
		if !r.InTriage() {
			return nil
		}
		if r.TriageClaimedBy == nil && r.Allowed(core.ActionClaim) {
			out = append(out, btnClaim)
		}
		if r.Allowed(core.ActionAssign) {
			out = append(out, btnAssign)
		}
		return append(out, btnDetails)
	}
	for _, b := range []button{btnAccept, btnReject, btnRedirect, btnHold, btnResume, btnContact, btnComplete, btnFail} {
		if r.AllowedHeldBy(holder, b.action()) {
			out = append(out, b)
		}
	}
	if r.Status.Open() && r.ToAgencyID != nil {
		out = append(out, btnDetails)
	}
	return out
}

// webButtons are the buttons a referral's page on the staff web offers
// the member of staff looking at it (by): the card's actions, the waiting
// list's hold and resume, and cancel where it is the way out, each kept
// only when core says this person may take it on the referral as it
// stands (core.Actor.MayAct), so nothing is offered that can only be
// refused; and View details only when core would show them (mayDisclose,
// from core.Engine.MayDiscloseClient). Slack's cards keep buttonsFor:
// they are seen in the holding agency's channel, by its staff.
func webButtons(r core.Referral, kind string, by core.Actor, mayDisclose bool) []button {
	var candidates []button
	if kind == KindTriage {
		if r.TriageClaimedBy == nil {
			candidates = append(candidates, btnClaim)
		}
		candidates = append(candidates, btnAssign)
	} else {
		candidates = append(candidates, btnAccept, btnReject, btnRedirect, btnHold, btnResume, btnContact, btnComplete, btnFail)
	}
	if offersCancel(r, by) {
		candidates = append(candidates, btnCancel)
	}
	var out []button
	for _, b := range candidates {
		if by.MayAct(r, b.action()) {
			out = append(out, b)
		}
	}
	if mayDisclose {
		out = append(out, btnDetails)
	}
	return out
}

// offersCancel is where cancel is the way to close a referral, whoever
// core lets do it. The agency holding an open referral closes it by
// rejecting it, or by saying the client could not be contacted or was
// helped; from its waiting list, where none of those starts, it cancels.
// The referring agency's staff have no other action: cancelling is how
// they take back a referral sent in error. Coordinators act as the holder
// would (and close from triage with a form of their own).
func offersCancel(r core.Referral, by core.Actor) bool {
	if r.Status == core.StatusOnHold {
		return true
	}
	referrer := r.FromAgencyID != nil && *r.FromAgencyID == by.AgencyID
	holder := r.ToAgencyID != nil && *r.ToAgencyID == by.AgencyID
	return referrer && !holder && !by.Coordinates()
}

// staffName names a member of staff with their agency, the way cards and
// conflicts show who acted. Staff who have left are still named by role.
func staffName(ctx context.Context, eng *core.Engine, id core.StaffID) string {
	s, err := eng.StaffByID(ctx, id)
	if err != nil {
		return "a former member of staff"
	}
	return s.Name + " (" + s.AgencyName + ")"
}

// agencyNames looks agencies up once per card.
type agencyNames struct {
	eng   *core.Engine
	cache map[core.AgencyID]core.Agency
}

func (n *agencyNames) get(ctx context.Context, id core.AgencyID) (core.Agency, error) {
	if a, ok := n.cache[id]; ok {
		return a, nil
	}
	a, err := n.eng.Agency(ctx, id)
	if errors.Is(err, core.ErrNotFound) {
		return core.Agency{ID: id, Name: "an agency no longer in the directory"}, nil
	}
	if err != nil {
		return core.Agency{}, err
	}
	if n.cache == nil {
		n.cache = map[core.AgencyID]core.Agency{}
	}
	n.cache[id] = a
	return a, nil
}

func (n *agencyNames) name(ctx context.Context, id core.AgencyID) (string, error) {
	a, err := n.get(ctx, id)
	return a.Name, err
}
