package main

import (
	"context"
	"fmt"
	"net/url"
	"strconv"

	"github.com/redis/go-redis/v9"
)

// dayRedisDB is the Redis database the day benchmark's processes use. The
// binary keeps its keys under the fixed prefix "onward:" (and its rate
// limits under "rate:onward:"), as `make run` does in database 0: in a
// database of its own, emptied of those keys before and after the run,
// the benchmark neither disturbs a local demo nor meets a previous run's
// keys (a Slack press remembered from a referral of the same id in the
// last run's database would be taken as done).
const dayRedisDB = 14

// dayRedis returns redisURL moved to dayRedisDB, emptied of Onward's keys,
// and a function that empties it again.
func dayRedis(ctx context.Context, redisURL string) (string, func(), error) {
	u, err := url.Parse(redisURL)
	if err != nil || (u.Scheme != "redis" && u.Scheme != "rediss") {
		return "", nil, fmt.Errorf("the day benchmark needs ONWARD_REDIS_URL to name one Redis server (redis:// or rediss://), to use its database %d", dayRedisDB)
	}
	u.Path = "/" + strconv.Itoa(dayRedisDB)
	opts, err := redis.ParseURL(u.String())
	if err != nil {
		return "", nil, fmt.Errorf("read ONWARD_REDIS_URL: %w", err)
	}
	rdb := redis.NewClient(opts)
	empty := func(ctx context.Context) error {
		for _, pattern := range []string{"onward:*", "rate:onward:*"} {
			iter := rdb.Scan(ctx, 0, pattern, 1000).Iterator()
			for iter.Next(ctx) {
				if err := rdb.Del(ctx, iter.Val()).Err(); err != nil {
					return err
				}
			}
			if err := iter.Err(); err != nil {
				return err
			}
		}
		return nil
	}
	if err := empty(ctx); err != nil {
		rdb.Close()
		return "", nil, fmt.Errorf("empty Redis database %d for the day benchmark: %w", dayRedisDB, err)
	}
	return u.String(), func() {
		_ = empty(context.WithoutCancel(ctx))
		rdb.Close()
	}, nil
}
