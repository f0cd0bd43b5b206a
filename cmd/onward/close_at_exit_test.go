package main

import (
	"bytes"
	"log/slog"
	"strings"
	"testing"
	"time"
)

// An on-call review: with PostgreSQL hanging, serve exited 15 s past its
// ONWARD_SHUTDOWN_GRACE, waiting for its pool to close. A stopping process
// waits a bounded time for its connections, then says so and exits.
func TestCloseAtExitDoesNotWaitForAHungClose(t *testing.T) {
	var logs bytes.Buffer
	log := slog.New(slog.NewTextHandler(&logs, nil))
	hung := make(chan struct{})
	defer close(hung)
	start := time.Now()
	closeWithin(log, 200*time.Millisecond, func() { <-hung })
	if took := time.Since(start); took > 2*time.Second {
		t.Errorf("closing waited %s for a close that hangs", took)
	}
	if !strings.Contains(logs.String(), "did not close in time") {
		t.Errorf("giving up was not logged:\n%s", logs.String())
	}
	logs.Reset()
	closed := false
	closeWithin(log, time.Second, func() { closed = true })
	if !closed || logs.Len() != 0 {
		t.Errorf("a close that finishes: ran %v, logged %q", closed, logs.String())
	}
}
