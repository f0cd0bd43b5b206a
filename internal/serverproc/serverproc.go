// Package serverproc is what the two starters of private PostgreSQL and
// Redis servers share: cmd/onward/localsvc, which finds or starts the
// long-lived servers that `onward dev`, `make run` and `make test` use
// and leaves them running for the next run, and
// core/coretest/localserver, which starts throwaway servers (a replica, a
// Sentinel, a Cluster) for one test that stops or fails them over. Their
// lifecycles differ, so each keeps its own starter; the finding of the
// installed PostgreSQL, the account it runs as, the running of its
// programs and the waiting for a server to answer live here, once.
//
// It imports nothing made for tests, so the onward binary can hold it.
package serverproc

import (
	"context"
	"fmt"
	"net"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"time"
)

// RunToFile runs cmd with its output going to a file rather than a pipe:
// a server the command leaves running could hold a pipe open and make
// Wait hang. It returns the output on one line.
func RunToFile(cmd *exec.Cmd) (string, error) {
	f, err := os.CreateTemp("", "onward-server-*.out")
	if err != nil {
		return "", fmt.Errorf("make a file for %s's output: %w", cmd.Path, err)
	}
	defer os.Remove(f.Name())
	defer f.Close()
	cmd.Stdout, cmd.Stderr = f, f
	err = cmd.Run()
	b, _ := os.ReadFile(f.Name())
	return OneLine(string(b)), err
}

// WaitFor calls ready every interval until it returns nil or ctx ends,
// and returns the last error.
func WaitFor(ctx context.Context, every time.Duration, ready func(context.Context) error) error {
	for {
		err := ready(ctx)
		if err == nil {
			return nil
		}
		select {
		case <-ctx.Done():
			return err
		case <-time.After(every):
		}
	}
}

// LogTail returns the last lines of a server's log joined by " | ", for
// an error message; "" when the log cannot be read.
func LogTail(path string, lines int) string {
	b, err := os.ReadFile(path)
	if err != nil {
		return ""
	}
	all := strings.Split(strings.TrimSpace(string(b)), "\n")
	if len(all) > lines {
		all = all[len(all)-lines:]
	}
	return strings.Join(all, " | ")
}

// OneLine keeps an error from a server or a tool on one line.
func OneLine(s string) string {
	return strings.Join(strings.Fields(s), " ")
}

// FreePort returns preferred if nothing listens on it on 127.0.0.1, else
// a port there that nothing listens on now; preferred 0 asks for any.
// A fixed preferred port keeps a long-lived server's URL the same from
// one run to the next.
func FreePort(preferred int) (int, error) {
	if preferred != 0 {
		addr := net.JoinHostPort("127.0.0.1", strconv.Itoa(preferred))
		if c, err := net.DialTimeout("tcp", addr, 500*time.Millisecond); err == nil {
			c.Close()
		} else if l, err := net.Listen("tcp", addr); err == nil {
			l.Close()
			return preferred, nil
		}
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, fmt.Errorf("find a free port: %w", err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}
