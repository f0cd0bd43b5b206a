package main

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"

	"github.com/slack-go/slack"

	"github.com/onward-network/onward/bot"
	"github.com/onward-network/onward/core"
	"github.com/onward-network/onward/intake/sms"
	"github.com/onward-network/onward/notify"
)

// notifyMetrics are this process's delivery counters, shared by the
// in-process worker and the /metrics route (like Prometheus' default
// registry, one per process).
var notifyMetrics = notify.NewMetrics()

func init() {
	registerMount(mount{
		name: "notify",
		routes: func(a *app, mux *http.ServeMux) error {
			if publicMetrics(a.cfg) {
				mux.Handle("GET /metrics", metricsHandler(a))
			}
			return nil
		},
		worker: func(ctx context.Context, a *app) error {
			w, err := newNotifyWorker(a)
			if err != nil {
				return err
			}
			return w.Run(ctx)
		},
		devInfo: func(ctx context.Context, a *app) []string {
			base := strings.TrimRight(a.cfg.PublicURL, "/")
			slackState := "Slack not configured: cards are in the staff web inbox"
			if a.cfg.SlackBotToken != "" {
				slackState = "posting to Slack"
			}
			// With ONWARD_METRICS_ADDR set, /metrics is served there and
			// not on the site's address (serve's metrics listener).
			if a.cfg.MetricsAddr != "" {
				if u, err := devLocalURL(a.cfg.MetricsAddr); err == nil {
					base = u
				}
			}
			return []string{
				fmt.Sprintf("metrics:    %s/metrics   outbox worker: running (%s)", base, slackState),
			}
		},
	})
}

// newNotifyWorker wires the outbox worker: twilio-go and slack-go senders
// when configured, and the bot package's cards.
func newNotifyWorker(a *app) (*notify.Worker, error) {
	cat, err := a.messages()
	if err != nil {
		return nil, err
	}
	o := notify.Options{Engine: a.engine, Config: a.cfg, Log: a.log.With("part", "notify"), Metrics: notifyMetrics,
		Cards: botCards{bot.NewCards(a.engine, a.cfg)}, Catalogue: cat,
		CarrierOptOut: sms.ForgetCachedOptOut(a.engine, a.rdb, "onward:", a.log.With("part", "notify"))}
	if a.cfg.TwilioEnabled() {
		s, err := notify.NewTwilioSender(a.cfg, notify.SenderOptions{})
		if err != nil {
			return nil, err
		}
		o.SMS = s
		if a.cfg.WhatsAppEnabled() {
			o.WhatsApp = s
		}
	}
	if a.cfg.SlackBotToken != "" {
		s, err := notify.NewSlackClient(a.cfg, notify.SenderOptions{})
		if err != nil {
			return nil, err
		}
		o.Slack = s
	}
	if a.cfg.MailEnabled() {
		s, err := notify.NewSMTPSender(a.cfg, notify.SMTPOptions{})
		if err != nil {
			return nil, err
		}
		o.Mail = s
	}
	return notify.New(o)
}

// botCards adapts the bot's card renderer to notify's: a card with no
// channel (an agency on the web inbox, no triage channel) is "" and no
// error, which notify records as skipped.
type botCards struct{ cards *bot.Cards }

func (c botCards) Card(ctx context.Context, referral core.ReferralID, kind string) (string, string, []slack.Block, error) {
	channel, text, blocks, err := c.cards.Card(ctx, referral, kind)
	if errors.Is(err, bot.ErrNoChannel) {
		return "", "", nil, nil
	}
	return channel, text, blocks, err
}
