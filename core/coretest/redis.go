package coretest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"os"
	"testing"

	"github.com/redis/go-redis/v9"
)

func init() {
	// Tests take Redis away on purpose; go-redis would print a line for
	// every failed dial, burying the test output.
	redis.SetLogger(quietRedis{})
}

// quietRedis drops go-redis's own log lines.
type quietRedis struct{}

// Printf implements go-redis's logging interface.
func (quietRedis) Printf(context.Context, string, ...any) {}

// RedisURL is ONWARD_REDIS_URL, else the local default.
func RedisURL() string {
	if v := os.Getenv("ONWARD_REDIS_URL"); v != "" {
		return v
	}
	return "redis://127.0.0.1:6379/0"
}

// NewRedis returns a client on the test Redis and a key prefix that is
// this test's alone; its keys are deleted when the test ends.
func NewRedis(t testing.TB) (*redis.Client, string) {
	t.Helper()
	opt, err := redis.ParseURL(RedisURL())
	if err != nil {
		t.Fatalf("parse Redis URL: %v", err)
	}
	rdb := redis.NewClient(opt)
	if err := rdb.Ping(context.Background()).Err(); err != nil {
		t.Fatalf("connect to Redis at %s (run tests with `make test`, which starts it): %v", RedisURL(), err)
	}
	b := make([]byte, 6)
	_, _ = rand.Read(b)
	prefix := "onward-test:" + hex.EncodeToString(b) + ":"
	t.Cleanup(func() {
		ctx := context.Background()
		iter := rdb.Scan(ctx, 0, prefix+"*", 1000).Iterator()
		for iter.Next(ctx) {
			rdb.Del(ctx, iter.Val())
		}
		rdb.Close()
	})
	return rdb, prefix
}
