package sms

import (
	"context"
	"fmt"
	"log/slog"
	"time"
)

// partReads names PostgreSQL as a text's answer reads it (the network's
// settings, the client's language, the opt-out, the channel a phone
// writes on) in the log of its outages: a PostgreSQL outage is logged
// once when it starts and once when it ends, not a line a text.
const partReads = "sms replies (PostgreSQL)"

// readFailed notes that a read a text's answer needed (what) failed with
// err: the first failure of a spell is logged, with the text's sid, the
// others not.
func (s *SMS) readFailed(what, sid string, err error) {
	s.outages.Failed(s.log, slog.LevelError, partReads, fmt.Errorf("%s: %w", what, err), "sid", sid)
}

// readsAnswered ends a spell of readFailed once PostgreSQL answers again.
// A text's settings may come from the engine's cache, which says nothing
// of PostgreSQL, so while a spell is logged each text asks PostgreSQL
// itself, for at most readProbe.
func (s *SMS) readsAnswered(ctx context.Context) {
	if !s.outages.Down(partReads) {
		return
	}
	ctx, cancel := context.WithTimeout(ctx, readProbe)
	defer cancel()
	if s.engine.Pool().Ping(ctx) == nil {
		s.outages.Answered(s.log, partReads)
	}
}

// readProbe bounds readsAnswered's question, so a PostgreSQL that hangs
// holds a text's answer little longer than the cache let it go on.
const readProbe = time.Second
