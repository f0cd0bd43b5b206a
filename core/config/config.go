// Package config reads Onward's settings from ONWARD_* environment
// variables into plain values and checks them once, in Validate. It knows
// nothing of the engine or the edges: they take the values they need.
package config

import (
	"errors"
	"fmt"
	"github.com/jackc/pgx/v5/pgxpool"
	"math"
	"net/netip"
	"net/url"
	"os"
	"regexp"
	"strconv"
	"strings"
	"time"
)

// Config is every setting Onward reads, filled from ONWARD_* environment
// variables by Load. It is built once in main and passed down explicitly.
// Secrets may instead be given as a file path in NAME_FILE.
type Config struct {
	Env         string // "dev" or "production"; dev relaxes Secure cookies and allows generated keys
	DatabaseURL string
	RedisURL    string
	HTTPAddr    string
	PublicURL   string // the URL providers call; Twilio signatures are checked against it

	// DatabaseReplicaURL is a streaming read replica of DatabaseURL that
	// reports, the public directory and the Open Referral feed read from;
	// empty: they read from the primary.
	DatabaseReplicaURL string
	// ReplicaMaxLag is how far behind the primary the replica may be and
	// still be read from.
	ReplicaMaxLag time.Duration

	EncryptionKey     string // base64 of 32 bytes
	EncryptionOldKeys string // comma-separated base64 keys still needed to read old rows
	HashKey           string // base64 key for lookup hashes; derived from EncryptionKey when empty
	SessionSecret     string // signs staff login links and session cookies

	TwilioAccountSID          string
	TwilioAuthToken           string
	TwilioFrom                string
	TwilioMessagingServiceSID string
	TwilioAPIURL              string // fake or simulator in tests and dev

	SlackBotToken      string
	SlackSigningSecret string
	SlackTriageChannel string
	SlackAPIURL        string // fake in tests
	SlackCrisisMention string // prepended to crisis posts in the triage channel, "" to disable
	// SlackTeamID is the network's Slack workspace (T…), or several,
	// comma-separated (an Enterprise Grid install); set, a Slack user of
	// any other is never linked to staff by their email (SlackTeams).
	SlackTeamID string

	WorkerBatch       int
	WorkerMaxAttempts int
	WorkerPoll        time.Duration
	// WorkerLease is how long a worker's claim holds an outbox row; a
	// worker that dies leaves its rows to others when it runs out. An
	// email send waits for the mail server's answer to its final "."
	// only within it.
	WorkerLease time.Duration
	// ShutdownGrace is how long serve drains requests, and a worker
	// finishes its deliveries, after SIGTERM.
	ShutdownGrace time.Duration
	// RedisTimeout bounds every Redis command, retries included, so a
	// Redis that hangs is treated as a Redis that is down.
	RedisTimeout   time.Duration
	SMSRatePerHour int // inbound messages per phone per hour
	// SMSSegmentCost is the estimated price of one outgoing SMS segment,
	// in pounds, for the reports' cost of texts.
	SMSSegmentCost  float64
	IPRatePerMinute int // inbound requests per source IP per minute
	// TrustedProxies lists the reverse proxies (addresses or CIDR ranges,
	// comma-separated) whose X-Forwarded-For names the client; see
	// Config.Proxies.
	TrustedProxies string
	// WebhookPrivateNetworks lists the networks (addresses or CIDR
	// ranges, comma-separated) inside Onward's own that partners'
	// webhook receivers may be in all the same; see
	// Config.WebhookNetworks.
	WebhookPrivateNetworks string
	ConversationTTL        time.Duration
	LogLevel               string
	StateDir               string // dev-only state (generated keys, private databases)

	// WhatsAppFrom is the WhatsApp sender (E.164) that clients write to
	// and status texts come from; empty means WhatsApp is off.
	WhatsAppFrom string
	// WhatsAppTemplates names the approved WhatsApp template (Content SID)
	// per kind of status text, as "kind=HX…" pairs; see WhatsAppTemplateSIDs.
	WhatsAppTemplates         string
	OpenReferralPath          string // where the Open Referral UK feed is served ("/openreferral")
	OpenReferralRatePerMinute int    // feed requests per source IP per minute
	OpenReferralCachedAnswers int    // feed answers kept in memory by ETag; 0 keeps none
	DirectorySMSPerDay        int    // "text me this service" texts per phone (and per IP) per day
	// MigrateDatabaseURL is the role that owns the schema, for `onward
	// migrate`; the server's own role (DatabaseURL) is then granted only
	// what it needs, and cannot alter or empty the audit log.
	MigrateDatabaseURL     string
	AuditKey               string        // base64 of 32 bytes; keys the audit chains, signs checkpoints
	AuditCheckpointEvery   time.Duration // how often the worker signs a checkpoint
	MetricsToken           string        // bearer token /metrics asks for
	MetricsAddr            string        // a separate address serving /metrics only
	PhoneCountries         string        // comma-separated ISO 3166 codes whose numbers are accepted and texted
	WebTextsPerNumberDaily int           // texts the web form may cause to one number a day
	SMTPURL                string        // smtp://user:pass@host:port (?tls=required) or smtps://…; see SMTP
	MailFrom               string        // the From address of every email
	MailReplyTo            string        // optional Reply-To
}

// setting describes one environment variable: its name, default, and where
// it lands in Config. The table drives Load and the README's config table
// (Table).
type setting struct {
	name, def, help string
	secret          bool
	// devDefault: def applies with ONWARD_ENV=dev only (ONWARD_ENV is
	// read first); outside dev the setting must be given.
	devDefault bool
	set        func(c *Config, v string) error
}

func str(p func(*Config) *string) func(*Config, string) error {
	return func(c *Config, v string) error { *p(c) = v; return nil }
}

func num(name string, p func(*Config) *int) func(*Config, string) error {
	return func(c *Config, v string) error {
		n, err := strconv.Atoi(v)
		if err != nil || n <= 0 {
			return fmt.Errorf("%s must be a positive whole number, got %q", name, v)
		}
		*p(c) = n
		return nil
	}
}

// count reads a whole number that may be 0 (0 turns the thing off).
func count(name string, p func(*Config) *int) func(*Config, string) error {
	return func(c *Config, v string) error {
		n, err := strconv.Atoi(v)
		if err != nil || n < 0 {
			return fmt.Errorf("%s must be a whole number, 0 or more, got %q", name, v)
		}
		*p(c) = n
		return nil
	}
}

// pounds reads an amount of money in pounds ("0.04"), from 0 up to £10.
func pounds(name string, p func(*Config) *float64) func(*Config, string) error {
	return func(c *Config, v string) error {
		x, err := strconv.ParseFloat(strings.TrimPrefix(strings.TrimSpace(v), "£"), 64)
		if err != nil || x < 0 || x > 10 || math.IsNaN(x) {
			return fmt.Errorf("%s must be an amount in pounds from 0 to 10, like 0.04, got %q", name, v)
		}
		*p(c) = x
		return nil
	}
}

func dur(name string, p func(*Config) *time.Duration) func(*Config, string) error {
	return func(c *Config, v string) error {
		d, err := time.ParseDuration(v)
		if err != nil || d <= 0 {
			return fmt.Errorf("%s must be a positive duration like 30s or 24h, got %q", name, v)
		}
		*p(c) = d
		return nil
	}
}

var settings = []setting{
	{name: "ONWARD_ENV", def: "production", help: "`dev` or `production`", set: str(func(c *Config) *string { return &c.Env })},
	{name: "ONWARD_DATABASE_URL", def: "postgres://localhost:5432/onward?sslmode=disable", help: "PostgreSQL connection URL (`postgres://` or `postgresql://`)", secret: true, devDefault: true, set: str(func(c *Config) *string { return &c.DatabaseURL })},
	{name: "ONWARD_DATABASE_REPLICA_URL", help: "PostgreSQL URL of a streaming read replica of ONWARD_DATABASE_URL; reports, the public directory and the Open Referral feed read from it while it is no more than ONWARD_REPLICA_MAX_LAG behind, and from the primary otherwise; empty: everything reads the primary", secret: true, set: str(func(c *Config) *string { return &c.DatabaseReplicaURL })},
	{name: "ONWARD_REPLICA_MAX_LAG", def: "30s", help: "how far behind the primary the read replica may be and still be read from; further behind, or not answering, reads go to the primary (counted in `/metrics`)", set: dur("ONWARD_REPLICA_MAX_LAG", func(c *Config) *time.Duration { return &c.ReplicaMaxLag })},
	{name: "ONWARD_REDIS_URL", def: "redis://localhost:6379/0", help: "Redis connection URL: one server `redis://host:6379/0`; a Sentinel set `redis+sentinel://[:password@]host1:26379,host2:26379,host3:26379/MASTER?db=0` (the password is the servers'; a Sentinel's own goes in `sentinel_password=`); a Cluster `redis+cluster://[:password@]host1:6379,host2:6379`; `rediss…` for TLS. Needs append-only persistence to keep conversations across a restart or failover", secret: true, set: str(func(c *Config) *string { return &c.RedisURL })},
	{name: "ONWARD_HTTP_ADDR", def: ":8080", help: "address the HTTP server listens on", set: str(func(c *Config) *string { return &c.HTTPAddr })},
	{name: "ONWARD_PUBLIC_URL", def: "http://localhost:8080", help: "public base URL that people, Twilio and Slack reach Onward at; signatures are checked against it and links in texts, emails and leaflets use it. Outside dev it must be an `https://` address that is not localhost", set: str(func(c *Config) *string { return &c.PublicURL })},
	{name: "ONWARD_ENCRYPTION_KEY", help: "base64 of 32 random bytes; encrypts client details (required outside dev)", secret: true, set: str(func(c *Config) *string { return &c.EncryptionKey })},
	{name: "ONWARD_ENCRYPTION_OLD_KEYS", help: "comma-separated older keys, kept to read rows written before a rotation", secret: true, set: str(func(c *Config) *string { return &c.EncryptionOldKeys })},
	{name: "ONWARD_HASH_KEY", help: "base64 key for phone lookup hashes; defaults to one derived from the encryption key (`onward keys hash-key` prints it) — required once ONWARD_ENCRYPTION_OLD_KEYS is set, so a rotation keeps phone lookups", secret: true, set: str(func(c *Config) *string { return &c.HashKey })},
	{name: "ONWARD_SESSION_SECRET", help: "signs staff login links and session cookies; at least 32 characters (required outside dev)", secret: true, set: str(func(c *Config) *string { return &c.SessionSecret })},
	{name: "ONWARD_TWILIO_ACCOUNT_SID", help: "Twilio account SID; without it dev uses the phone simulator", set: str(func(c *Config) *string { return &c.TwilioAccountSID })},
	{name: "ONWARD_TWILIO_AUTH_TOKEN", help: "Twilio auth token (signs webhooks)", secret: true, set: str(func(c *Config) *string { return &c.TwilioAuthToken })},
	{name: "ONWARD_TWILIO_FROM", help: "sending number in E.164", set: str(func(c *Config) *string { return &c.TwilioFrom })},
	{name: "ONWARD_TWILIO_MESSAGING_SERVICE_SID", help: "Twilio messaging service, instead of ONWARD_TWILIO_FROM", set: str(func(c *Config) *string { return &c.TwilioMessagingServiceSID })},
	{name: "ONWARD_TWILIO_API_URL", help: "send Twilio API calls here instead (fakes and the simulator)", set: str(func(c *Config) *string { return &c.TwilioAPIURL })},
	{name: "ONWARD_SLACK_BOT_TOKEN", help: "Slack bot token (xoxb-…); without it staff use the web inbox", secret: true, set: str(func(c *Config) *string { return &c.SlackBotToken })},
	{name: "ONWARD_SLACK_SIGNING_SECRET", help: "Slack signing secret, checks every request from Slack", secret: true, set: str(func(c *Config) *string { return &c.SlackSigningSecret })},
	{name: "ONWARD_SLACK_TRIAGE_CHANNEL", help: "channel id where coordinators triage crisis and unrouted self-referrals", set: str(func(c *Config) *string { return &c.SlackTriageChannel })},
	{name: "ONWARD_SLACK_API_URL", help: "send Slack API calls here instead (fakes)", set: str(func(c *Config) *string { return &c.SlackAPIURL })},
	{name: "ONWARD_SLACK_TEAM_ID", help: "the network's Slack workspace id (T…; several comma-separated for an Enterprise Grid install): a Slack user of any other workspace (Slack Connect, a shared channel) is never recognised as staff by the email on their profile; unset, any account the app can see may be", set: str(func(c *Config) *string { return &c.SlackTeamID })},
	{name: "ONWARD_SLACK_CRISIS_MENTION", def: "<!here>", help: "mention put on the triage card of a crisis self-referral (taken off once it is claimed); the crisis alert posted beside it mentions nobody, so one crisis pings the channel once; empty for none", set: str(func(c *Config) *string { return &c.SlackCrisisMention })},
	{name: "ONWARD_WORKER_BATCH", def: "50", help: "outbox rows a worker claims at once", set: num("ONWARD_WORKER_BATCH", func(c *Config) *int { return &c.WorkerBatch })},
	{name: "ONWARD_WORKER_MAX_ATTEMPTS", def: "8", help: "delivery attempts before a row is dead-lettered", set: num("ONWARD_WORKER_MAX_ATTEMPTS", func(c *Config) *int { return &c.WorkerMaxAttempts })},
	{name: "ONWARD_WORKER_POLL", def: "10s", help: "fallback poll interval when no notification arrives", set: dur("ONWARD_WORKER_POLL", func(c *Config) *time.Duration { return &c.WorkerPoll })},
	{name: "ONWARD_WORKER_LEASE", def: "2m", help: "how long a worker's claim holds an outbox row; a worker that dies leaves its rows to the others when it runs out, so it bounds how late a crashed delivery is retried (keep it well above one provider call, 10 s); it also bounds how long an email send waits for the mail server's answer to the final \".\" (RFC 5321 asks for up to 10 minutes; the wait ends 5 s before the lease)", set: dur("ONWARD_WORKER_LEASE", func(c *Config) *time.Duration { return &c.WorkerLease })},
	{name: "ONWARD_SHUTDOWN_GRACE", def: "20s", help: "after SIGTERM, how long `serve` drains requests in flight and a worker finishes its deliveries before it returns the rows it still holds and exits", set: dur("ONWARD_SHUTDOWN_GRACE", func(c *Config) *time.Duration { return &c.ShutdownGrace })},
	{name: "ONWARD_REDIS_TIMEOUT", def: "500ms", help: "deadline of every Redis command, retries included; a Redis that takes longer is treated as down (webhooks answer without it), well inside Slack's 3 s and Twilio's 15 s", set: dur("ONWARD_REDIS_TIMEOUT", func(c *Config) *time.Duration { return &c.RedisTimeout })},
	{name: "ONWARD_SMS_RATE_PER_HOUR", def: "60", help: "inbound texts accepted per phone per hour", set: num("ONWARD_SMS_RATE_PER_HOUR", func(c *Config) *int { return &c.SMSRatePerHour })},
	{name: "ONWARD_SMS_SEGMENT_COST", def: "0.04", help: "estimated price of one outgoing SMS segment in pounds, for the reports' count and cost of texts (Twilio's UK price is about £0.04; use your account's)", set: pounds("ONWARD_SMS_SEGMENT_COST", func(c *Config) *float64 { return &c.SMSSegmentCost })},
	{name: "ONWARD_IP_RATE_PER_MINUTE", def: "120", help: "requests accepted per source IP (an IPv6 source counted by its /64, as every per-IP limit) per minute on the public web pages, and unsigned requests to the Twilio webhook (signed ones are limited per phone)", set: num("ONWARD_IP_RATE_PER_MINUTE", func(c *Config) *int { return &c.IPRatePerMinute })},
	{name: "ONWARD_TRUSTED_PROXIES", help: "comma-separated addresses or CIDR ranges of the reverse proxies in front of Onward; per-IP limits then count the client named in X-Forwarded-For", set: str(func(c *Config) *string { return &c.TrustedProxies })},
	{name: "ONWARD_WEBHOOK_PRIVATE_NETWORKS", help: "comma-separated addresses or CIDR ranges inside your own network where partners' webhook receivers may be (an agency's casework system on the council's network, say); receivers elsewhere must be public, and all need https (with ONWARD_ENV=dev, any address and plain http are taken)", set: str(func(c *Config) *string { return &c.WebhookPrivateNetworks })},
	{name: "ONWARD_CONVERSATION_TTL", def: "24h", help: "how long an unfinished SMS conversation is kept", set: dur("ONWARD_CONVERSATION_TTL", func(c *Config) *time.Duration { return &c.ConversationTTL })},
	{name: "ONWARD_LOG_LEVEL", def: "info", help: "debug, info, warn or error", set: str(func(c *Config) *string { return &c.LogLevel })},
	{name: "ONWARD_STATE_DIR", def: ".onward", help: "dev state: generated keys and private databases", set: str(func(c *Config) *string { return &c.StateDir })},
	{name: "ONWARD_WHATSAPP_FROM", help: "WhatsApp sender number in E.164 (a WhatsApp-enabled Twilio number); empty turns WhatsApp off", set: str(func(c *Config) *string { return &c.WhatsAppFrom })},
	{name: "ONWARD_WHATSAPP_TEMPLATES", help: "approved WhatsApp templates for status texts outside the 24-hour window: comma-separated `kind=ContentSid` pairs like `accepted=HX…,contact_check=HX…`; a kind with none is held and coordinators alerted", set: str(func(c *Config) *string { return &c.WhatsAppTemplates })},
	{name: "ONWARD_OPENREFERRAL_PATH", def: "/openreferral", help: "path the open Open Referral UK (HSDS 3.0) feed of the directory is served under", set: str(func(c *Config) *string { return &c.OpenReferralPath })},
	{name: "ONWARD_OPENREFERRAL_CACHED_ANSWERS", def: "256", help: "Open Referral feed answers each server keeps in memory by ETag, so a repeated search does not ask the database again (any directory change starts afresh); 0 keeps none", set: count("ONWARD_OPENREFERRAL_CACHED_ANSWERS", func(c *Config) *int { return &c.OpenReferralCachedAnswers })},
	{name: "ONWARD_OPENREFERRAL_RATE_PER_MINUTE", def: "300", help: "Open Referral feed requests accepted per source IP per minute", set: num("ONWARD_OPENREFERRAL_RATE_PER_MINUTE", func(c *Config) *int { return &c.OpenReferralRatePerMinute })},
	{name: "ONWARD_DIRECTORY_SMS_PER_DAY", def: "5", help: "\"text me this service\" messages the public directory sends per phone, and per source IP, per day", set: num("ONWARD_DIRECTORY_SMS_PER_DAY", func(c *Config) *int { return &c.DirectorySMSPerDay })},
	{name: "ONWARD_MIGRATE_DATABASE_URL", help: "PostgreSQL URL of the role that owns the schema, used by `onward migrate`, which then grants the server's role (`ONWARD_DATABASE_URL`) only what it needs; empty: the server's own URL", secret: true, set: str(func(c *Config) *string { return &c.MigrateDatabaseURL })},
	{name: "ONWARD_AUDIT_KEY", help: "base64 of 32 random bytes; keys the audit log's hash chains and signs its checkpoints; keep it out of the database and its backups (required outside dev)", secret: true, set: str(func(c *Config) *string { return &c.AuditKey })},
	{name: "ONWARD_AUDIT_CHECKPOINT_EVERY", def: "1h", help: "how often the worker signs a checkpoint of the audit log (each chain's head and length)", set: dur("ONWARD_AUDIT_CHECKPOINT_EVERY", func(c *Config) *time.Duration { return &c.AuditCheckpointEvery })},
	{name: "ONWARD_METRICS_TOKEN", help: "bearer token `/metrics` asks for (`Authorization: Bearer TOKEN`, the scheme in any case); without it and without ONWARD_METRICS_ADDR, `/metrics` is served only in dev", secret: true, set: str(func(c *Config) *string { return &c.MetricsToken })},
	{name: "ONWARD_METRICS_ADDR", help: "serve `/metrics` on this separate address (e.g. `127.0.0.1:9090`) instead of the public one", set: str(func(c *Config) *string { return &c.MetricsAddr })},
	{name: "ONWARD_PHONE_COUNTRIES", def: "GB", help: "comma-separated ISO 3166 country codes whose mobile and landline numbers Onward accepts and texts; the first is assumed for numbers without a country code", set: str(func(c *Config) *string { return &c.PhoneCountries })},
	{name: "ONWARD_WEB_TEXTS_PER_DAY", def: "3", help: "texts the public web form may cause to one phone number in a day", set: num("ONWARD_WEB_TEXTS_PER_DAY", func(c *Config) *int { return &c.WebTextsPerNumberDaily })},
	{name: "ONWARD_SMTP_URL", help: "mail server for staff email: `smtp://user:password@host:587` (STARTTLS when offered; `?tls=required` insists) or `smtps://…:465` (implicit TLS). Outside dev, `serve` and `worker` need it or Slack; without it, sign-in by email and email-only agencies do not work (dev shows email at /dev/mail)", secret: true, set: str(func(c *Config) *string { return &c.SMTPURL })},
	{name: "ONWARD_MAIL_FROM", help: "From address of every email, like `Onward <onward@example.org>` (required with ONWARD_SMTP_URL)", set: str(func(c *Config) *string { return &c.MailFrom })},
	{name: "ONWARD_MAIL_REPLY_TO", help: "optional Reply-To address of every email", set: str(func(c *Config) *string { return &c.MailReplyTo })},
}

// Load reads the environment through getenv (os.Getenv in main), applying
// defaults; a number or duration that does not parse is an error. For a
// secret NAME, NAME_FILE names a file holding it (trailing newline
// trimmed); giving both is an error. Call Validate before serving.
func Load(getenv func(string) string) (Config, error) {
	var c Config
	var errs []error
	for _, s := range settings {
		v := getenv(s.name)
		if s.secret {
			if path := getenv(s.name + "_FILE"); path != "" {
				if v != "" {
					errs = append(errs, fmt.Errorf("set %s or %s_FILE, not both", s.name, s.name))
					continue
				}
				b, err := os.ReadFile(path)
				if err != nil {
					errs = append(errs, fmt.Errorf("%s_FILE: %w", s.name, err))
					continue
				}
				v = strings.TrimRight(string(b), "\r\n")
			}
		}
		if v == "" && (!s.devDefault || c.Dev()) {
			v = s.def
		}
		if v == "" {
			continue
		}
		if err := s.set(&c, v); err != nil {
			errs = append(errs, err)
		}
	}
	return c, errors.Join(errs...)
}

// Dev reports whether Onward runs as a developer's local setup.
func (c Config) Dev() bool { return c.Env == "dev" }

// TwilioEnabled reports whether real (or faked) Twilio credentials are set.
func (c Config) TwilioEnabled() bool { return c.TwilioAccountSID != "" && c.TwilioAuthToken != "" }

// SlackEnabled reports whether a Slack app is configured.
func (c Config) SlackEnabled() bool { return c.SlackBotToken != "" && c.SlackSigningSecret != "" }

// slackTeamID is a Slack workspace's id as Slack writes it: T and upper
// case letters and digits.
var slackTeamID = regexp.MustCompile(`^T[A-Z0-9]{2,20}$`)

// SlackTeams is ONWARD_SLACK_TEAM_ID's workspaces; none when unset.
func (c Config) SlackTeams() ([]string, error) {
	var teams []string
	for _, t := range strings.Split(c.SlackTeamID, ",") {
		t = strings.TrimSpace(t)
		if t == "" {
			continue
		}
		if !slackTeamID.MatchString(t) {
			return nil, fmt.Errorf("ONWARD_SLACK_TEAM_ID must be Slack workspace ids like T0123ABCD, comma-separated, got %q "+
				"(Slack shows it in the workspace's address in a browser, app.slack.com/client/T…)", t)
		}
		teams = append(teams, t)
	}
	return teams, nil
}

// Validate checks the settings fit together, naming every problem at once.
func (c Config) Validate() error {
	var errs []error
	if c.Env != "dev" && c.Env != "production" {
		errs = append(errs, fmt.Errorf("ONWARD_ENV must be dev or production, got %q", c.Env))
	}
	if p := c.OpenReferralPath; !strings.HasPrefix(p, "/") || strings.HasSuffix(p, "/") || strings.ContainsAny(p, " ?#{}") {
		errs = append(errs, fmt.Errorf("ONWARD_OPENREFERRAL_PATH must be a path like /openreferral (a leading slash, none at the end), got %q", p))
	}
	errs = append(errs, c.validateDeployment()...)
	// The database URLs are read here too, so a URL that does not parse
	// (sslmode=bogus) is named beside the other problems rather than after
	// they are mended. pgx's words keep a password out (redacted).
	for _, u := range []struct{ name, value string }{{"ONWARD_DATABASE_URL", c.DatabaseURL},
		{"ONWARD_DATABASE_REPLICA_URL", c.DatabaseReplicaURL}, {"ONWARD_MIGRATE_DATABASE_URL", c.MigrateDatabaseURL}} {
		if u.value == "" {
			continue
		}
		if _, err := pgxpool.ParseConfig(u.value); err != nil {
			errs = append(errs, fmt.Errorf("%s: %w", u.name, err))
		}
	}
	for _, u := range []struct{ name, value string }{{"ONWARD_TWILIO_API_URL", c.TwilioAPIURL}, {"ONWARD_SLACK_API_URL", c.SlackAPIURL}} {
		if u.value != "" && !absoluteHTTP(u.value) {
			errs = append(errs, fmt.Errorf("%s must be an absolute http(s) URL, got %q", u.name, u.value))
		}
	}
	if c.EncryptionKey == "" && !c.Dev() {
		errs = append(errs, errors.New("ONWARD_ENCRYPTION_KEY is required: generate one with `onward keygen`"))
	}
	_, keyErrs := c.decodeKeys()
	errs = append(errs, keyErrs...)
	if c.SessionSecret == "" && !c.Dev() {
		errs = append(errs, errors.New("ONWARD_SESSION_SECRET is required: generate one with `onward keygen`"))
	}
	if (c.TwilioAccountSID == "") != (c.TwilioAuthToken == "") {
		errs = append(errs, errors.New("set both ONWARD_TWILIO_ACCOUNT_SID and ONWARD_TWILIO_AUTH_TOKEN, or neither"))
	}
	if c.TwilioEnabled() && c.TwilioFrom == "" && c.TwilioMessagingServiceSID == "" {
		errs = append(errs, errors.New("with Twilio set up, ONWARD_TWILIO_FROM or ONWARD_TWILIO_MESSAGING_SERVICE_SID is required"))
	}
	if c.TwilioFrom != "" && !e164.MatchString(c.TwilioFrom) {
		errs = append(errs, fmt.Errorf("ONWARD_TWILIO_FROM must be a phone number in E.164 form like +447700900000, got %q", c.TwilioFrom))
	}
	if (c.SlackBotToken == "") != (c.SlackSigningSecret == "") {
		errs = append(errs, errors.New("set both ONWARD_SLACK_BOT_TOKEN and ONWARD_SLACK_SIGNING_SECRET, or neither"))
	}
	if _, err := c.SlackTeams(); err != nil {
		errs = append(errs, err)
	}
	if _, err := c.Proxies(); err != nil {
		errs = append(errs, err)
	}
	if _, err := c.WebhookNetworks(); err != nil {
		errs = append(errs, err)
	}
	errs = append(errs, c.validateWhatsApp()...)
	errs = append(errs, c.validateHardening()...)
	errs = append(errs, c.validateSecrets()...)
	errs = append(errs, c.validateMail()...)
	if c.WorkerLease < 15*time.Second {
		errs = append(errs, fmt.Errorf("ONWARD_WORKER_LEASE must be at least 15s (longer than one provider call), got %s", c.WorkerLease))
	}
	if c.ShutdownGrace <= 0 {
		errs = append(errs, fmt.Errorf("ONWARD_SHUTDOWN_GRACE must be positive, got %s", c.ShutdownGrace))
	}
	if c.RedisTimeout <= 0 || c.RedisTimeout > 2*time.Second {
		errs = append(errs, fmt.Errorf("ONWARD_REDIS_TIMEOUT must be between 1ms and 2s (inside Slack's 3 s), got %s", c.RedisTimeout))
	}
	switch c.LogLevel {
	case "debug", "info", "warn", "error":
	default:
		errs = append(errs, fmt.Errorf("ONWARD_LOG_LEVEL must be debug, info, warn or error, got %q", c.LogLevel))
	}
	return errors.Join(errs...)
}

// absoluteHTTP reports whether s is an absolute http or https URL.
func absoluteHTTP(s string) bool {
	u, err := url.Parse(s)
	return err == nil && (u.Scheme == "http" || u.Scheme == "https") && u.Host != ""
}

// e164 is a phone number in E.164 form: +, a country code, at most 15
// digits. The edges show ONWARD_TWILIO_FROM to clients and put it in
// sms: links, so nothing else may reach them.
var e164 = regexp.MustCompile(`^\+[1-9][0-9]{6,14}$`)

// devOnlyDefault follows, in Table, a default that applies in dev alone
// (setting.devDefault).
const devOnlyDefault = " in dev only (`ONWARD_ENV=dev`); required outside dev"

// Table renders the settings as a Markdown table: README.md's
// configuration table is this output, kept in step by TestTableInREADME
// (`make config-table` rewrites it). A default that applies in dev alone
// says so, from the same setting.devDefault that decides Load's fallback.
func Table() string {
	var b strings.Builder
	b.WriteString("| variable | default | what it is |\n|---|---|---|\n")
	for _, s := range settings {
		def := s.def
		if def != "" {
			def = "`" + def + "`"
		}
		if def != "" && s.devDefault {
			// Load falls back to it in dev alone: say so where the
			// operator reads the defaults.
			def += devOnlyDefault
		}
		name := "`" + s.name + "`"
		if s.secret {
			name += " (or `_FILE`)"
		}
		fmt.Fprintf(&b, "| %s | %s | %s |\n", name, def, s.help)
	}
	return b.String()
}

// Proxies parses TrustedProxies: each entry an address ("10.0.0.5") or a
// CIDR range ("10.0.0.0/8").
func (c Config) Proxies() ([]netip.Prefix, error) {
	return networks("ONWARD_TRUSTED_PROXIES", c.TrustedProxies)
}

// WebhookNetworks parses WebhookPrivateNetworks, written as
// TrustedProxies is.
func (c Config) WebhookNetworks() ([]netip.Prefix, error) {
	return networks("ONWARD_WEBHOOK_PRIVATE_NETWORKS", c.WebhookPrivateNetworks)
}

// networks parses the setting name's value: comma-separated addresses
// ("10.0.0.5") or CIDR ranges ("10.0.0.0/8").
func networks(name, value string) ([]netip.Prefix, error) {
	var out []netip.Prefix
	for _, f := range strings.Split(value, ",") {
		f = strings.TrimSpace(f)
		if f == "" {
			continue
		}
		if p, err := netip.ParsePrefix(f); err == nil {
			out = append(out, p.Masked())
			continue
		}
		a, err := netip.ParseAddr(f)
		if err != nil {
			return nil, fmt.Errorf("%s: %q is not an IP address or CIDR range like 10.0.0.0/8", name, f)
		}
		out = append(out, netip.PrefixFrom(a.Unmap(), a.Unmap().BitLen()))
	}
	return out, nil
}
