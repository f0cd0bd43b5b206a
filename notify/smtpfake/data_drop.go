package smtpfake

import (
	"bytes"
	"errors"
	"net"
	"sync"
	"syscall"
	"time"
)

// A drop scripted in DATA (Reply.Disconnect with no At) stands for a
// server or network that gives up while the client is still sending the
// message, so the client finds out before it sends the final ".". On a
// loopback socket the kernel takes the whole of a small message at once,
// and a busy machine can run the client on to its "." before the server
// has read a byte and closed: the client then rightly treats the message
// as perhaps taken, and the test scripted something else. So the client
// side of the connection (Guard's dialer) waits, after its first write of
// the message's data, until the server has dropped the connection: the
// drop is then on the wire before the client looks for it, as the script
// means, and nothing on the client is faked (its writes and reads go to
// the real socket). On a TLS connection the dialer sees only ciphertext
// and does not wait.

// dataDrops holds the connections whose DATA the server will drop, by
// the pair of addresses both ends see, with a channel closed once the
// server has closed the connection.
var dataDrops sync.Map // dropKey → chan struct{}

// dropKey names one TCP connection as both its ends see it.
type dropKey struct{ server, client string }

// dropWaitLimit bounds the client's wait for a drop that never comes (a
// session ended some other way): the write has gone out by then anyway.
const dropWaitLimit = 10 * time.Second

// expectDrop records, at MAIL FROM, that the server will drop c in DATA.
func expectDrop(c net.Conn) dropKey {
	k := dropKey{server: c.LocalAddr().String(), client: c.RemoteAddr().String()}
	dataDrops.Store(k, make(chan struct{}))
	return k
}

// dropped tells the client side of k that the server has closed it, and
// forgets k.
func dropped(k dropKey) {
	if ch, ok := dataDrops.LoadAndDelete(k); ok {
		close(ch.(chan struct{}))
	}
}

// guardedConn is the client's side of a connection Guard dialed. It
// watches the commands it writes for DATA, and after the first write of
// the message that follows waits for a drop the server has scheduled.
type guardedConn struct {
	net.Conn
	key dropKey
	// data is set once "DATA" has been written: the next write is the
	// message.
	data bool
}

func (c *guardedConn) Write(b []byte) (int, error) {
	n, err := c.Conn.Write(b)
	if err != nil {
		return n, err
	}
	if c.data {
		c.data = false
		if ch, ok := dataDrops.Load(c.key); ok {
			select {
			case <-ch.(chan struct{}):
			case <-time.After(dropWaitLimit):
			}
		}
		return n, nil
	}
	c.data = len(b) == len("DATA\r\n") && bytes.EqualFold(b, []byte("DATA\r\n"))
	return n, nil
}

// SyscallConn is the socket's own, for a client that looks at it (the
// SMTP sender peeks for a server that gave up while it sent a message).
func (c *guardedConn) SyscallConn() (syscall.RawConn, error) {
	sc, ok := c.Conn.(syscall.Conn)
	if !ok {
		return nil, errors.New("smtpfake: the dialed connection has no socket to look at")
	}
	return sc.SyscallConn()
}
