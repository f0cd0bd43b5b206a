package bot

import (
	"bytes"
	"context"
	"html"
	"strings"
	"time"

	"github.com/slack-go/slack"

	"github.com/onward-network/onward/core"
)

// conflictView is what an "already done" reply says: what last happened
// to the referral, or failing that the status it is in, by whom and when.
type conflictView struct {
	Reference string
	What      string // the last change in the timeline's words, plain text; "" if unknown
	Status    core.Status
	By        string
	At        time.Time
	Location  *time.Location
}

// conflictWords says what someone else did first. Core's conflict names
// the status, which after an undone completion is "contacted" again; the
// referral's last timeline entry says what actually happened, in the
// staff web timeline's own words (its "tl-what" part, lastChange). If
// the timeline cannot be read the reply falls back to the status.
func (b *Bot) conflictWords(ctx context.Context, c *core.ConflictError) conflictView {
	v := conflictView{Reference: c.Reference, Status: c.Status, By: c.By, At: c.At, Location: b.location(ctx)}
	r, err := b.engine.ReferralByReference(ctx, c.Reference)
	if err != nil {
		return v
	}
	// Only the entries of the referral acted on are read, whose last
	// change's author the conflict names already (c.By): nothing of the
	// referrals before it, which the presser may not see, is told.
	tl, err := b.engine.Timeline(ctx, r.ID, core.SystemActor)
	if err != nil {
		return v
	}
	if last, ok := lastChange(tl, c.Reference); ok {
		if what := timelineWords(last); what != "" {
			v.What, v.At = what, last.At
		}
	}
	return v
}

// timelineWords is one timeline entry as the staff web's timeline words
// it, as plain text: the HTML part is the one definition of that wording.
func timelineWords(e core.TimelineEntry) string {
	var buf bytes.Buffer
	if err := staffPages()["referral"].ExecuteTemplate(&buf, "tl-what", e); err != nil {
		return ""
	}
	return strings.TrimSpace(html.UnescapeString(buf.String()))
}

// today is the network's calendar day now, as midnight UTC: the form
// report filters take.
func (b *Bot) today(ctx context.Context) (time.Time, error) {
	cal, err := b.engine.Calendar(ctx)
	if err != nil {
		return time.Time{}, err
	}
	now := b.clock.Now().In(cal.Location)
	return time.Date(now.Year(), now.Month(), now.Day(), 0, 0, 0, 0, time.UTC), nil
}

// location is the network's time zone, for times in replies.
func (b *Bot) location(ctx context.Context) *time.Location {
	if cal, err := b.engine.Calendar(ctx); err == nil && cal.Location != nil {
		return cal.Location
	}
	return time.UTC
}

// replyTo is where an ephemeral reply goes: only the person who pressed
// or typed sees it.
type replyTo struct {
	channel     string
	user        string
	responseURL string
}

// ephemeral shows a message to one person only. It uses chat.postEphemeral
// in the channel they acted in, and falls back to the interaction's
// response_url (which also works where the app is not in the channel).
func (b *Bot) ephemeral(ctx context.Context, to replyTo, text string, blocks ...slack.Block) {
	opts := []slack.MsgOption{slack.MsgOptionText(text, false)}
	if len(blocks) > 0 {
		opts = append(opts, slack.MsgOptionBlocks(blocks...))
	}
	if to.channel != "" && to.user != "" {
		_, err := b.api.PostEphemeralContext(ctx, to.channel, to.user, opts...)
		if err == nil {
			return
		}
		b.log.Warn("chat.postEphemeral failed", "channel", to.channel, "err", err)
	}
	if to.responseURL == "" {
		b.log.Warn("ephemeral reply not delivered: no channel and no response_url")
		return
	}
	msg := &slack.WebhookMessage{ResponseType: slack.ResponseTypeEphemeral, Text: text}
	if len(blocks) > 0 {
		msg.Blocks = &slack.Blocks{BlockSet: blocks}
	}
	if err := slack.PostWebhookContext(ctx, to.responseURL, msg); err != nil {
		b.log.Warn("reply through response_url failed", "err", err)
	}
}
