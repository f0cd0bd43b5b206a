package api

import (
	"context"
	"log/slog"
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
}

const auditBatch = 500

func newAuditor(engine *core.Engine, log *slog.Logger) *auditor {
	a := &auditor{engine: engine, log: log, ch: make(chan core.PartnerCall, 10*auditBatch), done: make(chan struct{})}
	go a.run()
	return a
}

func (a *auditor) record(c core.PartnerCall) {
	select {
	case a.ch <- c:
	default:
		a.write([]core.PartnerCall{c})
	}
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

// Close writes the calls still waiting; the API must not serve after it.
func (a *API) Close() {
	a.closeOnce.Do(func() {
		close(a.audit.ch)
		<-a.audit.done
	})
}

// Flush waits until every call recorded so far is written (tests).
func (a *API) Flush() {
	for len(a.audit.ch) > 0 {
		time.Sleep(5 * time.Millisecond)
	}
	time.Sleep(150 * time.Millisecond)
}
