package flow

import (
	"slices"

	"github.com/onward-network/onward/core"
)

// defaultDoneNoLocalMessage is FlowMessages.DoneNoLocal for a flow file
// that names none.
const defaultDoneNoLocalMessage = "conv_done_no_local"

// NoLocalService reports whether core found no advice service in the
// directory for the client's area: none that offers what they need
// serves it (a postcode outside the network's), or none offers it at
// all. A coordinator then looks at the request and tells
// the client where to get help, so neither channel may promise that a
// local advice service will be in touch. It is the one rule the SMS
// confirmation (DoneMessage) and the web's confirmation page follow.
//
// A replayed result carries no match (core returns the referral first
// recorded), so it reports false: the client is told what a referral
// waiting for a coordinator is told. So does a client whose area is not
// known (no postcode, no town Onward knows): nothing says it is outside
// the network's.
func NoLocalService(res core.SelfReferralResult) bool {
	if res.Agency != nil || res.Replayed || len(res.Match.Suggestions) > 0 || res.Referral.PostcodeDistrict == "" {
		return false
	}
	// An agency that serves the area but was left out for another
	// reason (at capacity, not in the client's language, agencies
	// only) is one a coordinator may still ask: the area is served.
	for _, x := range res.Match.Excluded {
		if !slices.ContainsFunc(x.Reasons, func(r core.MatchReason) bool { return r.Kind == core.WhyNotServed }) {
			return false
		}
	}
	return true
}

// DoneMessage is the text that ends the conversation once core has
// recorded the referral: Messages.DoneNoLocal when no advice service can
// take it (NoLocalService), else Messages.Done. Its keys are Done's. A
// client who asked for a call-back (callback) is phoned by the network's
// own team whatever the directory holds, as Done says.
func (f *Flow) DoneMessage(res core.SelfReferralResult, callback bool) string {
	if !callback && NoLocalService(res) && f.Messages.DoneNoLocal != "" {
		return f.Messages.DoneNoLocal
	}
	return f.Messages.Done
}
