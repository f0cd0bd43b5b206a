package core

import "slices"

// NoLocalService reports whether the directory has no advice service for
// the client's area: none that offers what they need serves it (a
// postcode outside the network's), or none offers it at all. A
// coordinator then looks at the request and tells the client where to
// get help, so nothing the client is told may promise that a local
// advice service will be in touch. It is the one rule behind every
// confirmation: the text core queues for a web referral
// (SMSConfirmationNoLocal), the SMS conversation's last text and the web
// form's confirmation page.
//
// A replayed result carries no match (SelfRefer returns the referral
// first recorded), so it reports false: the client is told what a
// referral waiting for a coordinator is told. So does a client whose area
// is not known (no postcode, no town Onward knows): nothing says it is
// outside the network's.
func (r SelfReferralResult) NoLocalService() bool {
	if r.Agency != nil || r.Replayed || len(r.Match.Suggestions) > 0 || r.Referral.PostcodeDistrict == "" {
		return false
	}
	// An agency that serves the area but was left out for another
	// reason (at capacity, not in the client's language, agencies
	// only) is one a coordinator may still ask: the area is served.
	for _, x := range r.Match.Excluded {
		if !slices.ContainsFunc(x.Reasons, func(m MatchReason) bool { return m.Kind == WhyNotServed }) {
			return false
		}
	}
	return true
}

// confirmationKind is the client text that confirms a self-referral
// recorded as res: SMSConfirmationNoLocal when no local advice service
// can take it (NoLocalService), whose words say a coordinator will look
// for the right help, else SMSConfirmation ("we will text you when it is
// picked up").
func confirmationKind(res SelfReferralResult) string {
	if res.NoLocalService() {
		return SMSConfirmationNoLocal
	}
	return SMSConfirmation
}
