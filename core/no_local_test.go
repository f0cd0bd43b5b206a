package core_test

import (
	"context"
	"testing"

	"github.com/onward-network/onward/core"
	"github.com/onward-network/onward/core/coretest"
)

// TestWebConfirmationFollowsNoLocalService: the text confirming a web
// self-referral says what will happen. From an area no local advice
// service covers (NoLocalService) it is SMSConfirmationNoLocal, whose
// words say a coordinator will look for help; in the area, a crisis that
// waits for the coordinators included, it is the usual SMSConfirmation.
// Either goes only while the referral is open.
func TestWebConfirmationFollowsNoLocalService(t *testing.T) {
	t.Parallel()
	env := coretest.NewEnv(t)
	ctx := context.Background()
	for _, c := range []struct {
		key, postcode, phone string
		crisis               bool
		want                 string
	}{
		{"web-out", "EH1 1AA", "07700 900101", false, core.SMSConfirmationNoLocal},
		{"web-in", "KY1 1AB", "07700 900102", false, core.SMSConfirmation},
		{"web-crisis-in", "KY1 1AB", "07700 900103", true, core.SMSConfirmation},
		{"web-crisis-out", "EH1 1AA", "07700 900104", true, core.SMSConfirmationNoLocal},
	} {
		in := coretest.SelfReferral(c.key)
		in.Client.Postcode, in.Client.Phone, in.Crisis = c.postcode, c.phone, c.crisis
		in.Source, in.ConfirmBySMS = core.SourceWeb, true
		in.Consent.Channel, in.Consent.Evidence = core.ChannelWeb, "web-form:"+c.key
		res, err := env.Engine.SelfRefer(ctx, in)
		if err != nil {
			t.Fatal(err)
		}
		if got := res.NoLocalService(); got != (c.want == core.SMSConfirmationNoLocal) {
			t.Errorf("%s: NoLocalService %v", c.key, got)
		}
		kinds := outboxKinds(t, env, res.Referral.ID)
		other := core.SMSConfirmation
		if c.want == core.SMSConfirmation {
			other = core.SMSConfirmationNoLocal
		}
		if kinds["sms.client:"+c.want] != 1 || kinds["sms.client:"+other] != 0 {
			t.Errorf("%s: outbox %v, want one %s", c.key, kinds, c.want)
		}
	}
	p := core.OutboxPayload{Template: core.SMSConfirmationNoLocal}
	for status, want := range map[core.Status]bool{core.StatusRequested: true, core.StatusAccepted: true,
		core.StatusRejected: false, core.StatusCancelled: false} {
		if due, _ := (core.Referral{Status: status}).StillDue(core.OutboxClientSMS, p); due != want {
			t.Errorf("the no-local confirmation of a referral %s: due %v, want %v", status, due, want)
		}
	}
}
