package bot

import (
	"context"

	"github.com/slack-go/slack"
)

// loginMessage is the sign-in link sent by direct message.
type loginMessage struct {
	URL, Valid string
}

// sendLoginLink handles `/onward login`: a short-lived, single-use sign-in
// link for the staff web inbox, sent by direct message (never in a
// channel).
func (b *Bot) sendLoginLink(ctx context.Context, c slashCommand) {
	staff, err := b.staffForSlack(ctx, c.user)
	if err != nil {
		b.ephemeral(ctx, c.to, b.slackReply(ctx, err).text)
		return
	}
	link, err := b.auth.loginLink(staff)
	if err != nil {
		b.ephemeral(ctx, c.to, b.slackReply(ctx, err).text)
		return
	}
	dm, _, _, err := b.api.OpenConversationContext(ctx, &slack.OpenConversationParameters{Users: []string{c.user}})
	if err == nil {
		_, _, err = b.api.PostMessageContext(ctx, dm.ID,
			slack.MsgOptionText(say("cmd.login.dm", loginMessage{URL: link, Valid: humanDuration(loginLinkTTL)}), false),
			slack.MsgOptionDisableLinkUnfurl(), slack.MsgOptionDisableMediaUnfurl())
	}
	if err != nil {
		b.ephemeral(ctx, c.to, b.slackReply(ctx, err).text)
		return
	}
	b.ephemeral(ctx, c.to, say("cmd.login.sent", humanDuration(loginLinkTTL)))
}
