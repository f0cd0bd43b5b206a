package bot

import (
	"context"
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/onward-network/onward/core/report"
)

// Periods `/onward stats` accepts, in days ending today.
const (
	statsDefaultDays = 30
	statsMaxDays     = 366
)

// statsView is what the stats reply shows.
type statsView struct {
	report.Summary
	Days       int
	MedianAck  string // "3 hours", or "" when nothing was acknowledged
	MedianCon  string
	Feedback   string // "4.2 out of 5 from 7 clients", or ""
	ReportsURL string
	// Coordinator: the reply is for a coordinator, who is pointed to the
	// network's reports (NetworkURL, every agency over the same days)
	// and shown their own agency's figures only when it had any
	// (OwnFigures).
	Coordinator bool
	NetworkURL  string
	OwnFigures  bool
}

// stats handles `/onward stats [days]`: a short summary of the member of
// staff's own agency over the last days (30 unless given), only to them,
// with a link to the reports pages for more.
func (b *Bot) stats(ctx context.Context, c slashCommand, args string) {
	days := statsDefaultDays
	if args = strings.TrimSuffix(strings.TrimSpace(strings.ToLower(args)), " days"); args != "" {
		n, err := strconv.Atoi(args)
		if err != nil || n < 1 || n > statsMaxDays {
			b.ephemeral(ctx, c.to, say("cmd.stats.usage", statsMaxDays))
			return
		}
		days = n
	}
	staff, err := b.staffForSlack(ctx, c.user)
	if err != nil {
		b.ephemeral(ctx, c.to, b.slackReply(ctx, err).text)
		return
	}
	to, err := b.today(ctx)
	if err != nil {
		b.ephemeral(ctx, c.to, b.slackReply(ctx, err).text)
		return
	}
	from := to.AddDate(0, 0, 1-days)
	agency, err := b.engine.Agency(ctx, staff.AgencyID)
	if err != nil {
		b.ephemeral(ctx, c.to, b.slackReply(ctx, err).text)
		return
	}
	sum, err := b.reports().Summary(ctx, agency, from, to)
	if err != nil {
		b.ephemeral(ctx, c.to, b.slackReply(ctx, err).text)
		return
	}
	v := b.statsView(sum, days)
	if staff.Actor().Coordinates() {
		// A coordinator looks after the network, whose figures are the
		// reports pages' (Slack has the one agency's summary only): say
		// where they are first, and show their own agency's only when it
		// had referrals of its own.
		q := url.Values{"from": {sum.From.Format(time.DateOnly)}, "to": {sum.To.Format(time.DateOnly)}}
		v.Coordinator = true
		v.NetworkURL = strings.TrimRight(b.cfg.PublicURL, "/") + "/staff/reports?" + q.Encode()
		v.OwnFigures = sum.Received > 0 || sum.ReferralsMadeByThem > 0
	}
	b.ephemeral(ctx, c.to, say("cmd.stats", v))
}

func (b *Bot) statsView(s report.Summary, days int) statsView {
	v := statsView{Summary: s, Days: days}
	if s.HasMedianAck {
		v.MedianAck = humanDuration(time.Duration(s.MedianAckHours * float64(time.Hour)))
	}
	if s.HasMedianContact {
		v.MedianCon = humanDuration(time.Duration(s.MedianContactHours * float64(time.Hour)))
	}
	if s.FeedbackResponses > 0 {
		v.Feedback = fmt.Sprintf("%.1f out of 5 from %d", s.FeedbackMean, s.FeedbackResponses)
	}
	q := url.Values{"from": {s.From.Format(time.DateOnly)}, "to": {s.To.Format(time.DateOnly)}, "agency": {s.Agency.Slug}}
	v.ReportsURL = strings.TrimRight(b.cfg.PublicURL, "/") + "/staff/reports?" + q.Encode()
	return v
}
