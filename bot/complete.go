package bot

import (
	"context"
	"net/url"
	"strings"
	"time"

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
	outcomes := n.CompletionOutcomes()
	opts := make([]*slack.OptionBlockObject, len(outcomes))
	for i, o := range outcomes {
		opts[i] = slack.NewOptionBlockObject(string(o.Outcome), plainN(75, o.Label), nil)
	}
	sel := slack.NewOptionsSelectBlockElement(slack.OptTypeStatic, plainN(150, say("modal.complete.outcome.placeholder", nil)), blkOutcome, opts...)
	blocks := []slack.Block{
		slack.NewSectionBlock(mrkdwn(say("modal.complete.intro", v)), nil, nil),
		slack.NewContextBlock("undo", mrkdwn(say("modal.complete.undo", int(core.UndoWindow.Minutes())))),
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
	outcome := core.Outcome(stateValue(view.State, blkOutcome).SelectedOption.Value)
	if len(problems) > 0 {
		return submitted{response: b.modalErrors(ctx, &core.ValidationError{Fields: problems}, completeFields(), blkOutcome)}
	}
	res, err := b.engine.Act(ctx, core.TransitionRequest{
		Referral: id, Action: core.ActionComplete, Actor: staff.Actor(), ExpectedVersion: version,
		Outcome:     outcome,
		OutcomeNote: stateValue(view.State, blkOutcomeNote).Value,
		Gain:        gain,
		AdviceType:  core.AdviceType(stateValue(view.State, blkAdviceType).SelectedOption.Value),
		AdviceTopic: stateValue(view.State, blkAdviceTopic).SelectedOption.Value,
	})
	if err != nil {
		return submitted{response: b.modalErrors(ctx, err, completeFields(), blkOutcome)}
	}
	done, err := b.completedView(ctx, res.Referral)
	if err != nil {
		// The referral is completed; only the confirmation is lost.
		b.log.Warn("completion confirmation", "referral", int64(res.Referral.ID), "err", err)
		return submitted{done: true}
	}
	return submitted{response: slack.NewUpdateViewSubmissionResponse(&done), done: true}
}

// completedNote is what the modal says once a referral is completed: how
// long the completion can be undone (core's Referral.Undoable and
// UndoWindow, by ActionReopen), and where: the referral's page on the
// staff web, which offers the undo to whoever core lets take it. Slack's
// card has no undo button, since a card in channel history cannot take
// the button away when the window closes.
type completedNote struct {
	Reference string
	Undoable  bool
	Until     time.Time
	Minutes   int
	URL       string
	Location  *time.Location
}

// completedView is the modal a completion leaves behind.
func (b *Bot) completedView(ctx context.Context, r core.Referral) (slack.ModalViewRequest, error) {
	cal, err := b.engine.Calendar(ctx)
	if err != nil {
		return slack.ModalViewRequest{}, err
	}
	n := completedNote{Reference: r.Reference, Undoable: r.Undoable(b.clock.Now()),
		Until: r.StatusAt.Add(core.UndoWindow), Minutes: int(core.UndoWindow.Minutes()),
		URL: b.referralPageURL(r.Reference), Location: cal.Location}
	return slack.ModalViewRequest{
		Type:       slack.VTModal,
		CallbackID: "complete_done",
		Title:      plainN(24, say("modal.complete.title", nil)),
		Close:      plainN(24, say("modal.complete.done.close", nil)),
		Blocks:     slack.Blocks{BlockSet: []slack.Block{slack.NewSectionBlock(mrkdwn(truncate(3000, say("modal.complete.done", n))), nil, nil)}},
	}, nil
}

// referralPageURL is the referral's page on the staff web, where staff
// sign in (the link names only the reference, never the client).
func (b *Bot) referralPageURL(reference string) string {
	return strings.TrimRight(b.cfg.PublicURL, "/") + "/staff/referrals/" + url.PathEscape(reference)
}
