package bot

import (
	"context"
	"net/http"

	"github.com/onward-network/onward/core"
)

// sentView is "Referrals we sent": every referral the agency made, its
// status, who acted and when, the feedback and the outcome.
type sentView struct {
	chrome
	List      listView
	Attention int
}

// sentPage lists the referrals the staff member's agency made, those that
// need its attention first.
func (b *Bot) sentPage(w http.ResponseWriter, r *http.Request, s session) {
	ctx := r.Context()
	v := sentView{chrome: chrome{Title: "Referrals we sent", Staff: &s.staff, CSRF: s.csrf}}
	list, status, err := b.listPage(ctx, r, s, core.ViewSent, &v.chrome)
	if err != nil {
		b.failed(w, &s, err)
		return
	}
	v.List = list
	if v.Attention, err = b.engine.AttentionCount(ctx, s.staff.AgencyID); err != nil {
		b.failed(w, &s, err)
		return
	}
	b.renderWeb(w, status, "sent", v)
}

// sentSlackRow is one referral of `/onward sent`.
type sentSlackRow struct {
	Reference, ToAgency, Status, By, When, Reason, Feedback, Outcome string
	Attention                                                        bool
}

// sentSlackView is what `/onward sent` shows.
type sentSlackView struct {
	Agency           string
	Total, Attention int
	Rows             []sentSlackRow
}

// sentSlack answers `/onward sent`: the agency's latest sent referrals,
// those needing its attention first, the same list as the staff web's.
func (b *Bot) sentSlack(ctx context.Context, c slashCommand) {
	staff, err := b.staffForSlack(ctx, c.user)
	if err != nil {
		b.ephemeral(ctx, c.to, b.slackReply(ctx, err).text)
		return
	}
	page, err := b.engine.List(ctx, core.ListQuery{View: core.ViewSent, Agency: staff.AgencyID, PerPage: 10})
	if err != nil {
		b.ephemeral(ctx, c.to, b.slackReply(ctx, err).text)
		return
	}
	v := sentSlackView{Agency: staff.AgencyName, Total: page.Total}
	if v.Attention, err = b.engine.AttentionCount(ctx, staff.AgencyID); err != nil {
		b.ephemeral(ctx, c.to, b.slackReply(ctx, err).text)
		return
	}
	now := b.clock.Now()
	for _, r := range page.Rows {
		row := sentSlackRow{Reference: r.Reference, ToAgency: r.ToAgency, Status: statusLabels[r.Status], By: r.ActedBy,
			When: ago(r.StatusAt, now), Feedback: r.Feedback, Attention: r.Attention}
		if r.Reason != nil {
			row.Reason = r.Reason.Label()
		}
		if r.Outcome != nil {
			row.Outcome = r.Outcome.Label()
		}
		v.Rows = append(v.Rows, row)
	}
	b.ephemeral(ctx, c.to, truncate(3900, say("cmd.sent", v)))
}
