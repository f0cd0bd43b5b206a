package bot

import (
	"context"
	"errors"
	"net/http"

	"github.com/slack-go/slack"

	"github.com/onward-network/onward/core"
)

// openModal opens the Reject…, Redirect…, Assign… or Mark completed…
// modal for a card button. Unknown users and cards that moved on are
// turned away, and so is someone core would refuse the action on submit
// (core.Engine.ActRefusal, the rule Act enforces): they are told at once, the
// attempt is audited as Act audits a refusal, and no modal opens to be
// filled in for nothing. Act still decides on submit.
func (b *Bot) openModal(ctx context.Context, p press) error {
	staff, err := b.staffForSlack(ctx, p.to.user)
	if err != nil {
		return err
	}
	r, err := b.engine.Referral(ctx, p.id)
	if err != nil {
		return err
	}
	action, by := p.button.action(), staff.Actor()
	// Core's rule, with what only it reads: a coordinator may also
	// redirect a referral whose agency has left the network.
	var moved *core.TransitionError
	var forbidden *core.ForbiddenError
	switch refusal := b.engine.ActRefusal(ctx, r, by, action); {
	case errors.As(refusal, &moved):
		return b.movedOn(ctx, r, moved, p.version)
	case errors.As(refusal, &forbidden):
		b.engine.RecordAccessDenied(ctx, r.ID, by, string(action), "slack")
		return refusal
	case refusal != nil:
		return refusal
	}
	kind := KindAgency
	if p.button == btnAssign {
		kind = KindTriage
	}
	v, err := buildView(ctx, b.engine, r, kind)
	if err != nil {
		return err
	}
	var view slack.ModalViewRequest
	switch p.button {
	case btnReject:
		view = rejectModal(v)
	case btnComplete:
		n, err := b.engine.Network(ctx)
		if err != nil {
			return err
		}
		view = completeModal(v, n, r.OffersGain())
	case btnRedirect, btnAssign:
		// The same choice as the referral's page on the staff web.
		c, err := b.referralAgencyChoice(ctx, r, p.button == btnAssign, by, referralForm{})
		if err != nil {
			return err
		}
		if p.button == btnAssign {
			view = assignModal(v, *c)
		} else {
			view = redirectModal(v, *c)
		}
	}
	if _, err := b.api.OpenViewContext(ctx, p.trigger, view); err != nil {
		return err
	}
	return nil
}

// movedOn explains why an action is no longer possible on a card: someone
// else changed the referral first, or its status never allowed it (core's
// refusal, in its words).
func (b *Bot) movedOn(ctx context.Context, r core.Referral, refused *core.TransitionError, seenVersion int) error {
	if seenVersion != r.Version && r.Status != core.StatusRequested {
		by := "Onward"
		if r.StatusBy != nil {
			by = staffName(ctx, b.engine, *r.StatusBy)
		}
		return &core.ConflictError{Reference: r.Reference, Status: r.Status, By: by, At: r.StatusAt}
	}
	return refused
}

// submitted is what a modal submission handler decided.
type submitted struct {
	response *slack.ViewSubmissionResponse // nil closes the modal
	done     bool                          // the submission changed something: a repeat is ignored
}

// viewSubmission handles a modal's submit: synchronously, because
// validation errors must come back in the response (response_action
// errors) and core answers in milliseconds.
func (b *Bot) viewSubmission(w http.ResponseWriter, ctx context.Context, cb *slack.InteractionCallback) {
	key := "view:" + cb.View.ID
	if cb.View.ID != "" && b.seen(ctx, key) {
		// Submitted twice: the first one counted.
		writeJSON(w, slack.NewClearViewSubmissionResponse())
		return
	}
	staff, err := b.staffForSlack(ctx, cb.User.ID)
	if err != nil {
		writeJSON(w, b.modalErrors(ctx, err, nil, firstInput(cb.View.CallbackID)))
		return
	}
	var res submitted
	switch cb.View.CallbackID {
	case cbReject:
		res = b.submitReject(ctx, staff, cb.View)
	case cbComplete:
		res = b.submitComplete(ctx, staff, cb.View)
	case cbRedirect:
		res = b.submitRedirect(ctx, staff, cb.View)
	case cbAssign:
		res = b.submitAssign(ctx, staff, cb.View)
	case cbReferStart:
		res = b.submitReferStart(ctx, staff, cb.View)
	case cbReferSend:
		res = b.submitReferSend(ctx, staff, cb.View)
	case cbClientData:
		res = b.submitClientData(ctx, staff, cb.View)
	}
	if res.done && cb.View.ID != "" {
		b.remember(ctx, key)
	}
	if res.response == nil {
		w.WriteHeader(http.StatusOK)
		return
	}
	writeJSON(w, res.response)
}

// firstInput is the block errors not tied to one field are shown on.
func firstInput(callbackID string) string {
	switch callbackID {
	case cbReject:
		return blkReason
	case cbComplete:
		return blkOutcome
	case cbReferStart:
		return blkNeeds
	case cbReferSend:
		return blkName
	case cbClientData:
		return blkDPAction
	default:
		return blkAgency
	}
}

// modalErrors shows an error inside the modal (response_action errors):
// each of core's invalid fields against its block, anything else against
// the fallback block.
func (b *Bot) modalErrors(ctx context.Context, err error, fields map[string]string, fallback string) *slack.ViewSubmissionResponse {
	out := map[string]string{}
	add := func(block, msg string) {
		if out[block] != "" {
			out[block] += "; "
		}
		out[block] += msg
	}
	var invalid *core.ValidationError
	if errors.As(err, &invalid) {
		for _, f := range invalid.Fields {
			block, ok := fields[f.Field]
			if !ok {
				block = fallback
			}
			add(block, f.Message)
		}
	} else {
		add(fallback, b.slackReply(ctx, err).plain)
	}
	for k, v := range out {
		// A sentence, as the staff web writes the same message (problem).
		out[k] = sentence(truncate(2000, v))
	}
	return slack.NewErrorsViewSubmissionResponse(out)
}
