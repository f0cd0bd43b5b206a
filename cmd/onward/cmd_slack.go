package main

import (
	"context"
	"errors"
	"io"

	"github.com/onward-network/onward/bot"
)

const slackUsage = `Usage: onward slack manifest

Print the Slack app manifest (JSON) for this deployment: request URLs
from ONWARD_PUBLIC_URL (/slack/interactions, /slack/commands), the bot
scopes (chat:write, commands, users:read, users:read.email, im:write), the
/onward and /refer commands, interactivity on. Paste it into
https://api.slack.com/apps → Create New App → From an app manifest.
`

func init() {
	register(command{name: "slack", subs: []string{"manifest"}, summary: "print the Slack app manifest (onward slack manifest)", run: runSlack})
}

func runSlack(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("slack", slackUsage, stdout, stderr)
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() != 1 || fs.Arg(0) != "manifest" {
		fs.Usage()
		return errors.New("say `onward slack manifest`")
	}
	cfg, err := loadDBConfig()
	if err != nil {
		return err
	}
	m, err := bot.Manifest(cfg)
	if err != nil {
		return err
	}
	_, err = stdout.Write(m)
	return err
}
