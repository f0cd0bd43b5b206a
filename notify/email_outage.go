package notify

import (
	"context"
	"errors"
	"log/slog"
	"sync"
	"time"

	"github.com/onward-network/onward/internal/outage"
)

// mailServerPart names the mail server in the outage log: "mail server
// unavailable" when the worker stops reaching it, "mail server available
// again" when it answers.
const mailServerPart = "mail server"

// mailWaitWhy is the delivery status of an email put back while the mail
// server cannot be reached.
const mailWaitWhy = "the mail server cannot be reached"

// mailGate keeps a worker's emails away from a mail server it cannot
// reach (MailServerDown). An outage is the server's, not any email's: the
// emails wait, their attempts not counted, so however long it lasts no
// email is dead-lettered for it, and the worker tries one email at a time
// (the probe) on a backoff instead of every email it holds. Emails that
// come up while the probe is on its way wait for its outcome. The outage
// is logged twice: when it starts (the server and the cause) and when the
// server answers again.
type mailGate struct {
	first, most time.Duration // the waits between probes: first, doubling up to most
	log         *slog.Logger
	metrics     *Metrics
	outages     outage.Log

	mu    sync.Mutex
	down  bool
	next  time.Time     // when the next probe may go
	wait  time.Duration // the wait before next
	probe chan struct{} // closed when the probe in flight ends; nil when none is
}

// admit says whether an email may go to the server now. While the server
// is down it may not, until the next probe is due (until says when): then
// the first email asking is the probe, and the others wait for how it
// ends. probe, not nil when the email is the probe, is handed back with
// its outcome (failed, answered, or cancelProbe).
func (g *mailGate) admit(ctx context.Context, now func() time.Time) (until time.Time, probe chan struct{}, ok bool) {
	for {
		g.mu.Lock()
		switch {
		case !g.down:
			g.mu.Unlock()
			return time.Time{}, nil, true
		case g.probe != nil:
			ch := g.probe
			g.mu.Unlock()
			select {
			case <-ch:
				continue
			case <-ctx.Done():
				g.mu.Lock()
				until = g.next
				g.mu.Unlock()
				return until, nil, false
			}
		case now().Before(g.next):
			until = g.next
			g.mu.Unlock()
			return until, nil, false
		}
		g.probe = make(chan struct{})
		probe = g.probe
		g.mu.Unlock()
		return time.Time{}, probe, true
	}
}

// failed notes that the server could not be reached and returns when the
// email should be tried again. The first failure of an outage is logged
// (server, cause); a probe that fails doubles the wait before the next.
func (g *mailGate) failed(down *MailServerDown, probe chan struct{}, now time.Time) time.Time {
	g.mu.Lock()
	switch {
	case !g.down:
		g.down, g.wait = true, g.first
		g.next = now.Add(g.wait)
		g.metrics.mailServer(true)
	case probe != nil:
		g.wait = min(2*g.wait, g.most)
		g.next = now.Add(g.wait)
	}
	next := g.next
	g.endProbe(probe)
	g.mu.Unlock()
	g.outages.Failed(g.log, slog.LevelWarn, mailServerPart, errors.New(down.Cause),
		"server", down.Addr, "setting", "ONWARD_SMTP_URL", "emails", "wait for it, their attempts not counted")
	return next
}

// answered notes that the server answered (whatever it said of the
// email), ending an outage.
func (g *mailGate) answered(probe chan struct{}) {
	g.mu.Lock()
	if g.down {
		g.down = false
		g.metrics.mailServer(false)
	}
	g.endProbe(probe)
	g.mu.Unlock()
	g.outages.Answered(g.log, mailServerPart)
}

// endProbe lets the emails waiting for the probe go on, if it is still
// the one in flight; under g.mu.
func (g *mailGate) endProbe(probe chan struct{}) {
	if probe != nil && g.probe == probe {
		close(g.probe)
		g.probe = nil
	}
}

// cancelProbe ends a probe that never reached the server (the email was
// skipped, or failed before it was sent), leaving the outage as it was:
// the next email asking is the probe. Once the probe's outcome was
// reported it does nothing.
func (g *mailGate) cancelProbe(probe chan struct{}) {
	g.mu.Lock()
	g.endProbe(probe)
	g.mu.Unlock()
}
