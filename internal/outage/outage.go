// Package outage keeps the log of a part that stops answering to two
// lines a spell: one when it starts, with the cause, and one when the part
// answers again, with how long it was away. A webhook or page that fails
// while PostgreSQL or Redis is down would otherwise log a line a request,
// and bury the one line that matters.
package outage

import (
	"context"
	"log/slog"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// Log remembers which parts are down. The zero Log is ready to use, and
// safe for concurrent use.
type Log struct {
	downs atomic.Int32 // parts down now: Answered reads it without the lock
	mu    sync.Mutex
	down  map[string]time.Time // part → when its spell began
}

// Failed notes that part failed with err. The first failure of a spell is
// logged at level as "<part> unavailable", with the cause on one line and
// attrs (what the failure means to the people using it); later failures
// are not logged.
func (l *Log) Failed(log *slog.Logger, level slog.Level, part string, err error, attrs ...any) {
	l.mu.Lock()
	_, was := l.down[part]
	if !was {
		if l.down == nil {
			l.down = map[string]time.Time{}
		}
		l.down[part] = time.Now()
		l.downs.Add(1)
	}
	l.mu.Unlock()
	if was || log == nil {
		return
	}
	cause := ""
	if err != nil {
		cause = strings.Join(strings.Fields(err.Error()), " ")
	}
	log.Log(context.Background(), level, part+" unavailable", append([]any{"err", cause}, attrs...)...)
}

// Answered notes that part worked. The end of a spell is logged once, at
// Info, as "<part> available again" with how long it lasted; when no part
// is down it costs one atomic load.
func (l *Log) Answered(log *slog.Logger, part string) {
	if l.downs.Load() == 0 {
		return
	}
	l.mu.Lock()
	since, was := l.down[part]
	if was {
		delete(l.down, part)
		l.downs.Add(-1)
	}
	l.mu.Unlock()
	if was && log != nil {
		log.Info(part+" available again", "after", time.Since(since).Round(time.Second))
	}
}

// Down reports whether part is in a spell of failures.
func (l *Log) Down(part string) bool {
	if l.downs.Load() == 0 {
		return false
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	_, was := l.down[part]
	return was
}
