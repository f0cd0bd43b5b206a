package bot

import (
	"context"
	"encoding/json"
	"errors"
	"maps"
	"net/http"
	"slices"
	"unicode/utf8"

	"github.com/slack-go/slack"

	"github.com/onward-network/onward/core"
)

// referMeta carries the first step of /refer into the second, in the
// modal's private metadata (kept by Slack with the view, never posted).
type referMeta struct {
	Needs    []core.Need `json:"n"`
	Postcode string      `json:"p,omitempty"`
	District string      `json:"d,omitempty"`
	Crisis   bool        `json:"c,omitempty"`
	Wording  string      `json:"w,omitempty"`
}

// referCommand opens the /refer modal at once (the trigger lasts three
// seconds). Step one asks what the client needs and where they live, so
// step two can offer the agencies that fit.
func (b *Bot) referCommand(w http.ResponseWriter, ctx context.Context, c slashCommand) {
	if _, err := b.staffForSlack(ctx, c.user); err != nil {
		replyNow(w, b.slackReply(ctx, err).text)
		return
	}
	if _, err := b.api.OpenViewContext(ctx, c.trigger, referStartModal()); err != nil {
		replyNow(w, b.slackReply(ctx, err).text)
		return
	}
	w.WriteHeader(http.StatusOK)
}

func referStartModal() slack.ModalViewRequest {
	opts := make([]*slack.OptionBlockObject, len(core.Needs))
	for i, n := range core.Needs {
		opts[i] = slack.NewOptionBlockObject(string(n), plainN(75, n.Label()), nil)
	}
	needs := slack.NewOptionsMultiSelectBlockElement(slack.MultiOptTypeStatic, plainN(150, say("modal.refer.needs.placeholder", nil)), blkNeeds, opts...)
	crisis := slack.NewCheckboxGroupsBlockElement(blkCrisis, slack.NewOptionBlockObject(crisisYes, plainN(75, say("modal.refer.crisis.option", nil)), nil))
	return modal(cbReferStart, say("modal.refer.title", nil), say("modal.refer.next", nil), "",
		slack.NewInputBlock(blkNeeds, plainN(2000, say("modal.refer.needs", nil)), nil, needs),
		textInput(blkPostcode, say("modal.refer.postcode", nil), say("modal.refer.postcode.hint", nil), false, true, 10),
		slack.NewInputBlock(blkCrisis, plainN(2000, say("modal.refer.crisis", nil)), nil, crisis).WithOptional(true),
	)
}

// slackNotesMax is the most a /refer note may hold in Slack: Slack's
// plain-text input takes a max_length of at most 3000 characters, below
// the 4000 core and the staff web's form allow. Slack counts what is typed
// against it; submitReferSend refuses anything longer all the same, so a
// longer note cannot arrive from Slack whatever the client sends.
const slackNotesMax = 3000

// referSummary is what step two shows of step one.
type referSummary struct {
	Needs    []string
	District string
	Crisis   bool
}

func referSendModal(meta referMeta, c agencyField, wording core.ConsentWording) (slack.ModalViewRequest, error) {
	raw, err := json.Marshal(meta)
	if err != nil {
		return slack.ModalViewRequest{}, err
	}
	sum := referSummary{District: meta.District, Crisis: meta.Crisis}
	for _, n := range meta.Needs {
		sum.Needs = append(sum.Needs, n.Label())
	}
	blocks := []slack.Block{
		slack.NewContextBlock("summary", mrkdwn(say("modal.refer.summary", sum))),
		textInput(blkName, say("modal.refer.name", nil), "", false, false, 200),
		textInput(blkPhone, say("modal.refer.phone", nil), say("modal.refer.phone.hint", nil), false, true, 32),
		// Phone or email, at least one (core.ContactProblems): both
		// optional to Slack, the rule said by core on submission.
		slack.NewInputBlock(blkEmail, plainN(2000, say("modal.refer.email", nil)), plainN(2000, say("modal.refer.email.hint", nil)),
			slack.NewEmailTextInputBlockElement(nil, blkEmail)).WithOptional(true),
		textInput(blkNotes, say("modal.refer.notes", nil), say("modal.refer.notes.hint", slackNotesMax), true, true, slackNotesMax),
	}
	choice, ok := agencyChoice(c)
	blocks = append(blocks, choice...)
	submit := ""
	if ok {
		submit = say("modal.refer.submit", nil)
		consent := slack.NewCheckboxGroupsBlockElement(blkConsent, slack.NewOptionBlockObject(consentAgreed, plainN(75, say("modal.refer.consent.option", nil)), nil))
		// The wording is what the client agrees to: shown whole, however long.
		blocks = append(blocks, sections(say("modal.refer.consent.wording", wording.Body))...)
		blocks = append(blocks, slack.NewInputBlock(blkConsent, plainN(2000, say("modal.refer.consent", nil)), nil, consent))
	}
	return modal(cbReferSend, say("modal.refer.title", nil), submit, string(raw), blocks...), nil
}

// submitReferStart reads step one and answers with step two: the
// agencies core suggests for those needs and that area, and the consent
// wording to read to the client.
func (b *Bot) submitReferStart(ctx context.Context, staff core.Staff, view slack.View) submitted {
	var meta referMeta
	for _, o := range stateValue(view.State, blkNeeds).SelectedOptions {
		n, err := core.ParseNeed(o.Value)
		if err != nil {
			return submitted{response: b.modalErrors(ctx, &core.ValidationError{Fields: []core.FieldError{{Field: "needs", Message: err.Error()}}}, map[string]string{"needs": blkNeeds}, blkNeeds)}
		}
		meta.Needs = append(meta.Needs, n)
	}
	if len(meta.Needs) == 0 {
		return submitted{response: slack.NewErrorsViewSubmissionResponse(map[string]string{blkNeeds: say("modal.refer.needs.placeholder", nil)})}
	}
	if pc := stateValue(view.State, blkPostcode).Value; pc != "" {
		p, err := core.ParsePostcode(pc)
		if err != nil {
			return submitted{response: slack.NewErrorsViewSubmissionResponse(map[string]string{blkPostcode: sentence(err.Error())})}
		}
		meta.Postcode, meta.District = string(p), p.District()
	}
	meta.Crisis = slices.ContainsFunc(stateValue(view.State, blkCrisis).SelectedOptions, func(o slack.OptionBlockObject) bool { return o.Value == crisisYes })
	m, err := b.engine.Suggest(ctx, core.MatchQuery{Needs: meta.Needs, District: meta.District, Asking: staff.AgencyID})
	if err != nil {
		return submitted{response: b.modalErrors(ctx, err, nil, blkNeeds)}
	}
	wording, err := b.engine.CurrentConsentWording(ctx)
	if err != nil {
		return submitted{response: b.modalErrors(ctx, err, nil, blkNeeds)}
	}
	meta.Wording = wording.Version
	// The refer page's choice: the suggestions, and any other agency.
	c, err := b.newAgencyField(ctx, &m, meta.District, "", sameAgency(staff.AgencyID), nil)
	if err != nil {
		return submitted{response: b.modalErrors(ctx, err, nil, blkNeeds)}
	}
	next, err := referSendModal(meta, c, wording)
	if err != nil {
		return submitted{response: b.modalErrors(ctx, err, nil, blkNeeds)}
	}
	return submitted{response: slack.NewUpdateViewSubmissionResponse(&next)}
}

// referFields maps core's field names to the blocks of step two.
var referFields = map[string]string{
	"client.name": blkName, "client.phone number": blkPhone, "client.email address": blkEmail, "client.notes": blkNotes,
	"receiving agency": blkAgency, "client's consent": blkConsent, "consent wording version": blkConsent,
	"consent.wording_version": blkConsent,
}

// referDone is the confirmation that replaces the modal: where the
// referral went and how that agency hears of it (its Slack channel, or
// email and the staff web inbox when it has none). The client is texted
// only when the agency accepts (core's accept queues the text; a referral
// between agencies queues none on creation).
type referDone struct {
	Reference, Agency string
	InSlack, Emailed  bool
}

// submitReferSend makes the referral: core records the client, the
// consent the adviser confirmed (wording version shown, scoped to the
// receiving agency) and the referral, whose card goes to that agency.
// The view id is the idempotency key, so a repeated submission makes one
// referral.
func (b *Bot) submitReferSend(ctx context.Context, staff core.Staff, view slack.View) submitted {
	var meta referMeta
	if err := json.Unmarshal([]byte(view.PrivateMetadata), &meta); err != nil || len(meta.Needs) == 0 {
		return submitted{response: slack.NewErrorsViewSubmissionResponse(map[string]string{blkName: say("modal.refer.bad_metadata", nil)})}
	}
	agency, block := chosenAgency(view.State)
	fields := maps.Clone(referFields)
	fields["receiving agency"] = block
	agreed := slices.ContainsFunc(stateValue(view.State, blkConsent).SelectedOptions, func(o slack.OptionBlockObject) bool { return o.Value == consentAgreed })
	in := core.StaffReferral{
		IdempotencyKey: "slack-refer:" + view.ID,
		By:             staff.Actor(),
		Client: core.ClientDetails{
			Name:     stateValue(view.State, blkName).Value,
			Phone:    stateValue(view.State, blkPhone).Value,
			Email:    stateValue(view.State, blkEmail).Value,
			Postcode: meta.Postcode,
			Notes:    stateValue(view.State, blkNotes).Value,
		},
		Needs:            meta.Needs,
		ToAgency:         agency,
		ConsentConfirmed: agreed,
		WordingVersion:   meta.Wording,
		Crisis:           meta.Crisis,
	}
	if n := utf8.RuneCountInString(in.Client.Notes); n > slackNotesMax {
		// Refused by Slack's own limit, and named with every problem
		// core finds in the rest, each beside its box: nothing is made.
		tooLong := core.FieldError{Field: "client.notes", Message: say("modal.refer.notes.too_long", map[string]int{"Max": slackNotesMax, "Length": n})}
		in.Client.Notes = ""
		return submitted{response: b.modalErrors(ctx, alsoInvalid(core.StaffReferralProblems(in), tooLong), fields, blkName)}
	}
	r, err := b.engine.StaffRefer(ctx, in)
	if err != nil {
		return submitted{response: b.modalErrors(ctx, err, fields, blkName)}
	}
	done := referDone{Reference: r.Reference}
	if r.ToAgencyID != nil {
		names := agencyNames{eng: b.engine}
		a, _ := names.get(ctx, *r.ToAgencyID)
		done.Agency, done.InSlack = a.Name, a.SlackChannelID != ""
		done.Emailed = !done.InSlack && b.cfg.MailEnabled()
	}
	confirmation := slack.ModalViewRequest{
		Type:       slack.VTModal,
		CallbackID: "refer_done",
		Title:      plainN(24, say("modal.refer.done.title", nil)),
		Close:      plainN(24, say("modal.refer.done.close", nil)),
		Blocks:     slack.Blocks{BlockSet: []slack.Block{slack.NewSectionBlock(mrkdwn(say("modal.refer.done", done)), nil, nil)}},
	}
	return submitted{response: slack.NewUpdateViewSubmissionResponse(&confirmation), done: true}
}

// alsoInvalid is core's answer err (nil, or a *core.ValidationError) with
// one more field's problem, found by the edge itself.
func alsoInvalid(err error, f core.FieldError) *core.ValidationError {
	var invalid *core.ValidationError
	if errors.As(err, &invalid) {
		return &core.ValidationError{Fields: append(slices.Clone(invalid.Fields), f)}
	}
	return &core.ValidationError{Fields: []core.FieldError{f}}
}
