package flow

import (
	"github.com/onward-network/onward/core"
	"github.com/onward-network/onward/core/lang"
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

// DoneKeys are the keys DoneMessage's text takes from what core recorded
// (res) and the network's settings (n), beside the reply's own:
// Reference; Days, the working days to wait before calling the helpline
// (core.Network.ClientWaitDays, by whether it is a crisis); and Triage,
// true when the referral waits for a coordinator to choose its agency
// (every crisis self-referral, and any without one clear match), so the
// text says a coordinator will pass it to the service that can help,
// never that a local service will be in touch, which no agency chosen
// yet can promise.
func DoneKeys(res core.SelfReferralResult, n core.Network) map[string]any {
	return map[string]any{
		"Reference":   res.Referral.Reference,
		lang.CountKey: n.ClientWaitDays(res.Referral.Crisis),
		"Triage":      res.Referral.InTriage(),
	}
}
