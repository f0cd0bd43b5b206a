package core

// MayAct reports whether the actor may take the action on the referral
// as it stands: the action starts from its status (Referral.Allowed) and
// admits this actor (the same rule Act enforces). Pages ask it to offer
// whoever is looking only the buttons that can work, so the rule of who
// may do what is written once, here, and never copied into a channel.
func (a Actor) MayAct(r Referral, act Action) bool { return a.Refusal(r, act) == nil }

// Refusal is why the actor may not take the action on the referral as it
// stands, in the words Act would refuse it with (a *TransitionError or a
// *ForbiddenError), or nil when MayAct says yes. A channel that turns
// someone away before a form is filled in says what Act would have said.
func (a Actor) Refusal(r Referral, act Action) error {
	if err := r.checkAllowed(act); err != nil {
		return err
	}
	return checkActor(r, TransitionRequest{Action: act, Actor: a})
}
