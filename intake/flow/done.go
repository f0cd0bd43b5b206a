package flow

import (
	"github.com/onward-network/onward/core"
)

// defaultDoneNoLocalMessage is FlowMessages.DoneNoLocal for a flow file
// that names none.
const defaultDoneNoLocalMessage = "conv_done_no_local"

// NoLocalService reports whether core found no advice service in the
// directory for the client's area (core.SelfReferralResult.NoLocalService,
// the one rule: core's confirmation text follows it too). A coordinator
// then looks at the request and tells the client where to get help, so
// neither channel may promise that a local advice service will be in
// touch. The SMS confirmation (DoneMessage) and the web's confirmation
// page follow it.
func NoLocalService(res core.SelfReferralResult) bool {
	return res.NoLocalService()
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
