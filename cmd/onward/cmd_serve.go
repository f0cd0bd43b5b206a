package main

import (
	"context"
	"io"
	"log/slog"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/onward-network/onward/core"
	"github.com/onward-network/onward/core/config"
)

const serveUsage = `Usage: onward serve [--worker=false]

Serve Onward over HTTP on ONWARD_HTTP_ADDR: provider webhooks, the web
form, the staff inbox, /healthz, /readyz and /metrics. Runs the outbox
worker in the same process unless --worker=false (then run ` + "`onward worker`" + `).
Needs ONWARD_ENCRYPTION_KEY, ONWARD_SESSION_SECRET and ONWARD_AUDIT_KEY,
and outside dev an https ONWARD_PUBLIC_URL and Slack or email
(ONWARD_SMTP_URL). Started while PostgreSQL does not answer, it waits
for it (saying so once in the log, and in /readyz meanwhile); started
while Redis does not answer, it serves as it does when Redis is lost
(STOP still works, other texts get the apology) until Redis answers. A
database schema of another version, or keys that do not open the data
stored in it, stop it at once.

Flags:
`

func init() {
	register(command{name: "serve", summary: "run the HTTP server (and the outbox worker)", run: runServe})
}

func runServe(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("serve", serveUsage, stdout, stderr)
	worker := fs.Bool("worker", true, "run the outbox worker in this process")
	if err := onlyFlags(fs, args, serveUsage); err != nil {
		return err
	}
	a, err := startApp(stderr, true)
	if err != nil {
		return err
	}
	defer a.CloseAtExit()
	logMetricsOff(a.cfg, a.log)
	return serveHTTP(ctx, a, *worker, nil, newServeStartState())
}

// logMetricsOff says once, at start, that serve answers /metrics nowhere
// (outside dev it needs ONWARD_METRICS_TOKEN or ONWARD_METRICS_ADDR), as
// the worker says it has no health endpoint: a monitor's 404 then has
// its reason in the log.
func logMetricsOff(cfg config.Config, log *slog.Logger) {
	if !publicMetrics(cfg) && cfg.MetricsAddr == "" {
		log.Info("no /metrics: set ONWARD_METRICS_TOKEN to serve it on this address behind a bearer token, or ONWARD_METRICS_ADDR to serve it on an address of its own")
	}
}

// startApp is how serve (serving) and worker begin: the environment read
// and checked (every problem at once), a logger on the stderr they were
// given, a word at start when email is off, and the app built without
// reaching PostgreSQL or Redis, which both then wait for.
func startApp(stderr io.Writer, serving bool) (*app, error) {
	cfg, err := loadConfig(serving)
	if err != nil {
		return nil, err
	}
	log := newLoggerTo(cfg, stderr)
	logMailOff(cfg, log)
	logSlackAnyWorkspace(cfg, log)
	return newApp(cfg, log)
}

// logMailOff says once, at start, that staff email is off (Validate has
// made sure Slack is on): agencies told of referrals only by email hear
// of nothing, and nobody can sign in by email.
func logMailOff(cfg config.Config, log *slog.Logger) {
	if cfg.MailOff() {
		log.Warn("email is off (no ONWARD_SMTP_URL): staff are reached on Slack only; agencies notified only by email will not hear of their referrals, and sign-in by email does not work")
	}
}

// logSlackAnyWorkspace says once, at start, that with Slack on and no
// ONWARD_SLACK_TEAM_ID a Slack user of any workspace the app can see (a
// shared channel's other organisation) is linked to the member of staff
// whose email their profile shows.
func logSlackAnyWorkspace(cfg config.Config, log *slog.Logger) {
	if cfg.SlackEnabled() && cfg.SlackTeamID == "" && !cfg.Dev() {
		log.Warn("ONWARD_SLACK_TEAM_ID is not set: a Slack user of any workspace the app can see is recognised as the member of staff " +
			"whose email their profile shows; set it to the network's workspace id (T…)")
	}
}

func migrateDB(ctx context.Context, pool *pgxpool.Pool) (int32, error) {
	return core.Migrate(ctx, pool)
}
