package notify

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"net"
	"net/textproto"
	"strconv"
	"strings"
	"time"

	mail "github.com/wneessen/go-mail"
	"github.com/wneessen/go-mail/smtp"

	"github.com/onward-network/onward/core"
	"github.com/onward-network/onward/core/config"
)

// MailSender sends one email. It is the seam between the worker and the
// mail server.
type MailSender interface {
	SendMail(ctx context.Context, m Mail) error
}

// Mail is one email, ready to go: every header value here has already
// been cleaned of line breaks and control characters.
type Mail struct {
	MessageID   string // without angle brackets: "outbox-42.a1b2@onward.example.org"
	Date        time.Time
	To          string // the address
	ToName      string
	Subject     string
	Text, HTML  string
	Unsubscribe string // one-click unsubscribe URL; "" for a message that cannot be turned off
}

// SMTPOptions tune the SMTP sender.
type SMTPOptions struct {
	Timeout time.Duration // one connection's commands; zero means DefaultProviderTimeout
	// Dial opens connections; nil dials TCP. Tests pass a guard that
	// refuses every address but the fake server's.
	Dial func(ctx context.Context, network, addr string) (net.Conn, error)
	// TLS configures STARTTLS and smtps (tests trust their own certificate).
	TLS *tls.Config
	// Conns is how many connections are kept open for reuse; default 8.
	Conns int
}

// SMTPSender sends email through ONWARD_SMTP_URL with go-mail, keeping a
// few connections open between messages. The point of delivery is the
// server's 250 after DATA: an error before it means the message was not
// taken (see the package documentation for the one window where that is
// not known).
type SMTPSender struct {
	client          *mail.Client
	from, replyTo   string
	timeout         time.Duration
	idle            chan *smtp.Client
	requireStartTLS bool
}

// NewSMTPSender builds the sender from the config (already validated).
func NewSMTPSender(cfg config.Config, o SMTPOptions) (*SMTPSender, error) {
	s, err := cfg.SMTP()
	if err != nil {
		return nil, err
	}
	if o.Timeout <= 0 {
		o.Timeout = DefaultProviderTimeout
	}
	if o.Conns <= 0 {
		o.Conns = 8
	}
	// No NOOP before each message: a pooled connection the server closed
	// fails the message, which is retried, and is dropped.
	opts := []mail.Option{mail.WithPort(s.Port), mail.WithTimeout(o.Timeout), mail.WithHELO(helloName(cfg.PublicURL)), mail.WithoutNoop()}
	switch s.TLS {
	case config.SMTPTLSImplicit:
		opts = append(opts, mail.WithSSL())
	case config.SMTPTLSRequired:
		opts = append(opts, mail.WithTLSPolicy(mail.TLSMandatory))
	default:
		opts = append(opts, mail.WithTLSPolicy(mail.TLSOpportunistic))
	}
	if o.TLS != nil {
		c := o.TLS.Clone()
		if c.ServerName == "" {
			c.ServerName = s.Host
		}
		opts = append(opts, mail.WithTLSConfig(c))
	}
	if s.Username != "" {
		opts = append(opts, mail.WithSMTPAuth(mail.SMTPAuthAutoDiscover), mail.WithUsername(s.Username), mail.WithPassword(s.Password))
	}
	if o.Dial != nil {
		dial := o.Dial
		if s.TLS == config.SMTPTLSImplicit {
			// go-mail wraps only its own dialer in TLS.
			tc := &tls.Config{ServerName: s.Host, MinVersion: tls.VersionTLS12}
			if o.TLS != nil {
				tc = o.TLS.Clone()
				if tc.ServerName == "" {
					tc.ServerName = s.Host
				}
			}
			dial = func(ctx context.Context, network, addr string) (net.Conn, error) {
				raw, err := o.Dial(ctx, network, addr)
				if err != nil {
					return nil, err
				}
				c := tls.Client(raw, tc)
				if err := c.HandshakeContext(ctx); err != nil {
					raw.Close()
					return nil, err
				}
				return c, nil
			}
		}
		opts = append(opts, mail.WithDialContextFunc(dial))
	}
	c, err := mail.NewClient(s.Host, opts...)
	if err != nil {
		return nil, fmt.Errorf("ONWARD_SMTP_URL: %w", err)
	}
	return &SMTPSender{client: c, from: cfg.MailFrom, replyTo: cfg.MailReplyTo, timeout: o.Timeout,
		idle: make(chan *smtp.Client, o.Conns)}, nil
}

// helloName is the name Onward gives itself in EHLO: its public host.
func helloName(publicURL string) string {
	if h := hostOf(publicURL); h != "" {
		return h
	}
	return "localhost"
}

// conn takes an idle connection or dials a new one.
func (s *SMTPSender) conn(ctx context.Context) (*smtp.Client, error) {
	for {
		select {
		case c := <-s.idle:
			if err := c.UpdateDeadline(s.timeout); err == nil {
				return c, nil
			}
			_ = c.Close()
			continue
		default:
		}
		return s.client.DialToSMTPClientWithContext(ctx)
	}
}

// release keeps a healthy connection for the next message.
func (s *SMTPSender) release(c *smtp.Client) {
	select {
	case s.idle <- c:
	default:
		_ = s.client.CloseWithSMTPClient(c)
	}
}

// Close ends the idle connections.
func (s *SMTPSender) Close() {
	for {
		select {
		case c := <-s.idle:
			_ = s.client.CloseWithSMTPClient(c)
		default:
			return
		}
	}
}

// SendMail sends one message over a pooled connection. A connection that
// saw any error is dropped, never reused.
func (s *SMTPSender) SendMail(ctx context.Context, m Mail) error {
	msg, err := s.message(m)
	if err != nil {
		return err
	}
	c, err := s.conn(ctx)
	if err != nil {
		return mailFailure(err)
	}
	if err := c.UpdateDeadline(s.timeout); err != nil {
		_ = c.Close()
		return mailFailure(err)
	}
	if err := s.client.SendWithSMTPClient(c, msg); err != nil {
		_ = c.Close()
		return mailFailure(err)
	}
	s.release(c)
	return nil
}

// message builds the MIME message: text and HTML alternatives, the
// Message-ID from the outbox row, and List-Unsubscribe with one-click POST
// where the message is optional.
func (s *SMTPSender) message(m Mail) (*mail.Msg, error) {
	msg := mail.NewMsg(mail.WithNoDefaultUserAgent())
	if err := msg.From(s.from); err != nil {
		return nil, permanent("ONWARD_MAIL_FROM", err)
	}
	if s.replyTo != "" {
		if err := msg.ReplyTo(s.replyTo); err != nil {
			return nil, permanent("ONWARD_MAIL_REPLY_TO", err)
		}
	}
	if err := msg.AddToFormat(core.CleanLine(m.ToName), m.To); err != nil {
		return nil, &Failure{Provider: "smtp", Permanent: true, Reason: "the recipient's address is not valid"}
	}
	msg.Subject(core.CleanLine(m.Subject))
	msg.SetMessageIDWithValue(m.MessageID)
	msg.SetDateWithValue(m.Date)
	msg.SetGenHeader(mail.Header("Auto-Submitted"), "auto-generated")
	if m.Unsubscribe != "" {
		msg.SetGenHeader(mail.HeaderListUnsubscribe, "<"+m.Unsubscribe+">")
		msg.SetGenHeader(mail.HeaderListUnsubscribePost, "List-Unsubscribe=One-Click")
	}
	msg.SetBodyString(mail.TypeTextPlain, m.Text)
	msg.AddAlternativeString(mail.TypeTextHTML, m.HTML)
	return msg, nil
}

// mailFailure turns what go-mail says into a Failure: 4xx answers and
// connection trouble are retried, 5xx answers (a refused recipient or
// message, a wrong password) are permanent. It keeps the code, never the
// server's text, which can quote the address.
func mailFailure(err error) error {
	code := 0
	var te *textproto.Error
	var se *mail.SendError
	switch {
	case errors.As(err, &te):
		code = te.Code
	case errors.As(err, &se):
		code = se.ErrorCode()
	}
	if code >= 400 && code < 600 {
		f := &Failure{Provider: "smtp", Code: strconv.Itoa(code), Permanent: code >= 500,
			Reason: "the mail server refused the message for now"}
		switch {
		case code == 535 || code == 530:
			f.Reason = "the mail server refused Onward's user name or password (check ONWARD_SMTP_URL)"
		case code >= 500:
			f.Reason = "the mail server refused the message"
		}
		return f
	}
	if errors.Is(err, mail.ErrNoSupportedAuthDiscovered) {
		return &Failure{Provider: "smtp", Permanent: true,
			Reason: "the mail server offers no way to sign in that keeps the password safe on this connection (use TLS: smtps:// or a server with STARTTLS)"}
	}
	f := asFailure(err)
	f.Provider = "smtp"
	var rh tls.RecordHeaderError
	var cv *tls.CertificateVerificationError
	if errors.As(err, &rh) || errors.As(err, &cv) || strings.Contains(err.Error(), "tls:") || strings.Contains(err.Error(), "STARTTLS") {
		f.Reason = "TLS with the mail server failed"
	} else if f.Reason != "timed out" && f.Reason != "network error" {
		f.Reason = "the mail server connection failed"
	}
	return f
}
