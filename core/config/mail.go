package config

import (
	"errors"
	"fmt"
	"net"
	"net/mail"
	"net/url"
	"strconv"
)

// TLS policies for the mail server.
const (
	// SMTPTLSOpportunistic uses STARTTLS when the server offers it.
	SMTPTLSOpportunistic = "opportunistic"
	// SMTPTLSRequired refuses to send unless STARTTLS succeeds.
	SMTPTLSRequired = "required"
	// SMTPTLSImplicit speaks TLS from the first byte (smtps://).
	SMTPTLSImplicit = "implicit"
)

// SMTP is ONWARD_SMTP_URL taken apart.
type SMTP struct {
	Host, Username, Password string
	Port                     int
	TLS                      string // one of the SMTPTLS* policies
}

// MailEnabled reports whether a mail server is configured.
func (c Config) MailEnabled() bool { return c.SMTPURL != "" }

// SMTP parses ONWARD_SMTP_URL, naming the part that is wrong. It never
// quotes the URL, which may carry a password.
func (c Config) SMTP() (SMTP, error) {
	u, err := url.Parse(c.SMTPURL)
	if err != nil {
		return SMTP{}, errors.New("ONWARD_SMTP_URL is not a URL: it should look like smtp://user:password@mail.example.org:587")
	}
	s := SMTP{Host: u.Hostname()}
	switch u.Scheme {
	case "smtp":
		s.TLS, s.Port = SMTPTLSOpportunistic, 587
	case "smtps":
		s.TLS, s.Port = SMTPTLSImplicit, 465
	default:
		return SMTP{}, fmt.Errorf("ONWARD_SMTP_URL: the scheme must be smtp or smtps, got %q", u.Scheme)
	}
	if s.Host == "" {
		return SMTP{}, errors.New("ONWARD_SMTP_URL: the host is missing (smtp://host:port)")
	}
	if p := u.Port(); p != "" {
		n, err := strconv.Atoi(p)
		if err != nil || n < 1 || n > 65535 {
			return SMTP{}, errors.New("ONWARD_SMTP_URL: the port must be a number from 1 to 65535")
		}
		s.Port = n
	}
	if u.User != nil {
		s.Username = u.User.Username()
		s.Password, _ = u.User.Password()
	}
	q := u.Query()
	for k := range q {
		if k != "tls" {
			return SMTP{}, fmt.Errorf("ONWARD_SMTP_URL: unknown option %q (only tls=required is understood)", k)
		}
	}
	switch t := q.Get("tls"); t {
	case "":
	case "required":
		if s.TLS != SMTPTLSImplicit {
			s.TLS = SMTPTLSRequired
		}
	default:
		return SMTP{}, fmt.Errorf("ONWARD_SMTP_URL: tls must be required, got %q", t)
	}
	if u.Path != "" && u.Path != "/" {
		return SMTP{}, errors.New("ONWARD_SMTP_URL: a mail server URL has no path")
	}
	return s, nil
}

// Addr is host:port.
func (s SMTP) Addr() string { return net.JoinHostPort(s.Host, strconv.Itoa(s.Port)) }

func (c Config) validateMail() []error {
	var errs []error
	if c.SMTPURL != "" {
		if _, err := c.SMTP(); err != nil {
			errs = append(errs, err)
		}
		if c.MailFrom == "" {
			errs = append(errs, errors.New("ONWARD_MAIL_FROM is required with ONWARD_SMTP_URL: the address emails come from"))
		}
	}
	for _, a := range []struct{ name, value string }{{"ONWARD_MAIL_FROM", c.MailFrom}, {"ONWARD_MAIL_REPLY_TO", c.MailReplyTo}} {
		if a.value == "" {
			continue
		}
		if _, err := mail.ParseAddress(a.value); err != nil {
			errs = append(errs, fmt.Errorf("%s must be an email address like Onward <onward@example.org>, got %q", a.name, a.value))
		}
	}
	return errs
}
