package core_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/onward-network/onward/core"
	"github.com/onward-network/onward/core/coretest"
)

// A partner system's review: a rejection with a reason Onward does not
// know said only "choose a reason", naming neither the value sent nor the
// codes there are. It names both; a reason left out is asked for as
// before.
func TestRejectionWithAnUnknownReasonNamesTheCodes(t *testing.T) {
	t.Parallel()
	env := coretest.NewEnv(t)
	ctx := context.Background()
	res, err := env.Engine.SelfRefer(ctx, coretest.SelfReferral("reject-bogus"))
	if err != nil {
		t.Fatal(err)
	}
	for reason, want := range map[core.Reason]string{
		"bogus": `"bogus" is not a reason for rejecting a referral: choose one of not-eligible, no-capacity`,
		"":      "choose a reason for rejecting the referral",
	} {
		_, err := env.Engine.Act(ctx, core.TransitionRequest{Referral: res.Referral.ID, Action: core.ActionReject,
			Actor: env.Net.Adviser.Actor(), Reason: reason, Feedback: "We cover Kirkton only"})
		var ve *core.ValidationError
		if !errors.As(err, &ve) || !strings.Contains(ve.Field("reason"), want) {
			t.Errorf("reject with reason %q: %v, want the reason refused saying %q", reason, err, want)
		}
	}
}
