package bot

import (
	"context"

	"github.com/slack-go/slack"

	"github.com/onward-network/onward/core"
)

// detailsView is what View details shows to the one person who asked.
type detailsView struct {
	Reference string
	Client    core.Client
	Notes     string
}

// showDetails discloses the client's details through core (which checks
// the presser may see them and records the disclosure) and shows them
// ephemerally: never in channel history.
func (b *Bot) showDetails(ctx context.Context, p press) {
	staff, err := b.staffForSlack(ctx, p.to.user)
	if err != nil {
		b.ephemeral(ctx, p.to, b.slackReply(ctx, err).text)
		return
	}
	d, err := b.disclose(ctx, p.id, staff, "slack")
	if err != nil {
		b.ephemeral(ctx, p.to, b.slackReply(ctx, err).text)
		return
	}
	b.ephemeral(ctx, p.to, say("eph.details.text", d), slack.NewSectionBlock(mrkdwn(truncate(3000, say("eph.details", d))), nil, nil))
}

// disclose reads a referral's client details and notes for a member of
// staff, through core's audited disclosure.
func (b *Bot) disclose(ctx context.Context, id core.ReferralID, staff core.Staff, via string) (detailsView, error) {
	c, r, err := b.engine.DiscloseClient(ctx, id, staff.Actor(), via)
	if err != nil {
		return detailsView{}, err
	}
	notes, err := b.engine.ReferralNotes(ctx, r)
	if err != nil {
		return detailsView{}, err
	}
	return detailsView{Reference: r.Reference, Client: c, Notes: notes}, nil
}
