// Package smtpfake is Onward's one SMTP server for tests and the dev mail
// catcher: a real server built with emersion/go-smtp, listening on a
// loopback socket and speaking the protocol to the real go-mail client,
// that keeps every message it accepts. Tests script its answers per
// message (4xx, 5xx, a connection dropped or reset at MAIL FROM, RCPT TO
// or in the middle of DATA, a slow answer, a hang-up after the message,
// no answer at all to the message's final "."), can go down and come
// back up on the same address (connections refused meanwhile),
// can drop idle connections as real servers do, and can accept
// connections and never greet them, as a server that hangs (Mute); `onward dev` serves
// what it caught at /dev/mail. Its Guard is the "no other host" rule of
// the Twilio and Slack fakes, for SMTP.
package smtpfake

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"net"
	"net/url"
	"sync"
	"sync/atomic"
	"time"

	"github.com/emersion/go-sasl"
	"github.com/emersion/go-smtp"
)

// Message is one message the server accepted (answered 250 after DATA).
type Message struct {
	ID   int
	From string
	To   []string
	User string // who signed in, if anyone
	Conn int    // the connection it came on, counting accepted connections from 1
	Data []byte // the message exactly as received
	At   time.Time
}

// Reply tells the server how to answer one message's DATA (counting from
// 1, every attempt). The zero Reply accepts it.
type Reply struct {
	Code int // answer DATA with this code (421, 451, 452, 550, 554…)
	// At moves Code, Disconnect and Hold to an earlier command: "mail"
	// is MAIL FROM, "rcpt" is RCPT TO. Without Disconnect the connection
	// stays open.
	At string
	// Disconnect drops the connection. At DATA the server reads part of
	// the message first. At MAIL FROM or RCPT TO it answers Code first,
	// if there is one (421 is a server closing the channel, RFC 5321
	// §3.8), or nothing at all: a server whose idle timer fired, or a
	// load balancer that dropped the flow, just after it answered NOOP.
	Disconnect bool
	// Reset makes Disconnect a TCP reset (RST) rather than an orderly
	// close, as a load balancer or a crashed server does: the client's
	// next read or write fails with "connection reset" or "broken pipe"
	// instead of EOF.
	Reset bool
	Delay time.Duration // wait this long before answering DATA
	// Hold keeps the answer to DATA until it is closed, so that a test
	// can keep one connection busy while the client opens another, or
	// make the client give up waiting.
	Hold <-chan struct{}
	// HangUp accepts the message (250 after DATA) and then closes the
	// connection without waiting for the next command, as a server that
	// takes one message per connection or is shutting down.
	HangUp bool
	// Unanswered reads the whole message and its final ".", keeps it,
	// and closes the connection without answering, as a server that
	// queued the message and then crashed, or a network that dropped the
	// flow just then: the client cannot know the message was taken.
	Unanswered bool
}

// Script decides the reply to the n-th message.
type Script func(n int) Reply

// Options configure a server; all are optional.
type Options struct {
	Username, Password string      // require AUTH PLAIN with these
	TLS                *tls.Config // offer STARTTLS with this certificate
	// ImplicitTLS speaks TLS with the TLS certificate from the first byte
	// (smtps, port 465 in real life) instead of offering STARTTLS.
	ImplicitTLS bool
	// IdleTimeout is how long the server waits for the client's next line
	// before it answers "421 Idle timeout" and closes the connection, as
	// real servers close idle connections (RFC 5321 §4.5.3.2); zero means
	// a minute, which is what the dev catcher uses.
	IdleTimeout time.Duration
	// OnMessage is called with each accepted message (the dev catcher's
	// page needs nothing more than Messages, but tests may wait on it).
	OnMessage func(Message)
}

// Server is a running fake SMTP server.
type Server struct {
	addr string
	opts Options

	mu       sync.Mutex
	srv      *smtp.Server // the one serving now (a new one after Down's up)
	cond     *sync.Cond
	msgs     []Message
	attempts int
	script   Script
	conns    int                       // connections accepted so far
	open     map[*trackedConn]struct{} // connections not yet closed
	mute     bool                      // new connections are accepted and never greeted
	muted    []*trackedConn            // the connections accepted while mute
}

// Start listens on 127.0.0.1 at a free port and serves until Close.
func Start(o Options) (*Server, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, fmt.Errorf("smtpfake: listen: %w", err)
	}
	if o.ImplicitTLS && o.TLS == nil {
		ln.Close()
		return nil, errors.New("smtpfake: ImplicitTLS needs a TLS certificate (Options.TLS)")
	}
	s := &Server{addr: ln.Addr().String(), opts: o, open: map[*trackedConn]struct{}{}}
	s.cond = sync.NewCond(&s.mu)
	s.serve(ln)
	return s, nil
}

// serve answers on ln with a new go-smtp server until it is closed.
func (s *Server) serve(ln net.Listener) {
	o := s.opts
	srv := smtp.NewServer(backend{s})
	srv.Domain = "smtpfake.localhost"
	srv.AllowInsecureAuth = true
	srv.ReadTimeout = time.Minute
	if o.IdleTimeout > 0 {
		srv.ReadTimeout = o.IdleTimeout
	}
	srv.WriteTimeout = time.Minute
	srv.MaxMessageBytes = 10 << 20
	var l net.Listener = trackedListener{ln, s}
	if o.ImplicitTLS {
		l = tls.NewListener(l, o.TLS)
	} else {
		srv.TLSConfig = o.TLS
	}
	s.mu.Lock()
	s.srv = srv
	s.mu.Unlock()
	go func() { _ = srv.Serve(l) }()
}

// Addr is host:port.
func (s *Server) Addr() string { return s.addr }

// URL is ONWARD_SMTP_URL for this server.
func (s *Server) URL() string {
	u := url.URL{Scheme: "smtp", Host: s.Addr()}
	if s.opts.ImplicitTLS {
		u.Scheme = "smtps"
	}
	if s.opts.Username != "" {
		u.User = url.UserPassword(s.opts.Username, s.opts.Password)
	}
	return u.String()
}

// Close stops the server.
func (s *Server) Close() error {
	s.closeMuted()
	s.mu.Lock()
	srv := s.srv
	s.mu.Unlock()
	return srv.Close()
}

// Down stops the server as a mail server that crashed or was stopped:
// its connections end and new ones are refused ("connection refused")
// until up starts it again on the same address, with the same script,
// messages and counts.
func (s *Server) Down() (up func() error) {
	_ = s.Close()
	return func() error {
		ln, err := net.Listen("tcp", s.addr)
		if err != nil {
			return fmt.Errorf("smtpfake: listen again on %s: %w", s.addr, err)
		}
		s.serve(ln)
		return nil
	}
}

// Mute makes the server accept new connections and never greet them, as
// a mail server that hangs does: the client waits for a greeting that
// never comes (a "TCP tarpit"). The function it returns ends that: the
// connections accepted meanwhile are closed, so a client still waiting
// on one gets an error, and new connections are served again.
func (s *Server) Mute() (unmute func()) {
	s.mu.Lock()
	s.mute = true
	s.mu.Unlock()
	return func() {
		s.mu.Lock()
		s.mute = false
		s.mu.Unlock()
		s.closeMuted()
	}
}

func (s *Server) closeMuted() {
	s.mu.Lock()
	muted := s.muted
	s.muted = nil
	s.mu.Unlock()
	for _, c := range muted {
		_ = c.Close()
	}
}

// SetScript sets how the following messages are answered (nil accepts all).
func (s *Server) SetScript(sc Script) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.script, s.attempts = sc, 0
}

// Messages returns the accepted messages, oldest first.
func (s *Server) Messages() []Message {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Message(nil), s.msgs...)
}

// Attempts is how many messages were offered since the last SetScript.
func (s *Server) Attempts() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.attempts
}

// Wait blocks until at least n messages were accepted or ctx ends.
func (s *Server) Wait(ctx context.Context, n int) ([]Message, error) {
	var msgs []Message
	err := s.waitUntil(ctx, func() bool { msgs = append([]Message(nil), s.msgs...); return len(s.msgs) >= n })
	if err != nil {
		return msgs, fmt.Errorf("smtpfake: %d of %d messages: %w", len(msgs), n, err)
	}
	return msgs, nil
}

// waitUntil blocks until done, asked under s.mu each time the server's
// state changes, is true, or ctx ends (its error returned).
func (s *Server) waitUntil(ctx context.Context, done func() bool) error {
	stop := context.AfterFunc(ctx, func() {
		s.mu.Lock()
		s.cond.Broadcast()
		s.mu.Unlock()
	})
	defer stop()
	s.mu.Lock()
	defer s.mu.Unlock()
	for !done() {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		s.cond.Wait()
	}
	return nil
}

// HangUp closes every open connection without a word, as a server that
// restarts or a network that drops the flow: the client finds out on
// its next command.
func (s *Server) HangUp() {
	s.mu.Lock()
	open := make([]*trackedConn, 0, len(s.open))
	for c := range s.open {
		open = append(open, c)
	}
	s.mu.Unlock()
	for _, c := range open {
		_ = c.Close()
	}
}

// WaitDisconnected blocks until no connection is open (the client's
// were closed by either side) or ctx ends.
func (s *Server) WaitDisconnected(ctx context.Context) error { return s.WaitOpen(ctx, 0) }

// WaitOpen blocks until at most n connections are open (the others
// were closed by either side) or ctx ends.
func (s *Server) WaitOpen(ctx context.Context, n int) error {
	var open int
	if err := s.waitUntil(ctx, func() bool { open = len(s.open); return open <= n }); err != nil {
		return fmt.Errorf("smtpfake: %d connections still open, want %d: %w", open, n, err)
	}
	return nil
}

// Conns is how many connections the server has accepted.
func (s *Server) Conns() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.conns
}

// trackedListener numbers the connections it accepts and keeps the open
// ones, for Message.Conn, HangUp and WaitDisconnected.
type trackedListener struct {
	net.Listener
	s *Server
}

func (l trackedListener) Accept() (net.Conn, error) {
	for {
		c, err := l.Listener.Accept()
		if err != nil {
			return nil, err
		}
		l.s.mu.Lock()
		l.s.conns++
		tc := &trackedConn{Conn: c, s: l.s, n: l.s.conns}
		l.s.open[tc] = struct{}{}
		mute := l.s.mute
		if mute {
			// Kept from the SMTP server, which would greet it.
			l.s.muted = append(l.s.muted, tc)
			l.s.cond.Broadcast()
		}
		l.s.mu.Unlock()
		if !mute {
			return tc, nil
		}
	}
}

type trackedConn struct {
	net.Conn
	s    *Server
	n    int
	once sync.Once
}

func (c *trackedConn) Close() error {
	err := c.Conn.Close()
	c.once.Do(func() {
		c.s.mu.Lock()
		delete(c.s.open, c)
		c.s.cond.Broadcast()
		c.s.mu.Unlock()
	})
	return err
}

// connNumber is the number of the connection under c (which STARTTLS
// may have wrapped in TLS).
func connNumber(c net.Conn) int {
	if tc, ok := c.(*tls.Conn); ok {
		c = tc.NetConn()
	}
	if t, ok := c.(*trackedConn); ok {
		return t.n
	}
	return 0
}

func (s *Server) nextReply() Reply {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.attempts++
	if s.script == nil {
		return Reply{}
	}
	return s.script(s.attempts)
}

func (s *Server) keep(m Message) {
	s.mu.Lock()
	m.ID = len(s.msgs) + 1
	s.msgs = append(s.msgs, m)
	s.cond.Broadcast()
	s.mu.Unlock()
	if s.opts.OnMessage != nil {
		s.opts.OnMessage(m)
	}
}

type backend struct{ s *Server }

func (b backend) NewSession(c *smtp.Conn) (smtp.Session, error) {
	return &session{s: b.s, conn: c}, nil
}

type session struct {
	s      *Server
	conn   *smtp.Conn
	user   string
	from   string
	to     []string
	reply  *Reply
	hangUp bool // close the connection once the 250 for the message is written
	// drop names the connection while a drop in DATA is scheduled for
	// it (data_drop.go). Logout may run on the server's goroutine when
	// it closes, hence atomic.
	drop atomic.Pointer[dropKey]
}

func smtpErr(code int) *smtp.SMTPError {
	enh := smtp.EnhancedCode{code / 100, 0, 0}
	return &smtp.SMTPError{Code: code, EnhancedCode: enh, Message: fmt.Sprintf("scripted answer %d", code)}
}

var errAuthRequired = &smtp.SMTPError{Code: 530, EnhancedCode: smtp.EnhancedCode{5, 7, 0}, Message: "Authentication required"}

func (x *session) AuthMechanisms() []string {
	if x.s.opts.Username == "" {
		return nil
	}
	return []string{sasl.Plain}
}

func (x *session) Auth(mech string) (sasl.Server, error) {
	return sasl.NewPlainServer(func(identity, user, pass string) error {
		if user != x.s.opts.Username || pass != x.s.opts.Password {
			return &smtp.SMTPError{Code: 535, EnhancedCode: smtp.EnhancedCode{5, 7, 8}, Message: "Authentication failed"}
		}
		x.user = user
		return nil
	}), nil
}

func (x *session) Mail(from string, _ *smtp.MailOptions) error {
	if x.s.opts.Username != "" && x.user == "" {
		return errAuthRequired
	}
	r := x.s.nextReply()
	if r.At == "mail" {
		if err := x.answerEarly(r); err != nil {
			return err
		}
	}
	x.reply, x.from = &r, from
	if r.Disconnect && r.At == "" {
		k := expectDrop(x.conn.Conn())
		x.drop.Store(&k)
	}
	return nil
}

func (x *session) Rcpt(to string, _ *smtp.RcptOptions) error {
	if x.reply != nil && x.reply.At == "rcpt" {
		if err := x.answerEarly(*x.reply); err != nil {
			return err
		}
	}
	x.to = append(x.to, to)
	return nil
}

// answerEarly carries out a reply scripted for MAIL FROM or RCPT TO: its
// hold, its code, its drop, or both (the code written before the drop,
// as go-smtp writes only after the command returns). nil lets the
// command succeed.
func (x *session) answerEarly(r Reply) error {
	if r.Hold != nil {
		<-r.Hold
	}
	if !r.Disconnect {
		if r.Code != 0 {
			return smtpErr(r.Code)
		}
		return nil
	}
	if r.Code != 0 {
		e := smtpErr(r.Code)
		_, _ = fmt.Fprintf(x.conn.Conn(), "%d %d.%d.%d %s, closing the connection\r\n", e.Code, e.EnhancedCode[0], e.EnhancedCode[1], e.EnhancedCode[2], e.Message)
	}
	x.dropConn(r.Reset)
	// go-smtp answers this on the closed connection: nobody reads it.
	return errors.New("connection dropped by the script")
}

// forgetDrop ends a scheduled drop in DATA: done, or not to happen.
func (x *session) forgetDrop() {
	if k := x.drop.Swap(nil); k != nil {
		dropped(*k)
	}
}

// dropConn closes the connection under the session, with a TCP reset if
// reset (no TLS close_notify either: the peer sees only the reset).
func (x *session) dropConn(reset bool) {
	c := x.conn.Conn()
	if !reset {
		_ = c.Close()
		return
	}
	if tc, ok := c.(*tls.Conn); ok {
		c = tc.NetConn()
	}
	if t, ok := c.(*trackedConn); ok {
		if tcp, ok := t.Conn.(*net.TCPConn); ok {
			_ = tcp.SetLinger(0)
		}
	}
	_ = c.Close()
}

func (x *session) Data(r io.Reader) error {
	rep := Reply{}
	if x.reply != nil {
		rep = *x.reply
	}
	if rep.Disconnect {
		// Part of the message: whatever its first write brought.
		_, _ = r.Read(make([]byte, 64))
		x.dropConn(rep.Reset)
		x.forgetDrop()
		_, _ = io.Copy(io.Discard, r)
		return errors.New("connection dropped by the script")
	}
	data, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	if rep.Unanswered {
		x.s.keep(Message{From: x.from, To: append([]string(nil), x.to...), User: x.user, Conn: connNumber(x.conn.Conn()), Data: data, At: time.Now()})
		x.dropConn(false)
		return errors.New("connection dropped by the script")
	}
	if rep.Delay > 0 {
		time.Sleep(rep.Delay)
	}
	if rep.Hold != nil {
		<-rep.Hold
	}
	if rep.Code != 0 && rep.At != "rcpt" {
		return smtpErr(rep.Code)
	}
	x.s.keep(Message{From: x.from, To: append([]string(nil), x.to...), User: x.user, Conn: connNumber(x.conn.Conn()), Data: data, At: time.Now()})
	x.hangUp = rep.HangUp
	return nil
}

// Reset is also how go-smtp ends a DATA command, after it has written the
// answer: the moment for a scripted hang-up.
func (x *session) Reset() {
	if x.hangUp {
		x.hangUp = false
		_ = x.conn.Conn().Close()
	}
	x.forgetDrop()
	x.from, x.to, x.reply = "", nil, nil
}

func (x *session) Logout() error {
	x.forgetDrop()
	return nil
}

// T is the part of testing.TB the guard uses.
type T interface {
	Errorf(format string, args ...any)
}

// Guard is a dial function for the SMTP sender that connects only to the
// given fake servers' addresses and fails the test on any other: no test
// may reach a real mail server.
func Guard(t T, allowed ...string) func(ctx context.Context, network, addr string) (net.Conn, error) {
	ok := map[string]bool{}
	for _, a := range allowed {
		ok[a] = true
	}
	return func(ctx context.Context, network, addr string) (net.Conn, error) {
		if !ok[addr] {
			t.Errorf("connection to %s: only the fake SMTP server may be called", addr)
			return nil, fmt.Errorf("connection to %s blocked by the test guard", addr)
		}
		var d net.Dialer
		c, err := d.DialContext(ctx, network, addr)
		if err != nil {
			return nil, err
		}
		// See data_drop.go: the client waits for a drop scripted in DATA.
		return &guardedConn{Conn: c, key: dropKey{server: c.RemoteAddr().String(), client: c.LocalAddr().String()}}, nil
	}
}
