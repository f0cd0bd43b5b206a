package bot

import (
	"context"

	"github.com/slack-go/slack"

	"github.com/onward-network/onward/core"
)

// submitReject rejects a referral with the coded reason and feedback from
// the Reject… modal.
func (b *Bot) submitReject(ctx context.Context, staff core.Staff, view slack.View) submitted {
	id, version, err := parseButtonValue(view.PrivateMetadata)
	if err != nil {
		return submitted{response: b.modalErrors(ctx, errBadButton, nil, blkReason)}
	}
	_, err = b.engine.Act(ctx, core.TransitionRequest{
		Referral: id, Action: core.ActionReject, Actor: staff.Actor(), ExpectedVersion: version,
		Reason:   core.Reason(stateValue(view.State, blkReason).SelectedOption.Value),
		Feedback: stateValue(view.State, blkFeedback).Value,
	})
	if err != nil {
		return submitted{response: b.modalErrors(ctx, err, map[string]string{"reason": blkReason, "feedback": blkFeedback}, blkReason)}
	}
	return submitted{done: true}
}
