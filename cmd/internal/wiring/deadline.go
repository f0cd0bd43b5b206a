package wiring

import (
	"context"
	"net"
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
