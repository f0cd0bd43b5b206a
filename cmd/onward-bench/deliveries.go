package main

// What the email and notify benchmarks share: a real outbox worker run
// for the length of the benchmark, and the matching of each row's commit
// with its arrival at a fake provider.

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/onward-network/onward/notify"
)

// runWorker runs the outbox worker w until the function it returns is
// called; that stops it, waits for it to finish and says how it ended.
// Calling it again (say, deferred) returns the same answer.
func runWorker(ctx context.Context, w *notify.Worker) func() error {
	runCtx, cancel := context.WithCancel(ctx)
	done := make(chan error, 1)
	go func() { done <- w.Run(runCtx) }()
	return sync.OnceValue(func() error {
		cancel()
		if err := <-done; err != nil && !errors.Is(err, context.Canceled) {
			return err
		}
		return nil
	})
}

// deliveries pairs the time each outbox row was committed with the time a
// fake provider received it, for the email and notify benchmarks'
// latency from commit to delivery.
type deliveries struct {
	want int64
	rep  *benchReporter

	mu        sync.Mutex
	committed map[string]time.Time
	received  map[string]time.Time
	got       atomic.Int64
	all       chan struct{} // closed when want rows have arrived
}

func newDeliveries(want int, rep *benchReporter) *deliveries {
	return &deliveries{want: int64(want), rep: rep, all: make(chan struct{}),
		committed: make(map[string]time.Time, want), received: make(map[string]time.Time, want)}
}

// commit records the rows keys as committed at at.
func (d *deliveries) commit(keys []string, at time.Time) {
	d.mu.Lock()
	for _, k := range keys {
		d.committed[k] = at
	}
	d.mu.Unlock()
}

// receive records the row key as received at at; a second delivery is
// reported as an error naming it as shown.
func (d *deliveries) receive(key, shown string, at time.Time) {
	d.mu.Lock()
	if _, dup := d.received[key]; dup {
		d.rep.Errorf("%s delivered twice", shown)
	}
	d.received[key] = at
	d.mu.Unlock()
	if d.got.Add(1) == d.want {
		close(d.all)
	}
}

// wait waits until every row has arrived, for at most limit (whole
// minutes); what names the rows in the error.
func (d *deliveries) wait(ctx context.Context, limit time.Duration, what string) error {
	select {
	case <-d.all:
		return nil
	case <-time.After(limit):
		return fmt.Errorf("only %d of %d %s delivered in %d minutes", d.got.Load(), d.want, what, int(limit/time.Minute))
	case <-ctx.Done():
		return ctx.Err()
	}
}

// latencies returns, sorted, how long each received row took from its
// commit; receiver names who got a row that was never committed.
func (d *deliveries) latencies(receiver string) ([]time.Duration, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	lat := make([]time.Duration, 0, d.want)
	for k, at := range d.received {
		c, ok := d.committed[k]
		if !ok {
			return nil, fmt.Errorf("%s got %q, which was never queued", receiver, k)
		}
		lat = append(lat, max(at.Sub(c), 0))
	}
	slices.Sort(lat)
	return lat, nil
}
