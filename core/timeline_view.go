package core

// What a member of staff reads of the referrals before theirs.
//
// A referral's story runs back through its chain: the self-referral an
// agency turned down before triage sent the client on, the referral
// another agency redirected, the one an adviser referred the client on
// from. Of a referral of the chain the viewer may not see on its own, the
// story follows RedirectOrigin's rule: which agency acted and, when it
// turned the client down (a rejection, a redirect), the words it gave why,
// since whoever helps the client next needs to read them. Not who at that
// agency did it (they read "an adviser at Kirkton Citizens Advice"), not
// that referral's reference, not the words of a cancellation, and not
// what a completion recorded (outcome, advice, financial gain): those are
// the other agency's own work with the client.

// timelineActor is who did what a timeline entry tells, as the event log
// and the staff or partner record have it.
type timelineActor struct {
	kind     ActorKind
	role     Role
	agencyID AgencyID // 0 when not known (a former member of staff)
	agency   string
}

// seesInFull reports whether the viewer is told in full what happened on
// a referral of a chain: exactly when it may see that referral on its own
// (Actor.MaySee: its agency holds it or made it, it coordinates, or it is
// Onward itself, as for a data protection request), so the story never
// tells less of a referral than the referral's own page, nor more.
func (a Actor) seesInFull(l ChainLink) bool { return a.MaySee(l.Referral) }

// tell cuts en, which happened on link, to what the viewer may read of
// it; chain holds the chain's referrals by reference, by is who did it.
func (a Actor) tell(en *TimelineEntry, link ChainLink, chain map[string]ChainLink, by timelineActor) {
	seesActed := a.seesInFull(link)
	if en.CarriedOn {
		// A referral carried on from another was made by whoever closed
		// that one (the redirect, the rejection): who made it is told as
		// that referral's entries are.
		parent, ok := chain[en.FromParent]
		seesActed = ok && a.seesInFull(parent)
		if !seesActed {
			en.FromParent = ""
		}
	}
	if !seesActed && !a.colleagueOf(by) {
		if who := by.byAgency(); who != "" {
			en.Actor, en.ActorAgency = who, ""
		}
	}
	if a.seesInFull(link) {
		return
	}
	en.Reference = ""
	if en.To != StatusRejected {
		en.Feedback = ""
	}
	en.Outcome, en.AdviceType, en.AdviceTopic, en.Gain = "", "", "", Gain{}
}

// colleagueOf reports whether by works for the viewer's own agency, whose
// people the viewer may know by name wherever they acted.
func (a Actor) colleagueOf(by timelineActor) bool {
	return a.actsForAgency() && a.AgencyID != 0 && by.agencyID == a.AgencyID
}

// byAgency names a member of staff or a partner system by its agency and
// role only; "" for the client and Onward, who are named as they are.
func (by timelineActor) byAgency() string {
	switch {
	case by.kind == ActorPartner && by.agency != "":
		return "a partner system of " + by.agency
	case by.kind == ActorPartner:
		return "a partner system"
	case by.kind != ActorStaff:
		return ""
	case by.agency == "":
		return "a former member of staff"
	case by.role == RoleCoordinator || by.role == RoleAdmin:
		return "a coordinator at " + by.agency
	default:
		return "an adviser at " + by.agency
	}
}
