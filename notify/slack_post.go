package notify

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"strings"

	"github.com/jackc/pgx/v5"
	"github.com/slack-go/slack"

	"github.com/onward-network/onward/core"
)

// postSlack posts one of notify's own messages: skipped when Slack is not
// configured (staff read the web inbox, straight from the database) or the
// audience has no channel, deferred while Slack has asked us to wait.
func (w *Worker) postSlack(ctx context.Context, channel, text string, blocks []slack.Block) (outcome, error) {
	if w.slack == nil {
		return skipped("Slack not configured"), nil
	}
	if channel == "" {
		return skipped("no Slack channel to post to"), nil
	}
	if until, held := w.slackHeldUntil(w.now()); held {
		return deferred(until, "Slack rate limit"), nil
	}
	msg, err := w.slack.Post(ctx, channel, text, blocks)
	if err != nil {
		return outcome{}, err
	}
	return sent(msg.ProviderID(), core.DeliveryPosted), nil
}

// referralFacts are the parts of a referral that may appear in a channel:
// reference, needs and postcode district, never personal data.
type referralFacts struct {
	Referral                           core.Referral
	Reference, Needs, District, Agency string
}

func (w *Worker) facts(ctx context.Context, id core.ReferralID, agency core.AgencyID) (referralFacts, error) {
	ref, err := w.engine.Referral(ctx, id)
	if errors.Is(err, core.ErrNotFound) {
		return referralFacts{}, permanent("referral is gone", err)
	}
	if err != nil {
		return referralFacts{}, err
	}
	f := referralFacts{Referral: ref, Reference: ref.Reference, Needs: needLabels(ref.Needs), District: ref.PostcodeDistrict}
	if agency != 0 {
		a, err := w.agency(ctx, agency)
		if err != nil {
			return f, err
		}
		f.Agency = a.Name
	}
	return f, nil
}

func (w *Worker) agency(ctx context.Context, id core.AgencyID) (core.Agency, error) {
	a, err := w.engine.Agency(ctx, id)
	if errors.Is(err, core.ErrNotFound) {
		return a, permanent(fmt.Sprintf("agency %d is gone", id), err)
	}
	return a, err
}

func needLabels(ns []core.Need) string {
	out := make([]string, len(ns))
	for i, n := range ns {
		out[i] = n.Label()
	}
	return strings.Join(out, ", ")
}

// crisisAlert calls the coordinators to a crisis self-referral in triage.
// It mentions nobody: the referral's triage card, posted in the same
// channel for the same event, carries the configured crisis mention
// (bot.Cards.Card) and drops it once the referral is claimed, so one crisis
// pings the channel once. Whether a crisis calls the coordinators is
// core's rule (core.Referral.CallsCoordinators), asked as the alert is
// sent: one an adviser or a partner sent straight to an agency, or one
// already assigned, has nothing for a coordinator to pick up. The alert
// says the referral waits in triage, so it goes only while it does; a
// crisis self-referral that calls them while waiting at an agency has
// their email, which names the agency.
func (w *Worker) crisisAlert(ctx context.Context, r core.OutboxClaim) (outcome, error) {
	f, err := w.facts(ctx, r.Referral(), 0)
	if err != nil {
		return outcome{}, err
	}
	if ref := f.Referral; !ref.CallsCoordinators() || !ref.InTriage() {
		return skipped("not waiting in triage"), nil
	}
	text, err := w.render("notify_crisis_alert.txt", map[string]any{
		"Reference": f.Reference, "Needs": f.Needs, "District": f.District})
	if err != nil {
		return outcome{}, err
	}
	return w.postSlack(ctx, w.cfg.SlackTriageChannel, text, nil)
}

// rejectionFeedback tells the referring agency that its referral was
// turned down, and why (the coded reason), or redirected, and where to;
// the written explanation stays in Onward, since it can mention the client.
func (w *Worker) rejectionFeedback(ctx context.Context, r core.OutboxClaim) (outcome, error) {
	f, err := w.facts(ctx, r.Referral(), 0)
	if err != nil {
		return outcome{}, err
	}
	from, err := w.agency(ctx, r.Payload.AgencyID)
	if err != nil {
		return outcome{}, err
	}
	to := ""
	if f.Referral.ToAgencyID != nil {
		a, err := w.agency(ctx, *f.Referral.ToAgencyID)
		if err != nil {
			return outcome{}, err
		}
		to = a.Name
	}
	reason := ""
	if f.Referral.Reason != nil {
		reason = f.Referral.Reason.Label()
	}
	// A redirect names where the referral went, as the referrer's email
	// and the staff web's card do (core.RedirectedTo).
	redirectedTo, _, err := w.engine.RedirectedTo(ctx, f.Referral)
	if err != nil {
		return outcome{}, err
	}
	// The explanation may mention the client, so it stays in Onward: the
	// notice links to the referral's page on the staff web (as the emails
	// do), and names /onward sent, which shows it to the agency's staff.
	link := ""
	if w.cfg.PublicURL != "" {
		link = w.publicURL("/staff/referrals/" + url.PathEscape(f.Reference))
	}
	text, err := w.render("notify_rejection_feedback.txt", map[string]any{"Reference": f.Reference, "Agency": to,
		"Redirected":   f.Referral.Reason != nil && *f.Referral.Reason == core.ReasonRedirected,
		"RedirectedTo": redirectedTo, "Reason": reason, "Feedback": f.Referral.Feedback != "", "Link": link})
	if err != nil {
		return outcome{}, err
	}
	return w.postSlack(ctx, from.SlackChannelID, text, nil)
}

// coordinatorAlert posts an alert core or the worker wrote (a client says
// they were not contacted, a partner's webhooks paused) to triage, and
// queues it as an email to the coordinators, whom it reaches as their
// agency's email setting says (always, or while Slack does not reach
// them: EmailRecipients). A dead letter has its own email already. A row
// meant for an agency (core.AlertToAgency) goes to its channel alone
// (agencyAlert).
func (w *Worker) coordinatorAlert(ctx context.Context, r core.OutboxClaim) (outcome, error) {
	if r.Payload.Channel == core.AlertToAgency {
		return w.agencyAlert(ctx, r)
	}
	res := skipped("neither Slack nor email configured")
	if w.slackReaches(core.EmailAlert) {
		data, err := w.alertData(ctx, r, true)
		if err != nil {
			return outcome{}, err
		}
		text, err := w.render("notify_coordinator_alert.txt", data)
		if err != nil {
			return outcome{}, err
		}
		if res, err = w.postSlack(ctx, w.cfg.SlackTriageChannel, text, nil); err != nil || res.state != stateSent {
			return res, err
		}
	} else if w.mail != nil {
		res = sent("", core.DeliveryStatus("emailed to coordinators"))
	}
	if w.mail != nil && r.Payload.Level != "dead-letter" {
		res.inTx = func(ctx context.Context, tx pgx.Tx) error {
			return w.outbox.EnqueueTx(ctx, tx, core.OutboxEmail, 0, core.OutboxPayload{ReferralID: r.Referral(),
				Email: core.EmailAlert, Level: r.Payload.Level, Text: r.Payload.Text}, fmt.Sprintf("mail:alert:%d", r.ID), w.now())
		}
	}
	return res, nil
}
