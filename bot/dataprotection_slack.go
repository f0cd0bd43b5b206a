package bot

import (
	"context"
	"errors"
	"strings"

	"github.com/slack-go/slack"

	"github.com/onward-network/onward/core"
)

// The Client's data… button on a card opens, for the presser alone, the
// same data protection actions as the staff web's referral page
// (dataprotection.go): record that the client withdrew consent (anyone who
// may see the referral), erase their details (for a reason from core's
// list), or export everything held about them (coordinators, through the
// staff web's request form). The same core calls decide and audit. Nothing
// personal is written to the channel: the modal is private, and the export
// itself is a link to the staff web, where it downloads.
const (
	btnClientData    button = "client_data"
	cbClientData            = "client_data"
	blkDPAction             = "dp_action"
	blkDPText               = "dp_text"
	blkDPReason             = "dp_reason"
	dpActionWithdraw        = "withdraw"
	dpActionErase           = "erase"
	dpActionExport          = "export"
)

// clientDataModal offers the data protection actions the presser may take.
func clientDataModal(v cardView, coordinator bool) slack.ModalViewRequest {
	actions := []string{dpActionWithdraw}
	if coordinator {
		actions = append(actions, dpActionErase, dpActionExport)
	}
	opts := make([]*slack.OptionBlockObject, len(actions))
	for i, a := range actions {
		opts[i] = slack.NewOptionBlockObject(a, plainN(75, say("modal.dp."+a, nil)), plainN(75, say("modal.dp."+a+".why", nil)))
	}
	blocks := []slack.Block{
		slack.NewSectionBlock(mrkdwn(say("modal.dp.intro", v)), nil, nil),
		slack.NewInputBlock(blkDPAction, plainN(2000, say("modal.dp.action", nil)), nil, slack.NewRadioButtonsBlockElement(blkDPAction, opts...)),
		textInput(blkDPText, say("modal.dp.text", nil), say("modal.dp.text.hint", nil), true, true, 500),
	}
	if coordinator {
		// The erasure's reason is core's list, never typed (it outlives
		// the details in the audit log).
		reasons := core.ErasureReasons()
		ropts := make([]*slack.OptionBlockObject, len(reasons))
		for i, r := range reasons {
			ropts[i] = slack.NewOptionBlockObject(r.Code, plainN(75, r.Label), nil)
		}
		sel := slack.NewOptionsSelectBlockElement(slack.OptTypeStatic, plainN(150, say("modal.dp.reason.placeholder", nil)), blkDPReason, ropts...)
		blocks = append(blocks, slack.NewInputBlock(blkDPReason, plainN(2000, say("modal.dp.reason", nil)), plainN(2000, say("modal.dp.reason.hint", nil)), sel).WithOptional(true))
	}
	return modal(cbClientData, say("modal.dp.title", nil), say("modal.dp.submit", nil), v.Value(), blocks...)
}

// openClientData opens the Client's data modal for a member of staff who
// may see the referral (a refusal is recorded, as core records it).
func (b *Bot) openClientData(ctx context.Context, p press) error {
	staff, err := b.staffForSlack(ctx, p.to.user)
	if err != nil {
		return err
	}
	r, err := b.engine.Referral(ctx, p.id)
	if err != nil {
		return err
	}
	if !staff.Actor().MaySee(r) {
		b.engine.RecordAccessDenied(ctx, r.ID, staff.Actor(), "client-data", "slack")
		return unseen(staff.Actor(), r)
	}
	v, err := buildView(ctx, b.engine, r, KindAgency)
	if err != nil {
		return err
	}
	_, err = b.api.OpenViewContext(ctx, p.trigger, clientDataModal(v, staff.Actor().Coordinates()))
	return err
}

// unseen is Slack's refusal of a referral the member of staff may not see
// (core.Actor.MaySee), pressed on a card in a channel they share: in the
// words View details answers it with (core.Actor.MayDisclose's reason),
// so that every button of the card says the same. The staff web answers
// "not found" instead, as its addresses could be guessed; a card in a
// channel is already in sight.
func unseen(by core.Actor, r core.Referral) error {
	_, why := by.MayDisclose(r, core.DisclosureFacts{})
	return &core.ForbiddenError{Why: why}
}

// submitClientData runs the chosen action through core and shows what was
// done in the modal.
func (b *Bot) submitClientData(ctx context.Context, staff core.Staff, view slack.View) submitted {
	id, _, err := parseButtonValue(view.PrivateMetadata)
	if err != nil {
		return submitted{response: b.modalErrors(ctx, errBadButton, nil, blkDPAction)}
	}
	r, err := b.engine.Referral(ctx, id)
	if err != nil {
		return submitted{response: b.modalErrors(ctx, err, nil, blkDPAction)}
	}
	if !staff.Actor().MaySee(r) {
		b.engine.RecordAccessDenied(ctx, r.ID, staff.Actor(), "client-data", "slack")
		return submitted{response: b.modalErrors(ctx, unseen(staff.Actor(), r), nil, blkDPAction)}
	}
	text := strings.TrimSpace(stateValue(view.State, blkDPText).Value)
	fields := map[string]string{"evidence": blkDPText, "reason": blkDPReason}
	var done slack.ModalViewRequest
	switch action := stateValue(view.State, blkDPAction).SelectedOption.Value; action {
	case dpActionWithdraw:
		res, err := b.engine.WithdrawByReference(ctx, r.Reference, staff.Actor(), "slack", text)
		if errors.Is(err, core.ErrConsentWithdrawn) {
			return submitted{response: slack.NewErrorsViewSubmissionResponse(map[string]string{blkDPAction: sayPlain("modal.dp.already_withdrawn", nil)})}
		}
		if err != nil {
			return submitted{response: b.modalErrors(ctx, err, fields, blkDPAction)}
		}
		done = dpDone(say("modal.dp.withdrawn", struct {
			Reference string
			Cancelled int
		}{r.Reference, res.Cancelled}))
	case dpActionErase:
		client, _, err := b.engine.ClientByReference(ctx, r.Reference)
		if err == nil {
			err = b.engine.EraseClient(ctx, client, staff.Actor(), core.ErasureReason(stateValue(view.State, blkDPReason).SelectedOption.Value), "slack")
		}
		// Erased before (by another coordinator, or on the web): what
		// was asked is so, and the modal says it, rather than a fault.
		if err != nil && !errors.Is(err, core.ErrErased) {
			return submitted{response: b.modalErrors(ctx, err, fields, blkDPAction)}
		}
		done = dpDone(say("modal.dp.erased", r))
	case dpActionExport:
		// The same rule as the staff web's export: coordinators only. The
		// request it answers is recorded there, and the export downloads
		// there, never into Slack.
		if !staff.Actor().Coordinates() {
			return submitted{response: b.modalErrors(ctx, &core.ForbiddenError{Why: "only a coordinator can export what is held about a client"}, nil, blkDPAction)}
		}
		done = dpDone(say("modal.dp.exported", struct{ Reference, URL string }{r.Reference,
			strings.TrimRight(b.cfg.PublicURL, "/") + "/staff/referrals/" + r.Reference + "/export"}))
	default:
		return submitted{response: slack.NewErrorsViewSubmissionResponse(map[string]string{blkDPAction: sayPlain("modal.dp.choose", nil)})}
	}
	return submitted{done: true, response: slack.NewUpdateViewSubmissionResponse(&done)}
}

// dpDone is the modal that says what was done.
func dpDone(text string) slack.ModalViewRequest {
	m := modal(cbClientData+"_done", say("modal.dp.title", nil), "", "", slack.NewSectionBlock(mrkdwn(text), nil, nil))
	m.Close = plainN(24, say("modal.dp.close", nil))
	return m
}
