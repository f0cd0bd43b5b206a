package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"text/tabwriter"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/onward-network/onward/core"
	"github.com/onward-network/onward/core/config"
)

const agencyUsage = `Usage: onward agency list
       onward agency slack-channel SLUG CHANNEL_ID
       onward agency notify SLUG [--email ADDRESS] [--email-staff always|without-slack|never]

list prints every agency: its short name (slug), name, Slack channel,
where its email notifications go, whether it is at capacity, and whether
it is still in the network ("retired" and the day it left, for one that
is not: its staff can no longer sign in and nothing is sent to it).

slack-channel records the Slack channel where the agency's referral cards
are posted (a channel id like C0123ABCD: in Slack, open the channel's
details; the id is at the bottom). Invite the Onward app to the channel
first. An empty CHANNEL_ID ("") takes the agency off Slack: its staff use
the web inbox. The change is recorded in the audit log.

notify says where the agency's notifications go by email, besides its Slack
channel: --email is a shared address (a team mailbox) that gets every
notification for the agency (--email "" for none); --email-staff says
whether each member of staff also gets them at their own address: always,
without-slack (only while Slack does not reach the agency: it has no
channel, or Onward is not connected to Slack; the default) or never. Each member of staff chooses per kind at /staff/settings/email.
Settings not given are left as they are; with neither, notify prints them.
The change is recorded in the audit log.

Needs ONWARD_DATABASE_URL.
`

// cliActor is who the audit log names for changes made from the command
// line: whoever can run the binary against the database.
var cliActor = core.Actor{Kind: core.ActorSystem, Name: "onward command line"}

func init() {
	register(command{name: "agency", subs: []string{"list", "slack-channel", "notify"}, summary: "list agencies, or set an agency's Slack channel and email notifications", run: runAgency})
}

func runAgency(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) > 0 && args[0] == "notify" {
		return runAgencyNotify(ctx, args[1:], stdout, stderr)
	}
	fs := newFlags("agency", agencyUsage, stdout, stderr)
	if err := fs.Parse(args); err != nil {
		return err
	}
	switch {
	case fs.NArg() == 1 && fs.Arg(0) == "list":
	case fs.NArg() == 3 && fs.Arg(0) == "slack-channel":
	default:
		fs.Usage()
		return errors.New("say `onward agency list`, `onward agency slack-channel SLUG CHANNEL_ID` or `onward agency notify SLUG …`")
	}
	eng, closeEng, err := openCLIEngine(ctx)
	if err != nil {
		return err
	}
	defer closeEng()
	if fs.Arg(0) == "list" {
		return listAgencies(ctx, eng, stdout)
	}
	a, err := agencyBySlug(ctx, eng, fs.Arg(1))
	if err != nil {
		return err
	}
	if err := eng.SetSlackChannel(ctx, a.ID, fs.Arg(2), cliActor); err != nil {
		return err
	}
	if fs.Arg(2) == "" {
		fmt.Fprintf(stdout, "%s is off Slack: its referrals appear in the staff web inbox.\n", a.Name)
	} else {
		fmt.Fprintf(stdout, "%s's referral cards will be posted in %s.\n", a.Name, fs.Arg(2))
		if cfg, err := loadDBConfig(); err == nil && !cfg.SlackEnabled() {
			fmt.Fprintln(stdout, "Slack is not configured in these settings (ONWARD_SLACK_BOT_TOKEN and ONWARD_SLACK_SIGNING_SECRET): "+
				"cards are posted once the server has them; until then its referrals reach it in the staff web inbox and by email.")
		}
	}
	return nil
}

func listAgencies(ctx context.Context, eng *core.Engine, stdout io.Writer) error {
	agencies, err := eng.Agencies(ctx)
	if err != nil {
		return err
	}
	w := tabwriter.NewWriter(stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(w, "SLUG\tNAME\tSLACK CHANNEL\tSHARED EMAIL\tSTAFF EMAIL\tAT CAPACITY\tIN NETWORK")
	for _, a := range agencies {
		channel, shared, full, in := a.SlackChannelID, a.NotifyEmail, "no", "yes"
		if channel == "" {
			channel = "(web inbox)"
		}
		if shared == "" {
			shared = "(none)"
		}
		if a.AtCapacity {
			full = "yes"
		}
		if a.RetiredAt != nil {
			in = "retired " + a.RetiredAt.Format(time.DateOnly)
		}
		fmt.Fprintf(w, "%s\t%s\t%s\t%s\t%s\t%s\t%s\n", a.Slug, a.Name, channel, shared, a.EmailStaff, full, in)
	}
	return w.Flush()
}

// agencyBySlug finds an agency by its short name, saying how to list
// them when there is none.
func agencyBySlug(ctx context.Context, eng *core.Engine, slug string) (core.Agency, error) {
	a, err := eng.AgencyBySlug(ctx, slug)
	if errors.Is(err, core.ErrNotFound) {
		return a, fmt.Errorf("no agency has the short name %q: `onward agency list` shows them", slug)
	}
	return a, err
}

// openCLIEngine opens the database for an admin command. These commands
// read and write no client details, so no encryption key is needed.
func openCLIEngine(ctx context.Context) (*core.Engine, func(), error) {
	return openEngineWith(ctx, openDB)
}

// openMigratingEngine is openCLIEngine for the commands that bring the
// schema up to date themselves before they write (network import,
// boundaries import), so they run on a new database.
func openMigratingEngine(ctx context.Context) (*core.Engine, func(), error) {
	return openEngineWith(ctx, func(ctx context.Context, cfg config.Config) (*pgxpool.Pool, error) {
		pool, err := core.OpenPool(ctx, cfg.DatabaseURL)
		if err != nil {
			return nil, err
		}
		if _, err := core.Migrate(ctx, pool); err != nil {
			pool.Close()
			return nil, err
		}
		return pool, nil
	})
}

// openEngineWith is an admin command's engine on the pool open makes.
func openEngineWith(ctx context.Context, open func(context.Context, config.Config) (*pgxpool.Pool, error)) (*core.Engine, func(), error) {
	cfg, err := loadDBConfig()
	if err != nil {
		return nil, nil, err
	}
	pool, err := open(ctx, cfg)
	if err != nil {
		return nil, nil, err
	}
	eng, err := newEngine(cfg, pool, nil, newLogger(cfg))
	if err != nil {
		pool.Close()
		return nil, nil, err
	}
	return eng, func() { eng.Close(); pool.Close() }, nil
}
