package smtpfake

import (
	"context"
	"errors"
	"io"
	"net"
	"net/textproto"
	"strings"
	"testing"
	"time"
)

// TestDropInDATAReachesTheClientFirst: a drop scripted in DATA is on the
// client's socket by the time the client's first write of the message
// returns, however late the server gets round to it, so the client sees
// it before it would send the final "."; a message with no drop
// scripted is not held up.
func TestDropInDATAReachesTheClientFirst(t *testing.T) {
	t.Parallel()
	srv, err := Start(Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { srv.Close() })
	srv.SetScript(func(n int) Reply { return Reply{Disconnect: n == 1} })
	dial := Guard(t, srv.Addr())

	// send runs one transaction up to the first write of the message and
	// returns the connection and how long that write took.
	send := func() (net.Conn, *textproto.Conn, time.Duration) {
		t.Helper()
		c, err := dial(context.Background(), "tcp", srv.Addr())
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { c.Close() })
		tp := textproto.NewConn(c)
		expect := func(code int, cmd string) {
			t.Helper()
			if cmd != "" {
				if err := tp.PrintfLine("%s", cmd); err != nil {
					t.Fatalf("%s: %v", cmd, err)
				}
			}
			if _, _, err := tp.ReadResponse(code); err != nil {
				t.Fatalf("%q: %v", cmd, err)
			}
		}
		expect(220, "")
		expect(250, "EHLO client.localhost")
		expect(250, "MAIL FROM:<onward@onward.example>")
		expect(250, "RCPT TO:<adviser@housing.example>")
		expect(354, "DATA")
		start := time.Now()
		if _, err := c.Write([]byte("Subject: a referral\r\n\r\n" + strings.Repeat("A line of the message.\r\n", 20))); err != nil {
			t.Fatalf("write the message: %v", err)
		}
		return c, tp, time.Since(start)
	}

	c, _, _ := send()
	// The server has closed: the end of the stream (or a reset) is there
	// to read at once.
	_ = c.SetReadDeadline(time.Now().Add(50 * time.Millisecond))
	_, err = io.ReadAll(c)
	var ne net.Error
	if errors.As(err, &ne) && ne.Timeout() {
		t.Fatal("the server's drop in DATA had not reached the client when its write of the message returned")
	}

	c, tp, took := send()
	if took > time.Second {
		t.Errorf("a message with no drop scripted was held %s", took)
	}
	if _, err := c.Write([]byte(".\r\n")); err != nil {
		t.Fatal(err)
	}
	if _, _, err := tp.ReadResponse(250); err != nil {
		t.Fatalf("the second message: %v", err)
	}
	if got := len(srv.Messages()); got != 1 {
		t.Errorf("the server kept %d messages, want the second alone", got)
	}
}
