package core

// MayAct reports whether the actor may take the action on the referral
// as it stands: the action starts from its status (Referral.Allowed) and
// admits this actor (the same rule Act enforces). Pages ask it to offer
// whoever is looking only the buttons that can work, so the rule of who
// may do what is written once, here, and never copied into a channel.
func (a Actor) MayAct(r Referral, act Action) bool {
	return r.checkAllowed(act) == nil && checkActor(r, TransitionRequest{Action: act, Actor: a}) == nil
}
