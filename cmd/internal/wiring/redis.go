// Package wiring holds the few pieces of server wiring that both the
// onward binary and the onward-bench command need, so the benchmarks
// measure the handlers exactly as `onward serve` mounts them without
// linking the benchmarks into onward.
package wiring

import (
	"fmt"

	"github.com/redis/go-redis/v9"
)

// PipelinedRedis is the Redis face of the SMS webhook and the partner
// API: go-redis's autopipeliner, which sends the commands of concurrent
// requests to Redis in shared batches, so under load Redis and the server
// make far fewer system calls per text or call (measured on the partner
// API: 0.5 Redis round trips a referral instead of 3, and half Redis's CPU). It is the deferred face (a command's result is
// waited for when it is read), and the webhook reads every result at
// once, so the handlers behave as with a plain client; measured, it
// batches better than the blocking face. The autopipeliner belongs to rdb
// and is closed with it. (go-redis marks the API experimental; the
// benchmarks, the Redis outage test and the partner API's tests exercise
// it.)
func PipelinedRedis(rdb redis.UniversalClient) (redis.UniversalClient, error) {
	ap, err := rdb.AsyncAutoPipeline()
	if err != nil {
		return nil, fmt.Errorf("redis autopipeline: %w", err)
	}
	return ap, nil
}
