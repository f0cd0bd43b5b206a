package bot

import (
	"context"

	"github.com/slack-go/slack"

	"github.com/onward-network/onward/core"
)

// submitAssign sends a triage referral to the agency a coordinator chose
// (a suggestion or any other agency);
// core posts its card to that agency's channel through the outbox.
func (b *Bot) submitAssign(ctx context.Context, staff core.Staff, view slack.View) submitted {
	id, version, err := parseButtonValue(view.PrivateMetadata)
	if err != nil {
		return submitted{response: b.modalErrors(ctx, errBadButton, nil, blkAgency)}
	}
	agency, block := chosenAgency(view.State)
	_, err = b.engine.Act(ctx, core.TransitionRequest{
		Referral: id, Action: core.ActionAssign, Actor: staff.Actor(), ExpectedVersion: version,
		ToAgency: agency,
	})
	if err != nil {
		return submitted{response: b.modalErrors(ctx, err, map[string]string{"agency": block}, block)}
	}
	return submitted{done: true}
}
