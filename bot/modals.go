package bot

import (
	"strconv"

	"github.com/slack-go/slack"

	"github.com/onward-network/onward/core"
)

// Modal callback ids and the block ids their inputs live in. Validation
// errors from core are shown against these blocks.
const (
	cbReject      = "reject"
	cbRedirect    = "redirect"
	cbAssign      = "assign"
	cbReferStart  = "refer_start"
	cbReferSend   = "refer_send"
	blkReason     = "reason"
	blkFeedback   = "feedback"
	blkAgency     = "agency"
	blkNeeds      = "needs"
	blkPostcode   = "postcode"
	blkCrisis     = "crisis"
	blkName       = "name"
	blkPhone      = "phone"
	blkNotes      = "notes"
	blkConsent    = "consent"
	consentAgreed = "agreed"
	crisisYes     = "crisis"
)

// maxSuggestions is how many agencies a modal offers (Slack's radio
// buttons take at most ten).
const maxSuggestions = 10

func modal(callbackID, title, submit, metadata string, blocks ...slack.Block) slack.ModalViewRequest {
	m := slack.ModalViewRequest{
		Type:            slack.VTModal,
		CallbackID:      callbackID,
		Title:           plainN(24, title),
		Close:           plainN(24, say("modal.cancel", nil)),
		Blocks:          slack.Blocks{BlockSet: blocks},
		PrivateMetadata: metadata,
	}
	if submit != "" {
		m.Submit = plainN(24, submit)
	}
	return m
}

func plainN(n int, s string) *slack.TextBlockObject {
	return slack.NewTextBlockObject(slack.PlainTextType, truncate(n, s), false, false)
}

func textInput(blockID, label, hint string, multiline, optional bool, max int) *slack.InputBlock {
	el := slack.NewPlainTextInputBlockElement(nil, blockID).WithMultiline(multiline)
	if max > 0 {
		el = el.WithMaxLength(max)
	}
	var h *slack.TextBlockObject
	if hint != "" {
		h = plainN(2000, hint)
	}
	return slack.NewInputBlock(blockID, plainN(2000, label), h, el).WithOptional(optional)
}

// rejectModal asks for the coded reason and the feedback.
func rejectModal(v cardView) slack.ModalViewRequest {
	opts := make([]*slack.OptionBlockObject, len(core.Reasons))
	for i, r := range core.Reasons {
		opts[i] = slack.NewOptionBlockObject(string(r), plainN(75, r.Label()), nil)
	}
	sel := slack.NewOptionsSelectBlockElement(slack.OptTypeStatic, plainN(150, say("modal.reject.reason.placeholder", nil)), blkReason, opts...)
	return modal(cbReject, say("modal.reject.title", nil), say("modal.reject.submit", nil), v.Value(),
		slack.NewSectionBlock(mrkdwn(say("modal.reject.intro", v)), nil, nil),
		slack.NewInputBlock(blkReason, plainN(2000, say("modal.reject.reason", nil)), nil, sel),
		textInput(blkFeedback, say("modal.reject.feedback", nil), say("modal.reject.feedback.hint", nil), true, true, 2000),
	)
}

// agencyChoice lists core's suggestions as radio buttons, each with why
// it fits, and says which agencies were left out and why. ok is false
// when nothing fits.
func agencyChoice(m core.Match) (blocks []slack.Block, ok bool) {
	var opts []*slack.OptionBlockObject
	for i, s := range m.Suggestions {
		if i == maxSuggestions {
			break
		}
		opts = append(opts, slack.NewOptionBlockObject(strconv.FormatInt(int64(s.Agency.ID), 10),
			plainN(75, say("modal.agency.option", s)), plainN(75, say("modal.agency.why", s))))
	}
	if len(opts) == 0 {
		blocks = append(blocks, slack.NewSectionBlock(mrkdwn(say("modal.agency.none", nil)), nil, nil))
	} else {
		radio := slack.NewRadioButtonsBlockElement(blkAgency, opts...)
		blocks = append(blocks, slack.NewInputBlock(blkAgency, plainN(2000, say("modal.agency", nil)),
			plainN(2000, say("modal.agency.hint", nil)), radio))
	}
	if len(m.Excluded) > 0 {
		blocks = append(blocks, slack.NewContextBlock("excluded", mrkdwn(truncate(3000, say("modal.agency.excluded", m.Excluded)))))
	}
	return blocks, len(opts) > 0
}

// redirectModal offers core's suggestions for where the referral should
// go instead.
func redirectModal(v cardView, m core.Match) slack.ModalViewRequest {
	blocks := []slack.Block{slack.NewSectionBlock(mrkdwn(say("modal.redirect.intro", v)), nil, nil)}
	choice, ok := agencyChoice(m)
	blocks = append(blocks, choice...)
	submit := ""
	if ok {
		submit = say("modal.redirect.submit", nil)
		blocks = append(blocks, textInput(blkFeedback, say("modal.redirect.note", nil), "", true, true, 2000))
	}
	return modal(cbRedirect, say("modal.redirect.title", nil), submit, v.Value(), blocks...)
}

// assignModal is the coordinator's choice of agency for a triage
// referral.
func assignModal(v cardView, m core.Match) slack.ModalViewRequest {
	blocks := []slack.Block{slack.NewSectionBlock(mrkdwn(say("modal.assign.intro", v)), nil, nil)}
	choice, ok := agencyChoice(m)
	blocks = append(blocks, choice...)
	submit := ""
	if ok {
		submit = say("modal.assign.submit", nil)
	}
	return modal(cbAssign, say("modal.assign.title", nil), submit, v.Value(), blocks...)
}

// selectedAgency reads the agency chosen in a modal's radio buttons.
func selectedAgency(state *slack.ViewState) core.AgencyID {
	id, _ := strconv.ParseInt(stateValue(state, blkAgency).SelectedOption.Value, 10, 64)
	return core.AgencyID(id)
}

// stateValue is the submitted value of the input in block id (inputs use
// their block id as action id).
func stateValue(state *slack.ViewState, id string) slack.BlockAction {
	if state == nil {
		return slack.BlockAction{}
	}
	return state.Values[id][id]
}
