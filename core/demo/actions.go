package demo

import (
	"errors"
	"slices"
	"time"

	"github.com/onward-network/onward/core"
)

// routed follows a referral that has reached an agency: someone there
// acknowledges it, within the agency's target most of the time.
func (s *sim) routed(r core.Referral) {
	if !s.now().Before(s.cutoff) {
		return // a recent referral: left waiting for the demo user
	}
	a := s.net.byID[*r.ToAgencyID]
	h := s.rng.ExpFloat64() * 0.45 * float64(a.AckTargetHours)
	if r.Crisis {
		h *= 0.3
	}
	s.at(s.staffTime(h), func() error { return s.respond(r.ID) })
}

// respond is the agency's first answer: accept most, reject some with a
// reason, pass some on, put some on the waiting list.
func (s *sim) respond(id core.ReferralID) error {
	r, err := s.referral(id)
	if err != nil || r.Status != core.StatusRequested || r.ToAgencyID == nil {
		return err
	}
	by := s.adviser(*r.ToAgencyID).Actor()
	x := s.rng.Float64()
	if s.atCapacity[*r.ToAgencyID] {
		x = 0.8 + s.rng.Float64()*0.13 // a full agency mostly holds or passes on
	}
	switch {
	case x < 0.68:
		if _, err := s.act(r, core.ActionAccept, by); err != nil {
			return err
		}
		s.at(s.staffTime(2+s.rng.Float64()*30), func() error { return s.afterAccept(id) })
	case x < 0.80:
		return s.reject(r, by)
	case x < 0.87 && r.SelfReferral():
		return s.redirect(r, by)
	case x < 0.87:
		return s.reject(r, by)
	case x < 0.93:
		return s.hold(r, by)
	case x < 0.98:
		if s.rng.Float64() < 0.4 && s.phones[id] != "" && r.SelfReferral() {
			by = core.ClientActor
		}
		_, err := s.eng.Act(s.ctx, core.TransitionRequest{Referral: id, Action: core.ActionCancel, Actor: by,
			Feedback: pickOne(s.rng, cancelNotes)})
		return err
	}
	return nil // not acknowledged: it shows as overdue
}

func (s *sim) act(r core.Referral, a core.Action, by core.Actor) (core.TransitionResult, error) {
	return s.eng.Act(s.ctx, core.TransitionRequest{Referral: r.ID, Action: a, Actor: by, ExpectedVersion: r.Version})
}

// reject turns a referral down with a coded reason. A rejected
// self-referral comes back to triage as a new referral.
func (s *sim) reject(r core.Referral, by core.Actor) error {
	rj := pickOne(s.rng, rejections)
	res, err := s.eng.Act(s.ctx, core.TransitionRequest{Referral: r.ID, Action: core.ActionReject, Actor: by,
		ExpectedVersion: r.Version, Reason: rj.reason, Feedback: rj.feedback})
	if err != nil {
		return err
	}
	if res.Child != nil {
		s.inherit(r, *res.Child)
		if res.Child.ToAgencyID != nil {
			s.routed(*res.Child)
		} else {
			s.triage(*res.Child)
		}
	}
	return nil
}

// redirect passes a self-referral to a better-placed agency.
func (s *sim) redirect(r core.Referral, by core.Actor) error {
	to, ok, err := s.target(r.Needs, r.PostcodeDistrict, slices.Concat(s.tried[r.ID], []core.AgencyID{*r.ToAgencyID}))
	if err != nil {
		return err
	}
	if !ok {
		return s.reject(r, by)
	}
	res, err := s.eng.Act(s.ctx, core.TransitionRequest{Referral: r.ID, Action: core.ActionRedirect, Actor: by,
		ExpectedVersion: r.Version, ToAgency: to, Feedback: pickOne(s.rng, redirectNotes)})
	if err != nil {
		return err
	}
	s.inherit(r, *res.Child)
	s.routed(*res.Child)
	return nil
}

// inherit carries what the seeder knows about a referral on to the one
// that continues it.
func (s *sim) inherit(parent, child core.Referral) {
	tried := append([]core.AgencyID(nil), s.tried[parent.ID]...)
	if parent.ToAgencyID != nil {
		tried = append(tried, *parent.ToAgencyID)
	}
	s.tried[child.ID] = tried
	s.phones[child.ID] = s.phones[parent.ID]
}

// hold puts a referral on the waiting list; most come off it weeks later.
func (s *sim) hold(r core.Referral, by core.Actor) error {
	if _, err := s.act(r, core.ActionHold, by); err != nil {
		return err
	}
	if s.rng.Float64() < 0.6 {
		s.at(s.staffTime((5+s.rng.Float64()*20)*8), func() error { return s.resume(r.ID) })
	}
	return nil
}

// resume takes a referral off the waiting list and carries on from where
// it was.
func (s *sim) resume(id core.ReferralID) error {
	r, err := s.referral(id)
	if err != nil || r.Status != core.StatusOnHold {
		return err
	}
	res, err := s.act(r, core.ActionResume, s.adviser(*r.ToAgencyID).Actor())
	if err != nil {
		return err
	}
	if res.Referral.Status == core.StatusAccepted {
		s.at(s.staffTime(1+s.rng.Float64()*16), func() error { return s.afterAccept(id) })
	} else {
		s.at(s.staffTime(1+s.rng.Float64()*8), func() error { return s.respond(id) })
	}
	return nil
}

// afterAccept is the agency trying to reach the client.
func (s *sim) afterAccept(id core.ReferralID) error {
	r, err := s.referral(id)
	if err != nil || r.Status != core.StatusAccepted {
		return err
	}
	by := s.adviser(*r.ToAgencyID).Actor()
	phone := s.phones[id]
	x := s.rng.Float64()
	switch {
	case x < 0.05 && phone != "" && r.SelfReferral() && !s.askedOnce[id]:
		// The contact check text: the client says nobody has called yet,
		// which alerts the coordinators; the agency gets there a day later.
		s.askedOnce[id] = true
		if err := s.eng.AnswerContactCheck(s.ctx, phone, id, false); err != nil {
			return err
		}
		s.at(s.staffTime(4+s.rng.Float64()*8), func() error { return s.afterAccept(id) })
	case x < 0.80:
		if phone != "" && r.SelfReferral() && s.rng.Float64() < 0.2 {
			if err := s.eng.AnswerContactCheck(s.ctx, phone, id, true); err != nil {
				return err
			}
		} else if _, err := s.act(r, core.ActionContact, by); err != nil {
			return err
		}
		s.at(s.staffTime((2+s.rng.Float64()*20)*8), func() error { return s.afterContact(id) })
	case x < 0.88:
		_, err := s.act(r, core.ActionFail, by) // could not reach the client
		return err
	case x < 0.94:
		return s.hold(r, by)
	case x < 0.97:
		_, err := s.eng.Act(s.ctx, core.TransitionRequest{Referral: id, Action: core.ActionCancel, Actor: by,
			ExpectedVersion: r.Version, Feedback: pickOne(s.rng, cancelNotes)})
		return err
	}
	return nil // accepted, not yet contacted
}

// afterContact is the help being given, and how it ends.
func (s *sim) afterContact(id core.ReferralID) error {
	r, err := s.referral(id)
	if err != nil || r.Status != core.StatusInProgress {
		return err
	}
	by := s.adviser(*r.ToAgencyID).Actor()
	switch x := s.rng.Float64(); {
	case x < 0.82:
		if _, err := s.eng.Act(s.ctx, s.completion(r, by)); err != nil {
			return err
		}
		if phone := s.phones[id]; phone != "" && r.SelfReferral() && s.rng.Float64() < 0.6 {
			s.at(s.clientTime(1, 48), func() error { return s.score(id, phone) })
		}
	case x < 0.92:
		// The client stopped answering: they were reached, so the help
		// ends as a completion (Could not contact is for a client never
		// reached, core.FailAfterContact).
		req := s.completion(r, by)
		req.Outcome, req.Gain = core.OutcomeOther, core.Gain{}
		_, err := s.eng.Act(s.ctx, req)
		return err
	case x < 0.95:
		_, err := s.eng.Act(s.ctx, core.TransitionRequest{Referral: id, Action: core.ActionCancel, Actor: by,
			ExpectedVersion: r.Version, Feedback: pickOne(s.rng, cancelNotes)})
		return err
	}
	return nil // still being helped
}

// scores are how helpful clients said the help was, 1 to 5.
var scores = []int{5, 5, 5, 5, 5, 5, 5, 5, 5, 4, 4, 4, 4, 4, 4, 3, 3, 3, 2, 1}

// score is the client answering the feedback text.
func (s *sim) score(id core.ReferralID, phone core.Phone) error {
	score := pickOne(s.rng, scores)
	if err := s.eng.RecordFeedbackScore(s.ctx, phone, id, score); err != nil {
		return err
	}
	// About half leave a comment; most answer the recommendation.
	comment := ""
	if s.rng.Float64() < 0.5 {
		comment = pickOne(s.rng, feedbackComments)
	}
	if err := s.eng.RecordFeedbackComment(s.ctx, phone, id, comment, ""); err != nil {
		return err
	}
	var recommend *bool
	if s.rng.Float64() < 0.8 {
		yes := score >= 3 || s.rng.Float64() < 0.2
		recommend = &yes
	}
	return s.eng.RecordFeedbackRecommend(s.ctx, phone, id, recommend)
}

var feedbackComments = []string{"Very helpful, thank you", "The adviser was kind and quick",
	"Took a while to hear back", "Sorted my benefit claim", "I feel less worried about my debts now"}

// completion is how the demo's advisers complete a referral: help given,
// the advice type, a topic for its first need and, for most money
// referrals, a financial gain.
func (s *sim) completion(r core.Referral, by core.Actor) core.TransitionRequest {
	req := core.TransitionRequest{Referral: r.ID, Action: core.ActionComplete, Actor: by, ExpectedVersion: r.Version,
		Outcome: core.OutcomeHelpGiven, AdviceType: pickOne(s.rng, []core.AdviceType{core.AdviceTypeI, core.AdviceTypeII, core.AdviceTypeII, core.AdviceTypeIII}),
		AdviceTopic: "other"}
	if len(r.Needs) > 0 {
		req.AdviceTopic = map[core.Need]string{core.NeedDebt: "debt", core.NeedBenefits: "benefits", core.NeedIncomeMax: "benefits",
			core.NeedHousing: "housing", core.NeedEmployability: "employment", core.NeedFuel: "energy"}[r.Needs[0]]
		if req.AdviceTopic == "" {
			req.AdviceTopic = "other"
		}
	}
	if r.OffersGain() && s.rng.Float64() < 0.7 {
		pounds := func(lo, hi int) int64 { return int64(lo+s.rng.IntN(hi-lo)) * 100 }
		switch x := s.rng.Float64(); {
		case x < 0.4:
			req.Gain.WeeklyIncome = pounds(10, 120)
		case x < 0.7:
			req.Gain.OneOffIncome = pounds(100, 3000)
		case x < 0.85:
			req.Gain.DebtWrittenOff = pounds(500, 15000)
		default:
			req.Gain.DebtManaged = pounds(1000, 25000)
		}
	}
	return req
}

// withdraw is a client calling the helpline to withdraw consent: it is
// withdrawn and their open referrals are cancelled.
func (s *sim) withdraw(client core.ClientID, phone core.Phone) error {
	_, err := s.eng.WithdrawConsent(s.ctx, client, core.ClientActor, "helpline call")
	if errors.Is(err, core.ErrNotFound) {
		return nil // already withdrawn
	}
	return err
}

// triage is a coordinator picking up a referral that waits for an agency:
// crisis referrals within the hour in working time, others within a day.
func (s *sim) triage(r core.Referral) {
	if !s.now().Before(s.cutoff) {
		return
	}
	var t time.Time
	if r.Crisis {
		t = s.cal.NextWorkingMoment(s.now()).Add(time.Duration(5+s.rng.IntN(50)) * time.Minute)
	} else {
		t = s.staffTime(0.3 + s.rng.ExpFloat64()*4)
	}
	s.at(t, func() error { return s.assign(r.ID) })
}

// assign is the coordinator sending a triage referral to an agency, or
// closing it; half the time they claim it first while they make calls.
func (s *sim) assign(id core.ReferralID) error {
	r, err := s.referral(id)
	if err != nil || !r.InTriage() {
		return err
	}
	by := s.coordinator().Actor()
	if r.TriageClaimedBy != nil {
		for _, c := range s.net.coordinators {
			if c.ID == *r.TriageClaimedBy {
				by = c.Actor() // whoever claimed it sees it through
			}
		}
	}
	if r.TriageClaimedBy == nil && s.rng.Float64() < 0.5 {
		if _, err := s.act(r, core.ActionClaim, by); err != nil {
			return err
		}
		s.at(s.now().Add(time.Duration(5+s.rng.IntN(40))*time.Minute), func() error { return s.assign(id) })
		return nil
	}
	to, ok, err := s.target(r.Needs, r.PostcodeDistrict, s.tried[id])
	if err != nil {
		return err
	}
	if !ok || s.rng.Float64() < 0.07 {
		_, err := s.eng.Act(s.ctx, core.TransitionRequest{Referral: id, Action: core.ActionCancel, Actor: by,
			ExpectedVersion: r.Version, Feedback: pickOne(s.rng, triageCancelNotes)})
		return err
	}
	res, err := s.eng.Act(s.ctx, core.TransitionRequest{Referral: id, Action: core.ActionAssign, Actor: by,
		ExpectedVersion: r.Version, ToAgency: to})
	if err != nil {
		return err
	}
	s.routed(res.Referral)
	return nil
}
