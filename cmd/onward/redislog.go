package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/redis/go-redis/v9"
)

// redisWatch keeps the log of a Redis outage to two lines, as the README
// promises: one when Redis is lost, one when it answers again. go-redis
// itself logs every failed dial (through redis.SetLogger), and retries
// them all the time Redis is away, so an outage would fill the log;
// redisWatch is that logger and drops those lines, and a hook on the
// client that watches each command's outcome. Before Redis has answered
// once, waitForServers says what happens (once, and once when reached),
// so the watch keeps quiet until then; a serve that starts without Redis
// hands the outage to the watch (missing), which then ends it as it ends
// one that began while running.
type redisWatch struct {
	log   *slog.Logger
	state atomic.Int32 // redisUnseen, redisUp or redisDown: commands read it without the lock
	mu    sync.Mutex
	lost  time.Time
	// seen is whether Redis has answered once: the end of an outage that
	// began at start says "reached Redis", of a later one "reached Redis
	// again".
	seen bool
	// dialed is the last dial that failed: a command that ran out of
	// time while go-redis retried its dials says only "context deadline
	// exceeded", and the dial says why (connection refused, no route,
	// an unknown host).
	dialed atomic.Pointer[dialFailure]
}

// dialFailure is a dial that failed, and when.
type dialFailure struct {
	err error
	at  time.Time
}

// The states of a watched Redis.
const (
	redisUnseen int32 = iota // not answered yet: waitForServers reports
	redisUp
	redisDown
)

// watchRedis makes w go-redis's logger (one per process, as go-redis's is)
// and watches rdb's commands.
func watchRedis(log *slog.Logger, rdb redis.UniversalClient) *redisWatch {
	w := &redisWatch{log: log}
	redis.SetLogger(w)
	if rdb != nil {
		rdb.AddHook(w)
	}
	return w
}

// Printf implements go-redis's logging interface: a failed dial, or a
// Sentinel that does not answer, is the outage the watch reports once (at
// debug level each time: go-redis says it at every try); a Sentinel
// failover ("new master") is news, and goes to the log; anything else
// go-redis has to say goes to the log as a warning.
func (w *redisWatch) Printf(ctx context.Context, format string, v ...any) {
	msg := fmt.Sprintf(format, v...)
	sentinel := strings.HasPrefix(msg, "sentinel: ")
	switch {
	case strings.Contains(msg, "failed to dial"), sentinel && strings.Contains(msg, " failed: "):
		w.log.DebugContext(ctx, "redis client", "detail", msg)
	case sentinel && strings.HasPrefix(msg, "sentinel: new master"):
		w.log.InfoContext(ctx, "redis sentinel failover", "detail", msg)
	case sentinel:
		w.log.DebugContext(ctx, "redis client", "detail", msg)
	default:
		w.log.WarnContext(ctx, "redis client", "detail", msg)
	}
}

// DialHook implements redis.Hook: dials are judged by the commands they
// serve; a failed one is kept to name the cause (cause).
func (w *redisWatch) DialHook(next redis.DialHook) redis.DialHook {
	return func(ctx context.Context, network, addr string) (net.Conn, error) {
		conn, err := next(ctx, network, addr)
		if err != nil {
			w.dialed.Store(&dialFailure{err: err, at: time.Now()})
		}
		return conn, err
	}
}

// cause is err, a command's failure, in words naming the real cause: a
// command that timed out while its dials failed since `since` is that
// dial's error (go-redis retries the dial until the deadline, and says
// only that the deadline passed).
func (w *redisWatch) cause(err error, since time.Time) error {
	if w == nil || !errors.Is(err, context.DeadlineExceeded) {
		return err
	}
	if d := w.dialed.Load(); d != nil && !d.at.Before(since) && !errors.Is(d.err, context.DeadlineExceeded) {
		return d.err
	}
	return err
}

// ProcessHook implements redis.Hook.
func (w *redisWatch) ProcessHook(next redis.ProcessHook) redis.ProcessHook {
	return func(ctx context.Context, cmd redis.Cmder) error {
		start := time.Now()
		err := next(ctx, cmd)
		w.saw(callerGaveUp(ctx, err), start)
		return err
	}
}

// ProcessPipelineHook implements redis.Hook.
func (w *redisWatch) ProcessPipelineHook(next redis.ProcessPipelineHook) redis.ProcessPipelineHook {
	return func(ctx context.Context, cmds []redis.Cmder) error {
		start := time.Now()
		err := next(ctx, cmds)
		w.saw(callerGaveUp(ctx, err), start)
		return err
	}
}

// callerGaveUp is err, or context.Canceled (no news of Redis) when the
// command failed because the caller's own context had ended: a request
// whose deadline its PostgreSQL work used up fails its Redis commands
// at once, and Redis is not lost for that. The watch is the client's
// first hook, so ctx is the caller's, before Redis's own deadline
// (wiring.AddDeadline) narrows it.
func callerGaveUp(ctx context.Context, err error) error {
	if err != nil && !answered(err) && ctx.Err() != nil {
		return context.Canceled
	}
	return err
}

// saw records one command's outcome: Redis answered (any reply, error
// replies included), could not be reached (refused, reset, timed out), or
// neither (the caller gave up, the pool was busy: no news of Redis). The
// command started at start.
func (w *redisWatch) saw(err error, start time.Time) {
	if err == nil && w.state.Load() == redisUp {
		return
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	switch state := w.state.Load(); {
	case unreachable(err):
		if state == redisUp {
			w.state.Store(redisDown)
			w.lost = time.Now()
			w.log.Warn("lost Redis; retrying until it answers", "err", oneLine(w.cause(err, start).Error()))
		}
	case answered(err):
		if state == redisDown {
			msg := "reached Redis again"
			if !w.seen {
				msg = "reached Redis"
			}
			w.log.Info(msg, "after", time.Since(w.lost).Round(time.Second))
		}
		w.seen = true
		w.state.Store(redisUp)
	}
}

// missing is a serve starting while Redis does not answer (err), at addr:
// it starts all the same, and the watch takes the outage as one that
// began while running, logged once now and once when a command reaches
// Redis. Called again while Redis is still away, it says nothing more.
func (w *redisWatch) missing(addr string, err error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.state.Load() != redisUnseen {
		return
	}
	w.state.Store(redisDown)
	w.lost = time.Now()
	w.log.Warn("cannot reach Redis; serving without it until it answers (STOP, START and HELP texts are answered, other texts get the apology with the helpline)",
		"at", addr, "err", oneLine(err.Error()))
}

// answered reports whether err is a reply from Redis (redis.Nil, an
// error reply): it was reached.
func answered(err error) bool {
	var reply redis.Error
	return err == nil || errors.As(err, &reply)
}

// unreachable reports whether err says Redis could not be reached: not
// a reply, not the caller giving up, not a closed client or a busy pool.
func unreachable(err error) bool {
	if err == nil || answered(err) || errors.Is(err, context.Canceled) ||
		errors.Is(err, redis.ErrClosed) || errors.Is(err, redis.ErrPoolTimeout) {
		return false
	}
	var ne net.Error
	var op *net.OpError
	return errors.Is(err, context.DeadlineExceeded) || errors.As(err, &ne) || errors.As(err, &op) ||
		strings.Contains(err.Error(), "EOF") || strings.Contains(err.Error(), "connection reset") ||
		strings.Contains(err.Error(), "broken pipe") || strings.Contains(err.Error(), "refused")
}
