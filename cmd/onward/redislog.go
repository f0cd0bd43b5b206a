package main

import (
	"context"
	"fmt"
	"log/slog"

	"github.com/redis/go-redis/v9"
)

// redisLog sends go-redis's own messages (a dial that failed, a pool that
// could not refill) to the structured log as warnings, instead of the
// unstructured lines go-redis prints to stderr by default.
type redisLog struct{ log *slog.Logger }

// Printf implements go-redis's logging interface.
func (l redisLog) Printf(ctx context.Context, format string, v ...any) {
	l.log.WarnContext(ctx, "redis client", "detail", fmt.Sprintf(format, v...))
}

func useRedisLog(log *slog.Logger) { redis.SetLogger(redisLog{log: log}) }
