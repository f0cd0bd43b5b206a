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

// dayRedis returns redisURL moved to dayRedisDB, emptied of Onward's keys
// (deleteKeys: "onward:" and "rate:onward:"), and a function that empties
// it again.
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
	if err := rdb.Ping(ctx).Err(); err != nil {
		rdb.Close()
		return "", nil, fmt.Errorf("reach Redis database %d for the day benchmark: %w", dayRedisDB, err)
	}
	deleteKeys(rdb, "onward:")
	return u.String(), func() {
		deleteKeys(rdb, "onward:")
		rdb.Close()
	}, nil
}
