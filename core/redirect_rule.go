package core

// Where a redirect may go, defined once: core refuses the targets
// RedirectRefusal names, and the pages offering targets ask it of each
// agency, so what they offer and what core accepts agree.

// RedirectRefusal is why core refuses to redirect referral r, at by's
// hands, to agency to, or nil when it may go there.
func RedirectRefusal(r Referral, by Actor, to AgencyID) error {
	if err := holderRefusal(r, to); err != nil {
		return err
	}
	if by.Coordinates() {
		return coordinatorOwnAgencyRefusal(r, by, to)
	}
	return nil
}

// RedirectSuggests reports whether agency to is among the suggestions for
// redirecting r at by's hands: an agency core accepts (RedirectRefusal)
// other than the one that sent r, since rejecting it is how a referral
// goes back to its sender, with a reason. The sender stays in the list of
// every other agency, as core accepts it.
func RedirectSuggests(r Referral, by Actor, to AgencyID) bool {
	if r.FromAgencyID != nil && *r.FromAgencyID == to {
		return false
	}
	return RedirectRefusal(r, by, to) == nil
}

// holderRefusal refuses to send r to the agency it is with: that would
// move nothing.
func holderRefusal(r Referral, to AgencyID) error {
	if r.ToAgencyID != nil && *r.ToAgencyID == to {
		return &ValidationError{Fields: []FieldError{{Field: "agency", Message: "choose a different agency from the one the referral is with"}}}
	}
	return nil
}

// coordinatorOwnAgencyRefusal is the one limit on a coordinator acting on
// any agency's referral: they may not redirect a referral another agency
// holds to their own agency. Coordinators see a client's details only
// while the referral waits in triage (Actor.MayDisclose), but the agency
// holding a referral sees them, so such a redirect would hand the
// coordinator the details the rule refuses, and take the referral from
// the agency that had it. Redirecting it anywhere else, and assigning a
// referral from triage to their own agency (when it provides the
// service, a coordinator's everyday job, on a referral whose details
// they already see), stay open to them; so does redirecting a referral
// their own agency holds, as any of its staff may.
func coordinatorOwnAgencyRefusal(r Referral, by Actor, to AgencyID) error {
	holds := r.ToAgencyID != nil && *r.ToAgencyID == by.AgencyID
	if to == by.AgencyID && !holds {
		return &ForbiddenError{Why: "a coordinator cannot redirect another agency's referral to their own agency, " +
			"where they would see the client's details: choose another agency, or ask the agency holding it to redirect it"}
	}
	return nil
}
