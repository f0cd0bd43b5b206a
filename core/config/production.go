package config

import (
	"errors"
	"fmt"
	"net"
	"net/url"
	"strings"
)

// validateDeployment checks the addresses Onward is reached at and
// reaches, and what a real deployment cannot run without while dev does
// not need it: a public https address (Secure cookies, the links in
// texts and emails, Twilio's signatures all depend on it) and a way to
// reach staff (Slack or email). Without either, Onward would start and
// then fail quietly: a form that loops, links to localhost,
// notifications and sign-in links dropped.
func (c Config) validateDeployment() []error {
	var errs []error
	if err := c.ValidatePublicURL(); err != nil {
		errs = append(errs, err)
	}
	if !c.Dev() && !c.SlackEnabled() && !c.MailEnabled() {
		errs = append(errs, errors.New("no way to reach staff: set ONWARD_SMTP_URL and ONWARD_MAIL_FROM for email, "+
			"or ONWARD_SLACK_BOT_TOKEN and ONWARD_SLACK_SIGNING_SECRET for Slack (or both); "+
			"without either, every notification and sign-in link would be dropped"))
	}
	if err := c.ValidateDatabaseURLs(); err != nil {
		errs = append(errs, err)
	}
	return errs
}

// ValidatePublicURL checks ONWARD_PUBLIC_URL: an absolute http(s) URL
// always, and outside dev an https one that is not this machine, since
// staff cookies are Secure (a browser will not send them back over plain
// http), texts, emails and printed leaflets carry links to it, and Twilio
// signs its requests with it. Behind a proxy that ends TLS the public
// address is still https.
func (c Config) ValidatePublicURL() error {
	u, err := url.Parse(c.PublicURL)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return fmt.Errorf("ONWARD_PUBLIC_URL must be an absolute http(s) URL, got %q", c.PublicURL)
	}
	// Onward's pages link from the site's root (/start, /staff, /directory):
	// under a path, Twilio's signatures would match but every page's links
	// would miss. Always refused, dev too, as the links break there alike.
	if (u.Path != "" && u.Path != "/") || u.RawQuery != "" || u.Fragment != "" || u.User != nil {
		return fmt.Errorf("ONWARD_PUBLIC_URL must be the site's address alone, like https://onward.example.org, got %q: "+
			"Onward's pages link from the root of the site, so it cannot be served under a path (or with a query or user name); "+
			"give it a host name of its own (onward.example.org) and point that at Onward", c.PublicURL)
	}
	if c.Dev() {
		return nil
	}
	if u.Scheme != "https" || localHost(u.Hostname()) {
		return fmt.Errorf("ONWARD_PUBLIC_URL must be the https address people and Twilio reach Onward at, like https://onward.example.org, got %q: "+
			"staff sign-in, the web form's session, the links in texts, emails and leaflets and Twilio's signatures all depend on it (only ONWARD_ENV=dev takes http or localhost)",
			c.PublicURL)
	}
	return nil
}

// localHost reports whether host names this machine only.
func localHost(host string) bool {
	h := strings.ToLower(strings.TrimSuffix(host, "."))
	if h == "localhost" || strings.HasSuffix(h, ".localhost") {
		return true
	}
	ip := net.ParseIP(h)
	return ip != nil && (ip.IsLoopback() || ip.IsUnspecified())
}

// ValidateDatabaseURLs checks the PostgreSQL URLs alone, for the commands
// that touch only the database (they do not need the rest of Validate's
// settings).
func (c Config) ValidateDatabaseURLs() error {
	var errs []error
	if c.DatabaseURL == "" {
		errs = append(errs, errDatabaseURLUnset)
	}
	for _, u := range []struct{ name, value string }{
		{"ONWARD_DATABASE_URL", c.DatabaseURL},
		{"ONWARD_DATABASE_REPLICA_URL", c.DatabaseReplicaURL},
		{"ONWARD_MIGRATE_DATABASE_URL", c.MigrateDatabaseURL},
	} {
		if err := checkDatabaseURL(u.name, u.value); err != nil {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

// errDatabaseURLUnset is a command run outside dev without
// ONWARD_DATABASE_URL: the local default is dev's alone, so an operator
// who forgot their environment is told so rather than shown (or
// migrated) whatever database answers on this machine.
var errDatabaseURLUnset = errors.New("ONWARD_DATABASE_URL is not set: outside dev (ONWARD_ENV is production unless set to dev) " +
	"there is no default database, so a forgotten environment cannot point Onward at the wrong one; " +
	"set it to the database's URL, like postgres://onward:password@db.example.org:5432/onward")

// checkDatabaseURL refuses a value that is not a postgres:// URL. The
// driver would otherwise read a mistyped scheme ("postgress://…") as a
// list of settings and fail far from the cause. It never quotes the
// value, which may carry a password.
func checkDatabaseURL(name, value string) error {
	if value == "" {
		return nil
	}
	scheme, rest, ok := strings.Cut(value, "://")
	if !ok || (!strings.EqualFold(scheme, "postgres") && !strings.EqualFold(scheme, "postgresql")) {
		return fmt.Errorf("%s: not a PostgreSQL URL like postgres://user:password@host:5432/onward", name)
	}
	if _, err := url.Parse(value); err != nil || rest == "" {
		return fmt.Errorf("%s: not a PostgreSQL URL like postgres://user:password@host:5432/onward (it does not parse: check that a password with special characters is percent-encoded)", name)
	}
	return nil
}

// MailOff reports whether staff email is off: outside dev without
// ONWARD_SMTP_URL. (`onward dev` always has a mail server: its catcher
// at /dev/mail.) Sign-in by email and email-only agencies then cannot
// work, and the edges say so rather than promising an email.
func (c Config) MailOff() bool { return !c.Dev() && !c.MailEnabled() }
