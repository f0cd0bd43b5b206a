package flow

import (
	"github.com/onward-network/onward/core"
)

// defaultDoneNoLocalMessage is FlowMessages.DoneNoLocal for a flow file
// that names none.
const defaultDoneNoLocalMessage = "conv_done_no_local"

// DoneMessage is the text that ends the conversation once core has
// recorded the referral: Messages.DoneNoLocal when no advice service can
// take it (core.SelfReferralResult.NoLocalService), else Messages.Done. Its keys are Done's. A
// client who asked for a call-back (callback) is phoned by the network's
// own team whatever the directory holds, as Done says.
func (f *Flow) DoneMessage(res core.SelfReferralResult, callback bool) string {
	if !callback && res.NoLocalService() && f.Messages.DoneNoLocal != "" {
		return f.Messages.DoneNoLocal
	}
	return f.Messages.Done
}
