package bot

import (
	"context"

	"github.com/slack-go/slack"

	"github.com/onward-network/onward/core"
)

// submitRedirect sends a referral on to the agency chosen from core's
// suggestions or the list of any other. Core refuses a target the client's consent does not cover;
// the refusal shows in the modal.
func (b *Bot) submitRedirect(ctx context.Context, staff core.Staff, view slack.View) submitted {
	id, version, err := parseButtonValue(view.PrivateMetadata)
	if err != nil {
		return submitted{response: b.modalErrors(ctx, errBadButton, nil, blkAgency)}
	}
	agency, block := chosenAgency(view.State)
	_, err = b.engine.Act(ctx, core.TransitionRequest{
		Referral: id, Action: core.ActionRedirect, Actor: staff.Actor(), ExpectedVersion: version,
		ToAgency: agency, Feedback: stateValue(view.State, blkFeedback).Value,
	})
	if err != nil {
		err = &referralError{id: id, err: err}
		return submitted{response: b.modalErrors(ctx, err, map[string]string{"agency": block, "feedback": blkFeedback}, block)}
	}
	return submitted{done: true}
}
