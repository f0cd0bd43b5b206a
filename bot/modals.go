package bot

import (
	"slices"
	"strconv"

	"github.com/slack-go/slack"

	"github.com/onward-network/onward/core"
)

// Modal callback ids and the block ids their inputs live in. Validation
// errors from core are shown against these blocks.
const (
	cbReject     = "reject"
	cbRedirect   = "redirect"
	cbAssign     = "assign"
	cbReferStart = "refer_start"
	cbReferSend  = "refer_send"
	blkReason    = "reason"
	blkFeedback  = "feedback"
	blkAgency    = "agency"
	// blkAgencyOther is the list of any other agency beside the
	// suggestions; agencyNone its choice of none.
	blkAgencyOther = "agency_other"
	agencyNone     = "none"
	blkNeeds       = "needs"
	blkPostcode    = "postcode"
	blkCrisis      = "crisis"
	blkName        = "name"
	blkPhone       = "phone"
	blkEmail       = "email"
	blkNotes       = "notes"
	blkConsent     = "consent"
	consentAgreed  = "agreed"
	crisisYes      = "crisis"
)

// maxSuggestions is how many agencies a modal offers (Slack's radio
// buttons take at most ten).
const maxSuggestions = 10

// maxSelectOptions is the most options Slack takes in a static select,
// and in each of its option groups.
const maxSelectOptions = 100

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
		textInput(blkFeedback, say("modal.reject.feedback", nil), say("modal.reject.feedback.hint", nil), true, false, 2000),
	)
}

// agencyChoice is the staff web's choice of an agency (agencyField, the
// "agency-choice" part) in Slack's blocks: core's suggestions as radio
// buttons, each with why it fits, and every other agency that may be
// chosen in a list besides, or instead when nothing fits. ok is false
// when there is no agency to choose at all.
func agencyChoice(c agencyField) (blocks []slack.Block, ok bool) {
	var m core.Match
	if c.Match != nil {
		m = *c.Match
	}
	var radios, others []*slack.OptionBlockObject
	for i, s := range m.Suggestions {
		id := strconv.FormatInt(int64(s.Agency.ID), 10)
		if i >= maxSuggestions {
			// Radio buttons take ten: the rest head the list.
			others = append(others, slack.NewOptionBlockObject(id, plainN(75, s.Agency.Name), nil))
			continue
		}
		radios = append(radios, slack.NewOptionBlockObject(id,
			plainN(75, say("modal.agency.option", s)), plainN(75, say("modal.agency.why", s))))
	}
	for _, o := range c.Others {
		if o.Value != "" { // the web's "Choose an agency": a placeholder here
			others = append(others, slack.NewOptionBlockObject(o.Value, plainN(75, o.Label), nil))
		}
	}
	switch {
	case len(radios) > 0:
		radio := slack.NewRadioButtonsBlockElement(blkAgency, radios...)
		blocks = append(blocks, slack.NewInputBlock(blkAgency, plainN(2000, say("modal.agency", c)),
			plainN(2000, say("modal.agency.hint", c)), radio).WithOptional(len(others) > 0))
		if len(others) > 0 {
			// Radio buttons cannot be unselected, so the list has a way
			// back to them.
			none := slack.NewOptionBlockObject(agencyNone, plainN(75, say("modal.agency.other.none", nil)), nil)
			blocks = append(blocks, slack.NewInputBlock(blkAgencyOther, plainN(2000, say("modal.agency.other", nil)),
				plainN(2000, say("modal.agency.other.hint", nil)), agencySelect(blkAgencyOther, append([]*slack.OptionBlockObject{none}, others...))).
				WithOptional(true))
		}
	case len(others) > 0:
		blocks = append(blocks, slack.NewSectionBlock(mrkdwn(say("modal.agency.none", c)), nil, nil),
			slack.NewInputBlock(blkAgency, plainN(2000, say("modal.agency.any", nil)), nil, agencySelect(blkAgency, others)))
	default:
		blocks = append(blocks, slack.NewSectionBlock(mrkdwn(say("modal.agency.nothing", nil)), nil, nil))
	}
	if len(m.Excluded) > 0 {
		blocks = append(blocks, slack.NewContextBlock("excluded", mrkdwn(truncate(3000, say("modal.agency.excluded", m.Excluded)))))
	}
	return blocks, len(radios)+len(others) > 0
}

// agencySpan is an option group's label: the first and last agency in it.
type agencySpan struct{ First, Last string }

// agencySelect is a static select of agencies. Slack takes at most 100
// options in a select, and 100 groups of 100; a network has up to some
// 130 agencies, so a longer list is split into groups in its own order
// (by name), each labelled with the names it runs between.
func agencySelect(actionID string, opts []*slack.OptionBlockObject) *slack.SelectBlockElement {
	placeholder := plainN(150, say("modal.agency.placeholder", nil))
	if len(opts) <= maxSelectOptions {
		return slack.NewOptionsSelectBlockElement(slack.OptTypeStatic, placeholder, actionID, opts...)
	}
	var groups []*slack.OptionGroupBlockObject
	for part := range slices.Chunk(opts, maxSelectOptions) {
		span := agencySpan{First: part[0].Text.Text, Last: part[len(part)-1].Text.Text}
		groups = append(groups, slack.NewOptionGroupBlockElement(plainN(75, say("modal.agency.group", span)), part...))
	}
	return slack.NewOptionsGroupSelectBlockElement(slack.OptTypeStatic, placeholder, actionID, groups...)
}

// redirectModal offers core's suggestions for where the referral should
// go instead, and any other agency.
func redirectModal(v cardView, c agencyField) slack.ModalViewRequest {
	blocks := []slack.Block{slack.NewSectionBlock(mrkdwn(say("modal.redirect.intro", v)), nil, nil)}
	choice, ok := agencyChoice(c)
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
func assignModal(v cardView, c agencyField) slack.ModalViewRequest {
	blocks := []slack.Block{slack.NewSectionBlock(mrkdwn(say("modal.assign.intro", v)), nil, nil)}
	choice, ok := agencyChoice(c)
	blocks = append(blocks, choice...)
	submit := ""
	if ok {
		submit = say("modal.assign.submit", nil)
	}
	return modal(cbAssign, say("modal.assign.title", nil), submit, v.Value(), blocks...)
}

// chosenAgency reads the agency chosen in a modal, and the block it was
// chosen in (where core's refusal of it is shown). An agency chosen in
// the list beside the suggestions wins: radio buttons cannot be
// unselected, so choosing from the list is how one changes one's mind,
// and its "None" option is the way back to the suggestions.
func chosenAgency(state *slack.ViewState) (core.AgencyID, string) {
	if v := stateValue(state, blkAgencyOther).SelectedOption.Value; v != "" && v != agencyNone {
		id, _ := strconv.ParseInt(v, 10, 64)
		return core.AgencyID(id), blkAgencyOther
	}
	id, _ := strconv.ParseInt(stateValue(state, blkAgency).SelectedOption.Value, 10, 64)
	return core.AgencyID(id), blkAgency
}

// stateValue is the submitted value of the input in block id (inputs use
// their block id as action id).
func stateValue(state *slack.ViewState, id string) slack.BlockAction {
	if state == nil {
		return slack.BlockAction{}
	}
	return state.Values[id][id]
}
