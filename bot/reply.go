package bot

import (
	"context"
	"errors"
	"strings"
	"time"

	"github.com/slack-go/slack"

	"github.com/onward-network/onward/core"
)

// conflictView is what an "already done" reply says.
type conflictView struct {
	Reference string
	Status    core.Status
	By        string
	At        time.Time
	Location  *time.Location
}

// explain turns an error from core into words for the person who acted.
// It is the one place where the bot's typed errors become replies, in
// Slack and in the staff inbox alike. Unexpected errors are logged here
// (without personal data) and shown as a generic failure.
func (b *Bot) explain(ctx context.Context, err error) string { return b.explainWith(ctx, err, say) }

// explainPlain is explain as plain text, for modal errors and the inbox.
func (b *Bot) explainPlain(ctx context.Context, err error) string {
	return b.explainWith(ctx, err, sayPlain)
}

func (b *Bot) explainWith(ctx context.Context, err error, say func(string, any) string) string {
	var (
		conflict   *core.ConflictError
		transition *core.TransitionError
		forbidden  *core.ForbiddenError
		scope      *core.ConsentScopeError
		invalid    *core.ValidationError
	)
	switch {
	case errors.As(err, &conflict):
		return say("eph.conflict", conflictView{Reference: conflict.Reference, Status: conflict.Status,
			By: conflict.By, At: conflict.At, Location: b.location(ctx)})
	case errors.As(err, &transition):
		return say("eph.transition", transition)
	case errors.As(err, &forbidden):
		return say("eph.forbidden", forbidden.Why)
	case errors.As(err, &scope):
		return say("eph.consent_scope", scope.Agency)
	case errors.Is(err, core.ErrConsentWithdrawn):
		return say("eph.consent_withdrawn", nil)
	case errors.As(err, &invalid):
		msgs := make([]string, len(invalid.Fields))
		for i, f := range invalid.Fields {
			msgs[i] = f.Message
		}
		return say("eph.invalid", strings.Join(msgs, "; "))
	case errors.Is(err, core.ErrNotFound):
		return say("eph.not_found", nil)
	case errors.Is(err, errNotRegistered):
		return say("eph.not_registered", nil)
	case errors.Is(err, errBadButton):
		return say("eph.bad_button", nil)
	}
	b.log.Error("staff action failed", "err", err)
	return say("eph.failed", nil)
}

// errBadButton is a button or form value we cannot read.
var errBadButton = errors.New("unreadable button value")

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
