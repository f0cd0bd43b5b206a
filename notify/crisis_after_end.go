package notify

import (
	"context"
	"errors"
	"net/url"

	"github.com/onward-network/onward/core"
)

// The alerts of a client who texted words of self-harm or danger after
// their referral was made (core.RecordCrisisAfterEnd): OutboxAlert rows
// of level core.AlertCrisisAfterEnd, one for the coordinators (the triage
// channel, then their email, as coordinatorAlert sends every alert) and
// one for each agency holding an open referral of the client's
// (core.AlertToAgency: its Slack channel). Their words are core's and
// name only the reference; the Slack copy adds the link to the referral
// on the staff web, and in triage the configured crisis mention, since no
// card is posted beside them to ping the channel. Beside each agency's
// alert core queues its email (core.EmailClientCrisis, an email cause
// like any other: expandEmail, templates/email/client-crisis.tmpl), which
// goes whether or not the Slack post does; both stop once the agency's
// referral has closed (core.Referral.StillDue).

// alertData is the data of an alert's Slack copy
// (notify_coordinator_alert.txt). An urgent alert also gets the link to
// its referral and, in the triage channel (triage), the crisis mention.
func (w *Worker) alertData(ctx context.Context, r core.OutboxClaim, triage bool) (map[string]any, error) {
	data := map[string]any{"Text": r.Payload.Text, "Level": r.Payload.Level, "Mention": "", "Link": "", "Reference": ""}
	if !r.Payload.UrgentAlert() {
		return data, nil
	}
	if triage {
		data["Mention"] = w.cfg.SlackCrisisMention
	}
	if id := r.Referral(); id != 0 && w.cfg.PublicURL != "" {
		ref, err := w.engine.Referral(ctx, id)
		if err != nil && !errors.Is(err, core.ErrNotFound) {
			return nil, err
		}
		if err == nil {
			data["Reference"] = ref.Reference
			data["Link"] = w.publicURL("/staff/referrals/" + url.PathEscape(ref.Reference))
		}
	}
	return data, nil
}

// agencyAlert posts an alert meant for one agency (core.AlertToAgency) in
// its Slack channel: skipped when it has none (its staff see the event on
// the referral, and get its email), and when the referral it is about has
// closed since (a client who withdrew their consent shares nothing more
// with the agency: core.Referral.StillDue).
func (w *Worker) agencyAlert(ctx context.Context, r core.OutboxClaim) (outcome, error) {
	if id := r.Referral(); id != 0 {
		ref, err := w.engine.Referral(ctx, id)
		if errors.Is(err, core.ErrNotFound) {
			return skipped("referral is gone"), nil
		}
		if err != nil {
			return outcome{}, err
		}
		if due, why := ref.StillDue(r.Kind, r.Payload); !due {
			return skipped(why), nil
		}
	}
	a, err := w.engine.Agency(ctx, r.Payload.AgencyID)
	if errors.Is(err, core.ErrNotFound) {
		return skipped("agency is gone"), nil
	}
	if err != nil {
		return outcome{}, err
	}
	data, err := w.alertData(ctx, r, false)
	if err != nil {
		return outcome{}, err
	}
	text, err := w.render("notify_coordinator_alert.txt", data)
	if err != nil {
		return outcome{}, err
	}
	return w.postSlack(ctx, a.SlackChannelID, text, nil)
}
