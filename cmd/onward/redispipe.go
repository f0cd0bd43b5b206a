package main

import (
	"fmt"

	"github.com/redis/go-redis/v9"
)

// webhookRedis is the Redis face of the SMS webhook: go-redis's blocking
// autopipeliner, which sends the commands of concurrent requests to Redis
// in shared batches. Each call still waits for its own answer, so the
// handlers read as with a plain client; under load Redis and the server
// make far fewer system calls per text. The autopipeliner belongs to rdb
// and is closed with it. (go-redis marks the API experimental; the
// benchmark and the Redis outage test exercise it.)
func webhookRedis(rdb *redis.Client) (redis.UniversalClient, error) {
	ap, err := rdb.AutoPipeline()
	if err != nil {
		return nil, fmt.Errorf("redis autopipeline: %w", err)
	}
	return ap, nil
}
