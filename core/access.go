package core

// MaySee reports whether the actor may see the referral at all (its card,
// status and history, never the client's details by itself): staff of the
// agency it is with, staff of the agency that made it, and coordinators;
// a partner system counts as staff of its agency (or, network-wide, as a
// coordinator).
// Every channel (staff web, Slack, partner API) asks this one rule.
func (a Actor) MaySee(r Referral) bool {
	switch {
	case a.Kind == ActorSystem:
		return true
	case !a.actsForAgency():
		return false
	case a.Coordinates():
		return true
	case r.ToAgencyID != nil && *r.ToAgencyID == a.AgencyID:
		return true
	case r.FromAgencyID != nil && *r.FromAgencyID == a.AgencyID:
		return true
	}
	return false
}
