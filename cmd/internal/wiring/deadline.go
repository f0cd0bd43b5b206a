package wiring

import (
	"context"
	"net"
	"net/http"
	"time"

	"github.com/redis/go-redis/v9"
)

// AddDeadline bounds every command and pipeline on rdb, retries included,
// by d (a caller's earlier deadline still wins), so a Redis that hangs
// fails as fast as a Redis that is down and every caller's fallback for
// "Redis down" takes over. The client must have ContextTimeoutEnabled
// set, or go-redis ignores the deadline on the socket.
func AddDeadline(rdb redis.UniversalClient, d time.Duration) {
	rdb.AddHook(deadlineHook(d))
}

type deadlineHook time.Duration

func (h deadlineHook) DialHook(next redis.DialHook) redis.DialHook {
	return func(ctx context.Context, network, addr string) (net.Conn, error) {
		ctx, cancel := context.WithTimeout(ctx, time.Duration(h))
		defer cancel()
		return next(ctx, network, addr)
	}
}

func (h deadlineHook) ProcessHook(next redis.ProcessHook) redis.ProcessHook {
	return func(ctx context.Context, cmd redis.Cmder) error {
		ctx, cancel := context.WithTimeout(ctx, time.Duration(h))
		defer cancel()
		return next(ctx, cmd)
	}
}

func (h deadlineHook) ProcessPipelineHook(next redis.ProcessPipelineHook) redis.ProcessPipelineHook {
	return func(ctx context.Context, cmds []redis.Cmder) error {
		ctx, cancel := context.WithTimeout(ctx, time.Duration(h))
		defer cancel()
		return next(ctx, cmds)
	}
}

// RequestDeadline gives every request next serves a deadline on its
// context, d after it starts (a caller's earlier deadline still wins), so
// the database and Redis work a page does ends by then. A PostgreSQL that
// hangs then fails each page like a PostgreSQL that is down, and each
// page answers its own "service problem" page in time, rather than
// holding the request, its connection and a pool slot until the client
// or a proxy gives up. Handlers that answer by a deadline of their own
// (the SMS webhook, Slack's) keep it.
func RequestDeadline(next http.Handler, d time.Duration) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ctx, cancel := context.WithTimeout(r.Context(), d)
		defer cancel()
		next.ServeHTTP(w, r.WithContext(ctx))
	})
}
