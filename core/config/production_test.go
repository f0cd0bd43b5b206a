package config

import (
	"maps"
	"strings"
	"testing"
)

// Audit D findings 7, 12 and 13, F finding 4: outside dev, a public
// address that is plain http or this machine, no way to reach staff, and a
// database URL with a mistyped scheme are refused at start, each in words
// naming the setting; dev takes http://localhost and runs without email
// (`onward dev` starts its own mail catcher).
func TestValidateRefusesWhatProductionCannotRunWith(t *testing.T) {
	slack := []string{"ONWARD_SMTP_URL", "", "ONWARD_MAIL_FROM", "", "ONWARD_SLACK_BOT_TOKEN", "xoxb-1", "ONWARD_SLACK_SIGNING_SECRET", strings.Repeat("8f", 16)}
	checkValidate(t, []validateCase{
		{"an https public address and email", production(), ""},
		{"Slack without email", production(slack...), ""},
		{"a public address with a port", production("ONWARD_PUBLIC_URL", "https://advice.example.org:8443"), ""},
		{"a public address with a trailing slash", production("ONWARD_PUBLIC_URL", "https://onward.example.org/"), ""},
		// Pages link from the site's root: under a path they would miss.
		{"a public address with a path", production("ONWARD_PUBLIC_URL", "https://advice.example.org:8443/onward"), `ONWARD_PUBLIC_URL must be the site's address alone, like https://onward.example.org, got "https://advice.example.org:8443/onward"`},
		{"a public address with a path and a slash", production("ONWARD_PUBLIC_URL", "https://onward.example.org/onward/"), "cannot be served under a path"},
		{"a public address with a query", production("ONWARD_PUBLIC_URL", "https://onward.example.org/?a=1"), "ONWARD_PUBLIC_URL must be the site's address alone"},
		{"a dev address with a path", map[string]string{"ONWARD_ENV": "dev", "ONWARD_PUBLIC_URL": "http://localhost:8080/onward"}, "ONWARD_PUBLIC_URL must be the site's address alone"},
		{"the default public address", production("ONWARD_PUBLIC_URL", ""), `ONWARD_PUBLIC_URL must be the https address people and Twilio reach Onward at, like https://onward.example.org, got "http://localhost:8080"`},
		{"a plain http public address", production("ONWARD_PUBLIC_URL", "http://onward.example.org"), "ONWARD_PUBLIC_URL must be the https address"},
		{"https on localhost", production("ONWARD_PUBLIC_URL", "https://localhost:8443"), "ONWARD_PUBLIC_URL must be the https address"},
		{"https on a loopback address", production("ONWARD_PUBLIC_URL", "https://127.0.0.1"), "ONWARD_PUBLIC_URL must be the https address"},
		{"https on a .localhost name", production("ONWARD_PUBLIC_URL", "https://onward.localhost"), "ONWARD_PUBLIC_URL must be the https address"},
		{"not a URL at all", production("ONWARD_PUBLIC_URL", "onward.example.org"), "ONWARD_PUBLIC_URL must be an absolute http(s) URL"},
		{"neither Slack nor email", production("ONWARD_SMTP_URL", "", "ONWARD_MAIL_FROM", ""), "no way to reach staff: set ONWARD_SMTP_URL and ONWARD_MAIL_FROM for email, or ONWARD_SLACK_BOT_TOKEN and ONWARD_SLACK_SIGNING_SECRET"},
		{"a mistyped database scheme", production("ONWARD_DATABASE_URL", "postgress://x"), "ONWARD_DATABASE_URL: not a PostgreSQL URL like postgres://"},
		{"a database URL without a scheme", production("ONWARD_DATABASE_URL", "db.example.org:5432/onward"), "ONWARD_DATABASE_URL: not a PostgreSQL URL like postgres://"},
		{"a mistyped replica scheme", production("ONWARD_DATABASE_REPLICA_URL", "mysql://replica/onward"), "ONWARD_DATABASE_REPLICA_URL: not a PostgreSQL URL"},
		{"a postgresql:// database URL", production("ONWARD_DATABASE_URL", "postgresql://onward:pw@db.example.org/onward?sslmode=require"), ""},
		{"dev on http://localhost without email", map[string]string{"ONWARD_ENV": "dev"}, ""},
		// An on-call review: a command run without its environment used
		// a database on this machine, and offered to migrate it.
		{"no database URL", production("ONWARD_DATABASE_URL", ""), "ONWARD_DATABASE_URL is not set: outside dev (ONWARD_ENV is production unless set to dev) there is no default database"},
		{"no database URL nor ONWARD_ENV", map[string]string{}, "ONWARD_DATABASE_URL is not set"},
	})
	if dev, _ := Load(env(map[string]string{"ONWARD_ENV": "dev"})); dev.DatabaseURL != "postgres://localhost:5432/onward?sslmode=disable" {
		t.Errorf("dev's database URL = %q, want the local default", dev.DatabaseURL)
	}
	if cfg, _ := Load(env(map[string]string{})); cfg.ValidateDatabaseURLs() == nil {
		t.Error("commands that touch only the database took a production environment without ONWARD_DATABASE_URL")
	}
	// The database URL's check never repeats it: it may hold a password.
	cfg, _ := Load(env(production("ONWARD_DATABASE_URL", "postgress://onward:hunter2@db/onward")))
	if err := cfg.Validate(); err == nil || strings.Contains(err.Error(), "hunter2") {
		t.Errorf("a mistyped database URL: %v, want a refusal that does not quote it", err)
	}
	// Commands that touch only the database check its URL alone.
	if err := (Config{DatabaseURL: "postgress://x"}).ValidateDatabaseURLs(); err == nil || !strings.Contains(err.Error(), "ONWARD_DATABASE_URL") {
		t.Errorf("ValidateDatabaseURLs on a mistyped scheme = %v", err)
	}
}

// MailOff is what the edges ask before promising an email: off only
// outside dev without a mail server.
func TestMailOff(t *testing.T) {
	for _, c := range []struct {
		env  map[string]string
		want bool
	}{
		{production(), false},
		{production("ONWARD_SMTP_URL", "", "ONWARD_MAIL_FROM", ""), true},
		{map[string]string{"ONWARD_ENV": "dev"}, false},
	} {
		cfg, err := Load(env(maps.Clone(c.env)))
		if err != nil {
			t.Fatal(err)
		}
		if got := cfg.MailOff(); got != c.want {
			t.Errorf("MailOff with SMTP %q, env %q = %v, want %v", cfg.SMTPURL, cfg.Env, got, c.want)
		}
	}
}
