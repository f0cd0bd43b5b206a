package api

import (
	"context"
	"log/slog"
	"sync"
	"time"

	"github.com/onward-network/onward/core"
)

// auditor writes partners' calls to the audit in batches: a call never
// waits for its own audit row, and a full buffer makes callers write
// theirs at once rather than lose it.
type auditor struct {
	engine *core.Engine
	log    *slog.Logger
	ch     chan core.PartnerCall
	done   chan struct{}
	// mu guards closed: a call recorded after Close (a request still
	// running when the server's drain ran out) is written at once, not
	// sent on the closed channel.
	mu     sync.RWMutex
	closed bool
}

const auditBatch = 500

func newAuditor(engine *core.Engine, log *slog.Logger) *auditor {
	a := &auditor{engine: engine, log: log, ch: make(chan core.PartnerCall, 10*auditBatch), done: make(chan struct{})}
	go a.run()
	return a
}

func (a *auditor) record(c core.PartnerCall) {
	a.mu.RLock()
	if !a.closed {
		select {
		case a.ch <- c:
			a.mu.RUnlock()
			return
		default:
		}
	}
	a.mu.RUnlock()
	a.write([]core.PartnerCall{c})
}

// close writes the calls waiting and makes later ones write at once.
func (a *auditor) close() {
	a.mu.Lock()
	if !a.closed {
		a.closed = true
		close(a.ch)
	}
	a.mu.Unlock()
	<-a.done
}

func (a *auditor) write(calls []core.PartnerCall) {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := a.engine.RecordPartnerCalls(ctx, calls); err != nil {
		a.log.Error("audit partner calls", "calls", len(calls), "err", err)
	}
}

func (a *auditor) run() {
	defer close(a.done)
	tick := time.NewTicker(100 * time.Millisecond)
	defer tick.Stop()
	var batch []core.PartnerCall
	flush := func() {
		if len(batch) > 0 {
			a.write(batch)
			batch = nil
		}
	}
	for {
		select {
		case c, ok := <-a.ch:
			if !ok {
				flush()
				return
			}
			batch = append(batch, c)
			if len(batch) >= auditBatch {
				flush()
			}
		case <-tick.C:
			flush()
		}
	}
}

// Close writes the calls still waiting; a call the API serves after it
// is audited at once, on its own.
func (a *API) Close() { a.audit.close() }

// Flush waits until every call recorded so far is written (tests).
func (a *API) Flush() {
	for len(a.audit.ch) > 0 {
		time.Sleep(5 * time.Millisecond)
	}
	time.Sleep(150 * time.Millisecond)
}
