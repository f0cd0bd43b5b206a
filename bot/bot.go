// Package bot is everything agency staff and coordinators touch: the Slack
// app (referral cards, buttons, modals, slash commands, the triage
// channel), Slack request signature checks, and the staff web inbox that
// mirrors the cards for agencies not on Slack. Every action goes through
// core; delivery of cards is notify's (it calls Cards.Card).
package bot

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"time"

	"github.com/redis/go-redis/v9"
	"github.com/slack-go/slack"

	"github.com/onward-network/onward/core"
	"github.com/onward-network/onward/core/config"
)

// Options wires a Bot.
type Options struct {
	Engine *core.Engine
	Config config.Config
	Log    *slog.Logger
	Redis  redis.UniversalClient
	// KeyPrefix starts every Redis key the bot writes (dedupe keys, used
	// login links), so tests and several networks can share one Redis.
	KeyPrefix string
	// MaxJobs bounds slow work running at once after an acknowledgement
	// (core calls, Slack API calls). The default is half the database
	// pool's connections (at least 2), so the bot's background work never
	// holds every connection the rest of the server needs.
	MaxJobs int
	// Random is where sign-in and session token ids come from; nil means
	// crypto/rand. Tests pass a seeded source to pin them.
	Random io.Reader
}

// Bot serves the Slack endpoints and the staff web inbox.
type Bot struct {
	engine *core.Engine
	cfg    config.Config
	log    *slog.Logger
	rdb    redis.UniversalClient
	prefix string
	api    *slack.Client
	cards  *Cards
	clock  core.Clock
	auth   *staffAuth
	// teams are the network's Slack workspaces (ONWARD_SLACK_TEAM_ID):
	// only their users are linked to staff by email; none, any.
	teams []string

	ctx    context.Context
	cancel context.CancelFunc
	jobs   jobQueue
	// answerWithin bounds the work done before Slack is answered
	// (slackAnswerWithin; tests shorten it).
	answerWithin time.Duration
}

// slackAnswerWithin is how long a Slack request may take before Onward
// answers it: what it asks of Slack's API first (views.open with the
// trigger, users.info for a user not yet linked), Redis and PostgreSQL
// included. Slack shows the user an error after 3 s, and a trigger_id
// lasts no longer, so whatever has not finished by then has failed: the
// presser is told so privately, as for any other fault.
const slackAnswerWithin = 2500 * time.Millisecond

// New builds a Bot. Without Slack credentials it serves only the staff
// web inbox.
func New(o Options) (*Bot, error) {
	if o.Engine == nil || o.Redis == nil || o.Log == nil {
		return nil, errors.New("bot: engine, Redis and logger are required")
	}
	if o.Config.SessionSecret == "" {
		return nil, errors.New("bot: ONWARD_SESSION_SECRET is required to sign staff login links")
	}
	if o.MaxJobs <= 0 {
		o.MaxJobs = max(2, int(o.Engine.Pool().Config().MaxConns)/2)
	}
	ctx, cancel := context.WithCancel(context.Background())
	b := &Bot{
		engine: o.Engine, cfg: o.Config, log: o.Log, rdb: o.Redis, prefix: o.KeyPrefix,
		cards: NewCards(o.Engine, o.Config), clock: o.Engine.Clock(),
		ctx: ctx, cancel: cancel, jobs: jobQueue{max: o.MaxJobs}, answerWithin: slackAnswerWithin,
	}
	b.api = NewSlackClient(o.Config)
	teams, err := o.Config.SlackTeams()
	if err != nil {
		cancel()
		return nil, fmt.Errorf("bot: %w", err)
	}
	b.teams = teams
	if o.Random == nil {
		o.Random = rand.Reader
	}
	b.auth = newStaffAuth(o.Config, b.clock, o.Random)
	return b, nil
}

// NewSlackClient returns the slack-go client for the configured bot token,
// pointed at ONWARD_SLACK_API_URL when set (fakes and simulators).
func NewSlackClient(cfg config.Config) *slack.Client {
	var opts []slack.Option
	if cfg.SlackAPIURL != "" {
		opts = append(opts, slack.OptionAPIURL(strings.TrimRight(cfg.SlackAPIURL, "/")+"/"))
	}
	return slack.New(cfg.SlackBotToken, opts...)
}

// Close waits (up to ten seconds) for work started after acknowledgements
// to finish, then cancels what is left.
func (b *Bot) Close() { b.Shutdown(context.Background()) }

// Shutdown waits for work started after acknowledgements to finish, for
// up to ten seconds or until ctx ends, then cancels what is left.
func (b *Bot) Shutdown(ctx context.Context) {
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	_ = b.Drain(ctx)
	b.cancel()
}

// Drain waits until the work started after acknowledgements so far has
// finished, or ctx ends.
func (b *Bot) Drain(ctx context.Context) error {
	done := make(chan struct{})
	go func() { b.jobs.wait(); close(done) }()
	select {
	case <-done:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// wait blocks until all work started so far has finished (tests).
func (b *Bot) wait() { b.jobs.wait() }
