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
	"sync"
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
	// MaxIdle is how long a connection may wait unused before it is
	// closed instead of reused; default DefaultSMTPMaxIdle.
	MaxIdle time.Duration
	// Clock times the idle connections; nil is the system clock.
	Clock core.Clock
}

// DefaultSMTPMaxIdle is how long an unused connection is kept. Servers
// close idle connections: RFC 5321 §4.5.3.2.7 asks them to wait five
// minutes, the dev mail catcher waits one, busy servers less, and NAT and
// firewalls drop idle flows without a word. Reconnecting costs a few
// round trips; Onward's email comes in bursts (one referral, several
// recipients) that fit well inside this.
const DefaultSMTPMaxIdle = 30 * time.Second

// SMTPSender sends email through ONWARD_SMTP_URL with go-mail, keeping a
// few connections open between messages. The point of delivery is the
// server's 250 after DATA: an error before it means the message was not
// taken (see the package documentation for the one window where that is
// not known).
//
// A kept connection may have been closed by the server while it waited,
// and a message must not pay for that with the outbox's backoff (the
// first email after a quiet spell may be a crisis alert). So connections
// older than MaxIdle are not reused, a reused one is probed with NOOP
// before the message is offered, and a reused one that answers MAIL FROM
// with 421 (closing) is replaced at once: at both points the server holds
// nothing of the message, so trying again on a new connection cannot
// deliver it twice. A failure after MAIL FROM was accepted is left to the
// outbox, and so is any failure on a new connection.
type SMTPSender struct {
	client        *mail.Client
	from, replyTo string
	timeout       time.Duration
	maxIdle       time.Duration
	clock         core.Clock
	conns         int

	mu     sync.Mutex
	idle   []idleConn // most recently used last
	closed bool
}

// idleConn is a connection waiting for the next message.
type idleConn struct {
	c     *smtp.Client
	since time.Time
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
	if o.MaxIdle <= 0 {
		o.MaxIdle = DefaultSMTPMaxIdle
	}
	if o.Clock == nil {
		o.Clock = core.SystemClock{}
	}
	// go-mail's own NOOP before each message is off: conn probes a reused
	// connection itself, where a failure can be told from the message's,
	// and a new one needs no probe.
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
		maxIdle: o.MaxIdle, clock: o.Clock, conns: o.Conns}, nil
}

// helloName is the name Onward gives itself in EHLO: its public host.
func helloName(publicURL string) string {
	if h := hostOf(publicURL); h != "" {
		return h
	}
	return "localhost"
}

// conn takes the most recently used idle connection, if it is younger
// than maxIdle and answers NOOP, or dials a new one; reused says which.
// A connection that fails the probe was closed by the server (a 421
// already waiting, EOF, a reset), and so, most likely, were the ones that
// have waited longer: they are all closed, and one new connection is
// dialed. No command of the message has been sent on it.
func (s *SMTPSender) conn(ctx context.Context) (c *smtp.Client, reused bool, err error) {
	if ic, ok := s.takeIdle(); ok {
		if err := ic.c.UpdateDeadline(s.timeout); err == nil {
			if err := ic.c.Noop(); err == nil {
				return ic.c, true, nil
			}
		}
		_ = ic.c.Close()
		s.quitInBackground(s.evict(func(o idleConn) bool { return !o.since.After(ic.since) }))
	}
	c, err = s.client.DialToSMTPClientWithContext(ctx)
	return c, false, err
}

// takeIdle pops the most recently used idle connection, first retiring
// the ones idle for maxIdle or longer.
func (s *SMTPSender) takeIdle() (idleConn, bool) {
	now := s.clock.Now()
	s.quitInBackground(s.evict(func(o idleConn) bool { return now.Sub(o.since) >= s.maxIdle }))
	s.mu.Lock()
	defer s.mu.Unlock()
	n := len(s.idle)
	if n == 0 {
		return idleConn{}, false
	}
	ic := s.idle[n-1]
	s.idle[n-1] = idleConn{}
	s.idle = s.idle[:n-1]
	return ic, true
}

// evict takes the idle connections that match out of the pool.
func (s *SMTPSender) evict(match func(idleConn) bool) []*smtp.Client {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []*smtp.Client
	keep := s.idle[:0]
	for _, ic := range s.idle {
		if match(ic) {
			out = append(out, ic.c)
		} else {
			keep = append(keep, ic)
		}
	}
	clear(s.idle[len(keep):])
	s.idle = keep
	return out
}

// release keeps a healthy connection for the next message.
func (s *SMTPSender) release(c *smtp.Client) {
	s.mu.Lock()
	if !s.closed && len(s.idle) < s.conns {
		s.idle = append(s.idle, idleConn{c: c, since: s.clock.Now()})
		s.mu.Unlock()
		return
	}
	s.mu.Unlock()
	s.quit(c)
}

// quit ends a connection politely (RFC 5321 §3.8: QUIT, then close),
// closing it anyway if the server does not answer.
func (s *SMTPSender) quit(c *smtp.Client) {
	if c.UpdateDeadline(s.timeout) != nil || s.client.CloseWithSMTPClient(c) != nil {
		_ = c.Close()
	}
}

// quitInBackground quits connections that are no longer wanted without
// holding up the message waiting for a connection: a server that went
// away silently would make it wait the whole timeout.
func (s *SMTPSender) quitInBackground(cs []*smtp.Client) {
	if len(cs) == 0 {
		return
	}
	go func() {
		for _, c := range cs {
			s.quit(c)
		}
	}()
}

// Close ends the idle connections; a connection released afterwards is
// ended too.
func (s *SMTPSender) Close() {
	s.mu.Lock()
	idle := s.idle
	s.idle, s.closed = nil, true
	s.mu.Unlock()
	for _, ic := range idle {
		s.quit(ic.c)
	}
}

// SendMail sends one message over a pooled connection. A connection that
// saw any error is dropped, never reused. A reused connection the server
// closes at MAIL FROM is replaced once, at once (see SMTPSender).
func (s *SMTPSender) SendMail(ctx context.Context, m Mail) error {
	msg, err := s.message(m)
	if err != nil {
		return err
	}
	c, reused, err := s.conn(ctx)
	if err != nil {
		return mailFailure(err)
	}
	err = s.send(c, msg)
	if err != nil && reused && closingAtMailFrom(err) {
		if msg, err = s.message(m); err != nil {
			return err
		}
		if c, err = s.client.DialToSMTPClientWithContext(ctx); err != nil {
			return mailFailure(err)
		}
		err = s.send(c, msg)
	}
	if err != nil {
		return mailFailure(err)
	}
	return nil
}

// send offers msg on c, and keeps c for the next message if all went
// well.
func (s *SMTPSender) send(c *smtp.Client, msg *mail.Msg) error {
	err := c.UpdateDeadline(s.timeout)
	if err == nil {
		err = s.client.SendWithSMTPClient(c, msg)
	}
	switch {
	case err == nil:
		s.release(c)
		return nil
	case msg.IsDelivered():
		// The server answered 250 after DATA and then failed the RSET
		// that readies the connection for the next message (it closed
		// it): the message is delivered, only the connection is lost.
		_ = c.Close()
		return nil
	default:
		_ = c.Close()
		return err
	}
}

// closingAtMailFrom reports whether the server answered the message's
// first command, MAIL FROM, with 421: it is closing the connection, and
// no transaction was opened on it.
func closingAtMailFrom(err error) bool {
	var se *mail.SendError
	return errors.As(err, &se) && se.Reason == mail.ErrSMTPMailFrom && se.ErrorCode() == 421
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
