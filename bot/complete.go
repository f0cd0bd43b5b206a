package bot

import (
	"context"

	"github.com/slack-go/slack"

	"github.com/onward-network/onward/core"
)

// Mark completed asks how the referral ended, in Slack as on the web: a
// modal with the fixed list of outcomes and an optional note.
const (
	cbComplete     = "complete"
	blkOutcome     = "outcome"
	blkOutcomeNote = "outcome_note"
)

// completeModal asks for the outcome of a referral being completed.
func completeModal(v cardView) slack.ModalViewRequest {
	opts := make([]*slack.OptionBlockObject, len(core.Outcomes))
	for i, o := range core.Outcomes {
		opts[i] = slack.NewOptionBlockObject(string(o), plainN(75, o.Label()), nil)
	}
	sel := slack.NewOptionsSelectBlockElement(slack.OptTypeStatic, plainN(150, say("modal.complete.outcome.placeholder", nil)), blkOutcome, opts...)
	return modal(cbComplete, say("modal.complete.title", nil), say("modal.complete.submit", nil), v.Value(),
		slack.NewSectionBlock(mrkdwn(say("modal.complete.intro", v)), nil, nil),
		slack.NewInputBlock(blkOutcome, plainN(2000, say("modal.complete.outcome", nil)), nil, sel),
		textInput(blkOutcomeNote, say("modal.complete.note", nil), say("modal.complete.note.hint", nil), true, true, 2000),
	)
}

// submitComplete completes a referral with the outcome from the modal.
func (b *Bot) submitComplete(ctx context.Context, staff core.Staff, view slack.View) submitted {
	id, version, err := parseButtonValue(view.PrivateMetadata)
	if err != nil {
		return submitted{response: b.modalErrors(ctx, errBadButton, nil, blkOutcome)}
	}
	_, err = b.engine.Act(ctx, core.TransitionRequest{
		Referral: id, Action: core.ActionComplete, Actor: staff.Actor(), ExpectedVersion: version,
		Outcome:     core.Outcome(stateValue(view.State, blkOutcome).SelectedOption.Value),
		OutcomeNote: stateValue(view.State, blkOutcomeNote).Value,
	})
	if err != nil {
		return submitted{response: b.modalErrors(ctx, err, map[string]string{"outcome": blkOutcome, "outcome note": blkOutcomeNote}, blkOutcome)}
	}
	return submitted{done: true}
}
