package bot

import (
	"context"

	"github.com/slack-go/slack"

	"github.com/onward-network/onward/core"
)

// Mark completed asks how the referral ended, in Slack as on the web: a
// modal with the network's outcomes, the financial gain when the referral
// asks for money, benefits or debt advice (core.Referral.OffersGain), the
// National Standards advice type, the network's advice topic and an
// optional note. Each input's block id is the field core names in its
// errors, so a refusal lands beside its field.
const (
	cbComplete     = "complete"
	blkOutcome     = "outcome"
	blkOutcomeNote = "outcome_note"
	blkAdviceType  = "advice_type"
	blkAdviceTopic = "advice_topic"
)

// completeModal asks for the outcome of a referral being completed.
func completeModal(v cardView, n core.Network, offerGain bool) slack.ModalViewRequest {
	offered := n.Outcomes()
	opts := make([]*slack.OptionBlockObject, len(offered))
	for i, o := range offered {
		opts[i] = slack.NewOptionBlockObject(string(o.Outcome), plainN(75, o.Label), nil)
	}
	sel := slack.NewOptionsSelectBlockElement(slack.OptTypeStatic, plainN(150, say("modal.complete.outcome.placeholder", nil)), blkOutcome, opts...)
	blocks := []slack.Block{
		slack.NewSectionBlock(mrkdwn(say("modal.complete.intro", v)), nil, nil),
		slack.NewInputBlock(blkOutcome, plainN(2000, say("modal.complete.outcome", nil)), nil, sel),
	}
	if offerGain {
		blocks = append(blocks, slack.NewSectionBlock(mrkdwn(say("modal.complete.gain", nil)), nil, nil))
		for _, g := range core.GainFields {
			blocks = append(blocks, textInput(g.Key, g.Label+" (£)", "", false, true, 20))
		}
	}
	types := make([]*slack.OptionBlockObject, len(core.AdviceTypes))
	for i, t := range core.AdviceTypes {
		types[i] = slack.NewOptionBlockObject(string(t), plainN(75, t.Label()), nil)
	}
	topics := n.AdviceTopics()
	topicOpts := make([]*slack.OptionBlockObject, len(topics))
	for i, t := range topics {
		topicOpts[i] = slack.NewOptionBlockObject(t.ID, plainN(75, t.Label), nil)
	}
	blocks = append(blocks,
		slack.NewInputBlock(blkAdviceType, plainN(2000, say("modal.complete.advice_type", nil)), nil,
			slack.NewRadioButtonsBlockElement(blkAdviceType, types...)).WithOptional(true),
		slack.NewInputBlock(blkAdviceTopic, plainN(2000, say("modal.complete.advice_topic", nil)), nil,
			slack.NewOptionsSelectBlockElement(slack.OptTypeStatic, plainN(150, say("modal.complete.advice_topic.placeholder", nil)), blkAdviceTopic, topicOpts...)).WithOptional(true),
		textInput(blkOutcomeNote, say("modal.complete.note", nil), say("modal.complete.note.hint", nil), true, true, 2000),
	)
	return modal(cbComplete, say("modal.complete.title", nil), say("modal.complete.submit", nil), v.Value(), blocks...)
}

// completeFields maps core's field names to the modal's blocks.
func completeFields() map[string]string {
	m := map[string]string{"outcome": blkOutcome, "outcome_note": blkOutcomeNote, "advice_type": blkAdviceType, "advice_topic": blkAdviceTopic}
	for _, g := range core.GainFields {
		m[g.Key] = g.Key
	}
	return m
}

// submitComplete completes a referral with what the modal was given.
func (b *Bot) submitComplete(ctx context.Context, staff core.Staff, view slack.View) submitted {
	id, version, err := parseButtonValue(view.PrivateMetadata)
	if err != nil {
		return submitted{response: b.modalErrors(ctx, errBadButton, nil, blkOutcome)}
	}
	gain, problems := core.ParseGain(func(k string) string { return stateValue(view.State, k).Value })
	if len(problems) > 0 {
		return submitted{response: b.modalErrors(ctx, &core.ValidationError{Fields: problems}, completeFields(), blkOutcome)}
	}
	_, err = b.engine.Act(ctx, core.TransitionRequest{
		Referral: id, Action: core.ActionComplete, Actor: staff.Actor(), ExpectedVersion: version,
		Outcome:     core.Outcome(stateValue(view.State, blkOutcome).SelectedOption.Value),
		OutcomeNote: stateValue(view.State, blkOutcomeNote).Value,
		Gain:        gain,
		AdviceType:  core.AdviceType(stateValue(view.State, blkAdviceType).SelectedOption.Value),
		AdviceTopic: stateValue(view.State, blkAdviceTopic).SelectedOption.Value,
	})
	if err != nil {
		return submitted{response: b.modalErrors(ctx, err, completeFields(), blkOutcome)}
	}
	return submitted{done: true}
}
