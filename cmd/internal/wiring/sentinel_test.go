package wiring

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/onward-network/onward/core/coretest/localserver"
	"github.com/onward-network/onward/internal/redisurl"
)

// TestPipelinedRedisFollowsAFailover writes through the webhook's Redis face
// on a redis+sentinel URL, fails the master over, and writes and reads
// again: the client follows the new master and the key survived.
func TestPipelinedRedisFollowsAFailover(t *testing.T) {
	ctx := context.Background()
	master := localserver.StartRedis(t, nil)
	replica := localserver.StartRedis(t, master)
	sentinel := localserver.StartSentinel(t, "onward", master)
	rdb, _, err := redisurl.New(fmt.Sprintf("redis+sentinel://%s/onward", sentinel.Addr()))
	if err != nil {
		t.Fatal(err)
	}
	defer rdb.Close()
	hook, err := PipelinedRedis(rdb)
	if err != nil {
		t.Fatal(err)
	}
	if err := hook.Set(ctx, "k", "before", time.Minute).Err(); err != nil {
		t.Fatal(err)
	}
	if err := master.Client(t).Do(ctx, "WAIT", 1, 5000).Err(); err != nil {
		t.Fatal(err)
	}
	if err := sentinel.Client(t).Do(ctx, "SENTINEL", "FAILOVER", "onward").Err(); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(30 * time.Second)
	for {
		if addr, err := sentinel.MasterAddr(ctx, "onward"); err == nil && addr == replica.Addr() {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("no failover")
		}
		time.Sleep(100 * time.Millisecond)
	}
	// The clients reach the new master: the key written before is there,
	// and writes succeed (a replica would refuse them as READONLY).
	for _, c := range []struct {
		name string
		do   func(context.Context) error
	}{
		{"plain get", func(ctx context.Context) error { return expect(rdb.Get(ctx, "k").Result()) }},
		{"plain set", func(ctx context.Context) error { return rdb.Set(ctx, "k2", "x", time.Minute).Err() }},
		{"hook get", func(ctx context.Context) error { return expect(hook.Get(ctx, "k").Result()) }},
		{"hook set", func(ctx context.Context) error { return hook.Set(ctx, "k3", "x", time.Minute).Err() }},
	} {
		cctx, cancel := context.WithTimeout(ctx, 20*time.Second)
		err := c.do(cctx)
		cancel()
		if err != nil {
			t.Errorf("%s after failover: %v", c.name, err)
		}
	}
	if got, err := replica.Client(t).Get(ctx, "k3").Result(); err != nil || got != "x" {
		t.Errorf("the write after failover is not on the new master: %q, %v", got, err)
	}
}

// expect checks a read of the key written before the failover.
func expect(got string, err error) error {
	if err != nil {
		return err
	}
	if got != "before" {
		return fmt.Errorf("read %q, want %q", got, "before")
	}
	return nil
}
