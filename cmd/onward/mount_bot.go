package main

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"sync"

	"github.com/onward-network/onward/bot"
	"github.com/onward-network/onward/core"
)

// bots holds the bot serving each app, so its drain can let acknowledged
// Slack work finish on shutdown.
var bots sync.Map // *app → *bot.Bot

func init() {
	registerMount(mount{
		name: "bot",
		routes: func(a *app, mux *http.ServeMux) error {
			b, err := bot.New(bot.Options{Engine: a.engine, Config: a.cfg, Log: a.log.With("part", "bot"),
				Redis: a.rdb, KeyPrefix: "onward:"})
			if err != nil {
				return err
			}
			bots.Store(a, b)
			b.Routes(mux)
			return nil
		},
		// Slack work acknowledged before the shutdown gets up to ten
		// seconds to finish, whether or not this serve runs a worker.
		drain: func(ctx context.Context, a *app) {
			if b, ok := bots.Load(a); ok {
				b.(*bot.Bot).Shutdown(ctx)
			}
		},
		devInfo: botDevInfo,
	})
}

// botDevInfo prints where staff work locally: the Slack endpoints when a
// Slack app is configured, and sign-in links to the web inbox for the
// first adviser and the first coordinator of the demo network.
func botDevInfo(ctx context.Context, a *app) []string {
	base := strings.TrimRight(a.cfg.PublicURL, "/")
	lines := []string{fmt.Sprintf("staff inbox: %s/staff/   (links below work once, for 15 minutes; `onward staff login-link EMAIL` makes more)", base)}
	if a.cfg.SlackEnabled() {
		lines = append(lines, fmt.Sprintf("slack:      %s/slack/interactions and /slack/commands (`onward slack manifest` prints the app manifest)", base))
	} else {
		lines = append(lines, "slack:      not configured: staff use the web inbox")
	}
	staff, err := a.engine.ListStaff(ctx, 0)
	if err != nil {
		return append(lines, "  (no staff to sign in as: "+err.Error()+")")
	}
	var adviser, coordinator *core.Staff
	for i := range staff {
		switch {
		case adviser == nil && staff[i].Role == core.RoleAdviser:
			adviser = &staff[i]
		case coordinator == nil && staff[i].Role == core.RoleCoordinator:
			coordinator = &staff[i]
		}
	}
	for _, s := range []*core.Staff{adviser, coordinator} {
		if s == nil {
			continue
		}
		link, err := bot.LoginLink(a.cfg, a.engine.Clock(), *s)
		if err != nil {
			return append(lines, "  (cannot make sign-in links: "+err.Error()+")")
		}
		lines = append(lines, fmt.Sprintf("  sign in as %s (%s, %s): %s", s.Name, s.Role, s.AgencyName, link))
	}
	return lines
}
