package notify

import (
	"context"
	"errors"
	"net/http"
	"strings"

	"github.com/onward-network/onward/core/config"
	"github.com/slack-go/slack"
)

// SlackSender posts and updates messages in Slack channels. It is the seam
// between the worker and Slack.
type SlackSender interface {
	Post(ctx context.Context, channel, text string, blocks []slack.Block) (SlackMessage, error)
	Update(ctx context.Context, msg SlackMessage, text string, blocks []slack.Block) (SlackMessage, error)
}

// SlackMessage is where a message lives: its channel id and timestamp.
type SlackMessage struct {
	Channel string
	TS      string
}

// ProviderID is how the outbox records the message: "C123/1712345678.000100".
func (m SlackMessage) ProviderID() string { return m.Channel + "/" + m.TS }

// SlackClient sends through slack-go's Web API client.
type SlackClient struct{ api *slack.Client }

// NewSlackClient builds the sender from the config; cfg.SlackAPIURL points
// it at a fake.
func NewSlackClient(cfg config.Config, o SenderOptions) (*SlackClient, error) {
	if cfg.SlackBotToken == "" {
		return nil, errors.New("slack is not configured")
	}
	opts := []slack.Option{slack.OptionHTTPClient(&http.Client{Timeout: o.timeout(), Transport: o.transport()})}
	if cfg.SlackAPIURL != "" {
		opts = append(opts, slack.OptionAPIURL(strings.TrimRight(cfg.SlackAPIURL, "/")+"/"))
	}
	return &SlackClient{api: slack.New(cfg.SlackBotToken, opts...)}, nil
}

// Post sends a new message (chat.postMessage).
func (c *SlackClient) Post(ctx context.Context, channel, text string, blocks []slack.Block) (SlackMessage, error) {
	ch, ts, err := c.api.PostMessageContext(ctx, channel, slack.MsgOptionText(text, false), slack.MsgOptionBlocks(blocks...))
	if err != nil {
		return SlackMessage{}, slackFailure(err)
	}
	return SlackMessage{Channel: ch, TS: ts}, nil
}

// Update replaces a message in place (chat.update).
func (c *SlackClient) Update(ctx context.Context, msg SlackMessage, text string, blocks []slack.Block) (SlackMessage, error) {
	ch, ts, _, err := c.api.UpdateMessageContext(ctx, msg.Channel, msg.TS, slack.MsgOptionText(text, false), slack.MsgOptionBlocks(blocks...))
	if err != nil {
		return SlackMessage{}, slackFailure(err)
	}
	if ch == "" {
		ch = msg.Channel
	}
	if ts == "" {
		ts = msg.TS
	}
	return SlackMessage{Channel: ch, TS: ts}, nil
}

// Slack API errors worth retrying; every other API error but a refused
// token (slackCredentials) is permanent (channel_not_found,
// not_in_channel, is_archived, invalid_blocks, …): Slack answered, and
// said no.
var slackTransient = map[string]bool{
	"ratelimited": true, "internal_error": true, "fatal_error": true, "service_unavailable": true,
	"request_timeout": true, "team_added_to_org": true,
}

// Slack API errors that refuse the bot token itself: every call fails
// alike until the token is fixed (Failure.Credentials).
var slackCredentials = map[string]bool{
	"invalid_auth": true, "not_authed": true, "token_revoked": true, "token_expired": true, "account_inactive": true,
}

// errSlackMessageGone is Slack saying the message to update is gone.
const slackMessageNotFound = "message_not_found"

func slackFailure(err error) error {
	var rl *slack.RateLimitedError
	if errors.As(err, &rl) {
		return &Failure{Provider: "slack", Status: http.StatusTooManyRequests, Code: "ratelimited", RetryAfter: rl.RetryAfter, Reason: "rate limited"}
	}
	var sc slack.StatusCodeError
	if errors.As(err, &sc) {
		return &Failure{Provider: "slack", Status: sc.Code, Reason: "server answered " + http.StatusText(sc.Code)}
	}
	var se slack.SlackErrorResponse
	if errors.As(err, &se) {
		if slackCredentials[se.Err] {
			return &Failure{Provider: "slack", Code: se.Err, Credentials: true, RetryAfter: credentialsRecheck,
				Reason: "Slack refused the bot token: check ONWARD_SLACK_BOT_TOKEN"}
		}
		return &Failure{Provider: "slack", Code: se.Err, Permanent: !slackTransient[se.Err], Reason: "slack refused"}
	}
	f := asFailure(err)
	f.Provider = "slack"
	return f
}

// isSlackCode reports whether err is Slack's API error code.
func isSlackCode(err error, code string) bool {
	var f *Failure
	return errors.As(err, &f) && f.Provider == "slack" && f.Code == code
}
