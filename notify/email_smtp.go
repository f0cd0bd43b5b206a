package notify

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"net"
	"net/textproto"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	mail "github.com/wneessen/go-mail"
	"github.com/wneessen/go-mail/smtp"

	"github.com/onward-network/onward/core"
	"github.com/onward-network/onward/core/config"
)

// MailSender sends one email. It is the seam between the worker and the
// mail server.
//
// commit, when not nil, is called once the server has the whole message,
// just before the end of data (the final ".") that asks it to take it:
// until then the server holds nothing it may deliver (RFC 5321 §3.3),
// so this is the last moment the send can be called off. The worker
// marks the row "sending" there. An error from commit calls the send off
// (the connection is closed without the final ".") and is returned as it
// is.
type MailSender interface {
	SendMail(ctx context.Context, m Mail, commit func() error) error
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
	// Timeout bounds connecting and each command up to the message's
	// final "."; zero means DefaultProviderTimeout. Giving up there is
	// safe: the server holds nothing it may deliver yet.
	Timeout time.Duration
	// FinalReplyTimeout bounds the wait for the server's answer to the
	// final "."; zero means DefaultFinalReplyTimeout. The send's context
	// deadline (the worker's lease) bounds it too.
	FinalReplyTimeout time.Duration
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

// DefaultFinalReplyTimeout is how long the sender waits for the server's
// answer to the final "." of a message: RFC 5321 §4.5.3.2.6 asks a client
// to wait 10 minutes, as a server may scan or relay the message before it
// answers. Giving up sooner does not call the message back: the server
// may already have taken responsibility for it, and a client that sends
// it again delivers it twice (§4.5.3.2.6, §6.1). So an answer that never
// comes leaves the message's fate unknown, and it is not sent again.
const DefaultFinalReplyTimeout = 10 * time.Minute

// SMTPSender sends email through ONWARD_SMTP_URL with go-mail, keeping a
// few connections open between messages. The point of delivery is the
// server's 250 after DATA: an error before it means the message was not
// taken (see the package documentation for the one window where that is
// not known). go-mail opens the connections (TCP, the greeting, EHLO,
// STARTTLS, AUTH); the sender runs each message's transaction itself on
// go-mail's client, so that the caller's commit comes just before the
// final "." (see MailSender).
//
// A kept connection may have been closed by the server while it waited,
// and a message must not pay for that with the outbox's backoff (the
// first email after a quiet spell may be a crisis alert). So connections
// older than MaxIdle are not reused, a reused one is probed with NOOP
// before the message is offered, and a reused one the server closes at
// the message's MAIL FROM (it answers 421, or the connection ends: EOF,
// a reset; its idle timer fired, or a load balancer dropped the flow,
// just after the NOOP) is replaced at once, once: at both points the
// server holds nothing of the message, so trying again on a new
// connection cannot deliver it twice. A failure after MAIL FROM was
// accepted is left to the outbox, and so is any failure on a new
// connection.
type SMTPSender struct {
	client        *mail.Client
	addr          string // host:port, for the log
	from, replyTo string
	timeout       time.Duration
	finalWait     time.Duration // see SMTPOptions.FinalReplyTimeout
	maxIdle       time.Duration
	clock         core.Clock
	conns         int

	mu     sync.Mutex
	idle   []*smtpConn // most recently used last
	closed bool
}

// smtpConn is one connection to the mail server: go-mail's client on it,
// and the wire under it, which tells how the connection ended.
type smtpConn struct {
	*smtp.Client
	wire   *wire
	since  time.Time // when it was last put back in the pool
	reused bool      // it carried a message before this one
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
	if o.FinalReplyTimeout <= 0 {
		o.FinalReplyTimeout = DefaultFinalReplyTimeout
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
	var implicitTLS *tls.Config
	switch s.TLS {
	case config.SMTPTLSImplicit:
		// The dialer speaks TLS from the first byte (go-mail's WithSSL
		// would leave a dialer of ours unencrypted, and with it signing
		// in). go-mail then finds the connection encrypted, so it may
		// sign in with PLAIN; the policy sends no STARTTLS, as a server
		// does not offer it again over TLS (RFC 3207 §4.2).
		implicitTLS = &tls.Config{ServerName: s.Host, MinVersion: tls.VersionTLS12}
		if o.TLS != nil {
			implicitTLS = o.TLS.Clone()
			if implicitTLS.ServerName == "" {
				implicitTLS.ServerName = s.Host
			}
		}
		opts = append(opts, mail.WithTLSPolicy(mail.TLSOpportunistic))
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
	opts = append(opts, mail.WithDialContextFunc(wireDialer(o.Dial, implicitTLS)))
	c, err := mail.NewClient(s.Host, opts...)
	if err != nil {
		return nil, fmt.Errorf("ONWARD_SMTP_URL: %w", err)
	}
	return &SMTPSender{client: c, addr: s.Addr(), from: cfg.MailFrom, replyTo: cfg.MailReplyTo,
		timeout: o.Timeout, finalWait: o.FinalReplyTimeout, maxIdle: o.MaxIdle, clock: o.Clock, conns: o.Conns}, nil
}

// helloName is the name Onward gives itself in EHLO: its public host.
func helloName(publicURL string) string {
	if h := hostOf(publicURL); h != "" {
		return h
	}
	return "localhost"
}

// conn takes the most recently used idle connection, if it is younger
// than maxIdle and answers NOOP, or dials a new one. A connection that
// fails the probe was closed by the server (a 421 already waiting, EOF,
// a reset): it is closed, the ones that have waited longer are retired
// with it, and one new connection is dialed. No command of the message
// has been sent on it.
func (s *SMTPSender) conn(ctx context.Context) (*smtpConn, error) {
	if c, ok := s.takeIdle(); ok {
		if err := c.UpdateDeadline(within(ctx, s.timeout)); err == nil {
			if err := c.Noop(); err == nil {
				c.reused = true
				return c, nil
			}
		}
		_ = c.Close()
		s.retireOlder(c)
	}
	return s.dial(ctx)
}

// dial opens a new connection: TCP, EHLO, STARTTLS and AUTH as
// configured.
func (s *SMTPSender) dial(ctx context.Context) (*smtpConn, error) {
	var w *wire
	c, err := s.client.DialToSMTPClientWithContext(context.WithValue(ctx, wireSlot{}, &w))
	if err != nil {
		if w != nil {
			_ = w.Close() // go-mail leaves it open when EHLO, STARTTLS or AUTH fail
		}
		return nil, err
	}
	return &smtpConn{Client: c, wire: w}, nil
}

// retireOlder quits the idle connections that have waited at least as
// long as c, which the server closed: they were most likely closed too
// (the server's idle timer, a restart, a dropped route).
func (s *SMTPSender) retireOlder(c *smtpConn) {
	s.quitInBackground(s.evict(func(o *smtpConn) bool { return !o.since.After(c.since) }))
}

// takeIdle pops the most recently used idle connection, first retiring
// the ones idle for maxIdle or longer.
func (s *SMTPSender) takeIdle() (*smtpConn, bool) {
	now := s.clock.Now()
	s.quitInBackground(s.evict(func(o *smtpConn) bool { return now.Sub(o.since) >= s.maxIdle }))
	s.mu.Lock()
	defer s.mu.Unlock()
	n := len(s.idle)
	if n == 0 {
		return nil, false
	}
	c := s.idle[n-1]
	s.idle[n-1] = nil
	s.idle = s.idle[:n-1]
	return c, true
}

// evict takes the idle connections that match out of the pool.
func (s *SMTPSender) evict(match func(*smtpConn) bool) []*smtpConn {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []*smtpConn
	keep := s.idle[:0]
	for _, c := range s.idle {
		if match(c) {
			out = append(out, c)
		} else {
			keep = append(keep, c)
		}
	}
	clear(s.idle[len(keep):])
	s.idle = keep
	return out
}

// release keeps a healthy connection for the next message.
func (s *SMTPSender) release(c *smtpConn) {
	s.mu.Lock()
	if !s.closed && len(s.idle) < s.conns {
		c.since = s.clock.Now()
		s.idle = append(s.idle, c)
		s.mu.Unlock()
		return
	}
	s.mu.Unlock()
	s.quit(c)
}

// quit ends a connection politely (RFC 5321 §3.8: QUIT, then close),
// closing it anyway if the server does not answer.
func (s *SMTPSender) quit(c *smtpConn) {
	if c.UpdateDeadline(s.timeout) != nil || s.client.CloseWithSMTPClient(c.Client) != nil {
		_ = c.Close()
	}
}

// quitInBackground quits connections that are no longer wanted without
// holding up the message waiting for a connection: a server that went
// away silently would make it wait the whole timeout.
func (s *SMTPSender) quitInBackground(cs []*smtpConn) {
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
	for _, c := range idle {
		s.quit(c)
	}
}

// SendMail sends one message over a pooled connection, calling commit
// just before the final "." (see MailSender). A connection that saw any
// error is dropped, never reused. A reused connection the server closes
// at MAIL FROM is replaced once, at once (see SMTPSender). No wait
// outlives ctx's deadline: the worker's hold on the row.
//
// A server that cannot be reached at all, for a reason that may pass, is
// a *MailServerDown: no fault of this message. A message whose final "."
// went out and whose answer never came (the wait ran out, the connection
// ended) is an interrupted, permanent Failure: the server may have taken
// it, so it must not be sent again.
func (s *SMTPSender) SendMail(ctx context.Context, m Mail, commit func() error) error {
	msg, err := s.message(m)
	if err != nil {
		return err
	}
	c, err := s.conn(ctx)
	if err != nil {
		return s.unreachable(err)
	}
	closed, err := s.send(ctx, c, msg, commit)
	if closed && c.reused {
		// Closed between the probe and the message's first command: the
		// connections idle longer are likely gone too.
		s.retireOlder(c)
		if c, err = s.dial(ctx); err != nil {
			return s.unreachable(err)
		}
		_, err = s.send(ctx, c, msg, commit)
	}
	var off calledOff
	var unanswered *unansweredError
	switch {
	case err == nil:
		return nil
	case errors.As(err, &off):
		return off.err
	case errors.As(err, &unanswered):
		return unanswered.failure(m.MessageID)
	}
	return mailFailure(err)
}

// MailServerDown is a mail server that could not be reached at all, for
// a reason that may pass: no connection (refused, no route, a timeout),
// no greeting, a 4xx to EHLO, STARTTLS failing. It is no message's
// fault, so the worker waits for the server instead of counting it
// against the message (see the worker's mailGate).
type MailServerDown struct {
	Addr    string   // host:port of ONWARD_SMTP_URL
	Cause   string   // what failed, for the log: "dial tcp …: connect: connection refused"
	Failure *Failure // the same in words safe for the outbox row
}

func (e *MailServerDown) Error() string { return e.Failure.Error() }
func (e *MailServerDown) Unwrap() error { return e.Failure }

// goMailNoAuth is go-mail's words (it has no error value for them) when
// a user and password are set and the server offers no SMTP AUTH at all:
// a setting to fix, not an outage to wait out.
const goMailNoAuth = "server does not support SMTP AUTH"

// unreachable is what a failure to open a connection means: a
// MailServerDown, or, when retrying cannot help (a wrong password, no
// safe way to sign in), a permanent Failure.
func (s *SMTPSender) unreachable(err error) error {
	f := asFailure(mailFailure(err))
	if f.Permanent {
		return f
	}
	cause := strings.Join(strings.Fields(err.Error()), " ")
	var answer *textproto.Error
	if errors.As(err, &answer) {
		cause = fmt.Sprintf("it answered %d", answer.Code) // never the server's words
	}
	return &MailServerDown{Addr: s.addr, Cause: cause, Failure: f}
}

// within is d, or less when ctx's deadline comes sooner.
func within(ctx context.Context, d time.Duration) time.Duration {
	if dl, ok := ctx.Deadline(); ok {
		d = min(d, time.Until(dl))
	}
	return max(d, time.Millisecond)
}

// send offers msg on c, and keeps c for the next message if all went
// well. Otherwise it closes c, and closed says whether the server had
// closed it at the message's MAIL FROM (closedAtMailFrom), which must be
// told before c is closed on this side.
func (s *SMTPSender) send(ctx context.Context, c *smtpConn, msg *mail.Msg, commit func() error) (closed bool, err error) {
	delivered := false
	err = c.UpdateDeadline(within(ctx, s.timeout))
	if err == nil {
		delivered, err = c.transact(ctx, msg, commit, within(ctx, s.finalWait), s.timeout)
	}
	switch {
	case err == nil:
		s.release(c)
		return false, nil
	case delivered:
		// The server answered 250 after DATA and then failed the RSET
		// that readies the connection for the next message (it closed
		// it): the message is delivered, only the connection is lost.
		_ = c.Close()
		return false, nil
	default:
		closed = c.closedAtMailFrom(err)
		_ = c.Close()
		return closed, err
	}
}

// The commands of a mail transaction (RFC 5321 §3.3), naming the one a
// transaction failed at.
const (
	cmdMailFrom  = "MAIL FROM"
	cmdRcptTo    = "RCPT TO"
	cmdData      = "DATA"
	cmdMessage   = "the message"
	cmdEndOfData = "the end of data"
	cmdReset     = "RSET"
)

// transactionError is a transaction that failed at command cmd.
type transactionError struct {
	cmd string
	err error
}

func (e *transactionError) Error() string { return e.cmd + ": " + e.err.Error() }
func (e *transactionError) Unwrap() error { return e.err }

// unansweredError is a transaction whose final "." went out whole and
// whose answer never came: the wait ran out, or the connection ended
// (an EOF, a reset). The server may have taken the message (RFC 5321
// §4.5.3.2.6, §6.1).
type unansweredError struct {
	waited time.Duration
	err    error
}

func (e *unansweredError) Error() string {
	return fmt.Sprintf("no answer to the end of data after %s: %v", e.waited, e.err)
}
func (e *unansweredError) Unwrap() error { return e.err }

// failure is the outbox's account of it: interrupted, and permanent, so
// the message is never sent again on its own; the Message-ID lets
// whoever retries it look for it in the mail server's log first.
func (e *unansweredError) failure(messageID string) *Failure {
	why := "no answer within " + e.waited.Round(time.Second).String()
	var ne net.Error
	if !errors.As(e.err, &ne) || !ne.Timeout() {
		why = "the connection ended before its answer"
	}
	return &Failure{Provider: "smtp", Permanent: true, Interrupted: true,
		Reason: "interrupted during send: the mail server had the whole email but did not answer its end (" + why +
			"), so it may have taken it; not sent again: look for Message-ID <" + messageID + "> in the mail server's log before retrying"}
}

// errGaveUp is a server that closed the connection, or said something,
// while it read a message's data: the final "." is not sent.
var errGaveUp = errors.New("the mail server closed the connection or spoke before the end of the message")

// calledOff is a transaction called off by its commit's error, before
// the final ".": the server holds nothing of the message.
type calledOff struct{ err error }

func (e calledOff) Error() string { return "sending called off: " + e.err.Error() }
func (e calledOff) Unwrap() error { return e.err }

// transact offers msg in one mail transaction on c: MAIL FROM, RCPT TO,
// DATA and the message, then commit, then the final "." that asks the
// server to take it, and RSET to ready c for the next one. Only that
// final "." confirms the transaction and has the server process it (RFC
// 5321 §3.3); one broken off before it (the connection closed or timed
// out) is a temporary failure, nothing delivered (§3.8), so until commit
// the server can hold nothing it may deliver. delivered says the server
// answered the final "." with 250. The answer to the final "." is waited
// for up to finalWait (RFC 5321's 10 minutes, or what is left of the
// worker's lease), or until ctx ends; one that never comes is an
// unansweredError. The commands before it, and RSET, get timeout.
func (c *smtpConn) transact(ctx context.Context, msg *mail.Msg, commit func() error, finalWait, timeout time.Duration) (delivered bool, err error) {
	from, err := msg.GetSender(false)
	if err != nil {
		return false, permanent("ONWARD_MAIL_FROM", err)
	}
	to, err := msg.GetRecipients()
	if err != nil {
		return false, &Failure{Provider: "smtp", Permanent: true, Reason: "the message has no recipient"}
	}
	if err := c.Mail(from); err != nil {
		return false, &transactionError{cmdMailFrom, err}
	}
	for _, rcpt := range to {
		if err := c.Rcpt(rcpt); err != nil {
			return false, &transactionError{cmdRcptTo, err}
		}
	}
	data, err := c.Data()
	if err != nil {
		return false, &transactionError{cmdData, err}
	}
	// The message leaves before commit, the "." on its own after it: a
	// server that drops the connection while it reads the message makes
	// the "." fail to go out, which tells that it held nothing. Sent in
	// one write, the two could not be told from a drop after the ".".
	if _, err := msg.WriteTo(data); err != nil {
		return false, &transactionError{cmdMessage, err}
	}
	if err := c.Text.W.Flush(); err != nil {
		return false, &transactionError{cmdMessage, err}
	}
	if commit != nil {
		if err := commit(); err != nil {
			return false, calledOff{err}
		}
	}
	if c.wire != nil && c.wire.spoke() {
		// It closed the connection, or spoke, while it read the message.
		return false, &transactionError{cmdEndOfData, errGaveUp}
	}
	if err := c.UpdateDeadline(finalWait); err != nil {
		return false, &transactionError{cmdEndOfData, err} // the "." was not sent
	}
	// A worker stopped for good cannot record the answer: stop waiting.
	stop := context.AfterFunc(ctx, c.wire.interrupt)
	start := time.Now()
	err = data.Close()
	stop()
	if err != nil {
		var answer *textproto.Error
		if !errors.As(err, &answer) && !c.wire.failedWriting() {
			return false, &unansweredError{waited: time.Since(start), err: err}
		}
		// An answer (4xx, 5xx), or the "." never went out whole.
		return false, &transactionError{cmdEndOfData, err}
	}
	if err := c.UpdateDeadline(timeout); err != nil {
		return true, &transactionError{cmdReset, err}
	}
	if err := c.Reset(); err != nil {
		return true, &transactionError{cmdReset, err}
	}
	return true, nil
}

// closedAtMailFrom reports whether the server closed c at the message's
// first command, MAIL FROM (err is what sending it returned): it
// answered 421 (closing the channel), or it answered nothing and the
// connection ended (EOF, a reset, a broken pipe). No transaction was
// opened, so the server holds nothing of the message. Any other answer,
// or none before the timeout (the server may be slow, not gone), is not
// a closed connection.
func (c *smtpConn) closedAtMailFrom(err error) bool {
	var te *transactionError
	if !errors.As(err, &te) || te.cmd != cmdMailFrom {
		return false
	}
	var answer *textproto.Error
	if errors.As(err, &answer) {
		return answer.Code == 421
	}
	// No reply: the connection failed, or the command was not sent.
	return c.wire.peerClosed()
}

// closeWait is how long peerClosed waits for the end of a stream whose
// TLS layer already reported the server's close_notify: the TCP close
// follows it at once.
const closeWait = 100 * time.Millisecond

// closedByPeer reports whether a read or write error means the other end
// closed the connection, in order (EOF) or not (a reset, a broken pipe).
func closedByPeer(err error) bool {
	return errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) ||
		errors.Is(err, syscall.ECONNRESET) || errors.Is(err, syscall.EPIPE) || errors.Is(err, syscall.ECONNABORTED)
}

// wire is the network connection under go-mail's client. It remembers
// the first error reading or writing it, under any TLS (which reports a
// server's close_notify as EOF and reads no further), because
// closedAtMailFrom must tell a connection the server closed from one
// that timed out. A connection that saw an error is never reused, so the
// first error is this message's.
type wire struct {
	net.Conn
	mu      sync.Mutex
	err     error
	writing bool // err came from a write
}

// wireSlot is the context key under which dial asks the dialer for the
// wire it opens: go-mail dials inside DialToSMTPClientWithContext and
// returns only its client.
type wireSlot struct{}

// wireDialer dials with dial (nil: TCP) and puts a wire under each
// connection, below TLS when tc is set (implicit TLS: smtps), so that
// the wire sees the transport's own errors. STARTTLS later wraps the
// wire too.
func wireDialer(dial func(ctx context.Context, network, addr string) (net.Conn, error), tc *tls.Config) func(ctx context.Context, network, addr string) (net.Conn, error) {
	if dial == nil {
		var d net.Dialer
		dial = d.DialContext
	}
	return func(ctx context.Context, network, addr string) (net.Conn, error) {
		raw, err := dial(ctx, network, addr)
		if err != nil {
			return nil, err
		}
		w := &wire{Conn: raw}
		if slot, ok := ctx.Value(wireSlot{}).(**wire); ok {
			*slot = w
		}
		if tc == nil {
			return w, nil
		}
		c := tls.Client(w, tc)
		if err := c.HandshakeContext(ctx); err != nil {
			_ = raw.Close()
			return nil, err
		}
		return c, nil
	}
}

func (w *wire) Read(p []byte) (int, error) {
	n, err := w.Conn.Read(p)
	w.note(err, false)
	return n, err
}

func (w *wire) Write(p []byte) (int, error) {
	n, err := w.Conn.Write(p)
	w.note(err, true)
	return n, err
}

func (w *wire) note(err error, writing bool) {
	if err == nil {
		return
	}
	w.mu.Lock()
	if w.err == nil {
		w.err, w.writing = err, writing
	}
	w.mu.Unlock()
}

// failedWriting reports whether the first error on the connection was a
// write's. Once a message's data went out without error, a write failing
// at its end means the final "." did not leave whole (a write that fails
// has not handed all its bytes on), so the server cannot have taken the
// message; a read failing means the "." left, as far as this side can
// tell, and the answer did not come.
func (w *wire) failedWriting() bool {
	if w == nil {
		return false
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.err != nil && w.writing
}

// interrupt ends any wait on the connection at once.
func (w *wire) interrupt() {
	if w != nil {
		_ = w.SetDeadline(time.Now())
	}
}

// peerClosed reports whether the server closed the connection: the
// first error reading or writing it says so or, if there was none, the
// end of the stream is waiting unread. That is how a TLS close_notify
// looks from below: TLS reports EOF to go-mail and reads no further.
func (w *wire) peerClosed() bool {
	if w == nil {
		return false
	}
	w.mu.Lock()
	err := w.err
	w.mu.Unlock()
	if err == nil {
		if w.SetReadDeadline(time.Now().Add(closeWait)) != nil {
			return false
		}
		_, err = w.Read(make([]byte, 1))
	}
	return closedByPeer(err)
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
	if errors.As(err, &te) {
		code = te.Code
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
	if strings.Contains(err.Error(), goMailNoAuth) {
		return &Failure{Provider: "smtp", Permanent: true,
			Reason: "the mail server offers no sign-in (SMTP AUTH) but ONWARD_SMTP_URL has a user and password: remove them if the server takes mail without, or check the address"}
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
