package main

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/onward-network/onward/core/coretest/localserver"
)

// TestSMSConversationAcrossSentinelFailover runs serve's SMS webhook on a
// Redis named by a redis+sentinel:// URL — a private master and replica
// with append-only files, watched by a Sentinel — and fails the master
// over between two texts of one conversation: the client's next answer
// carries on where they were, not greeted afresh.
func TestSMSConversationAcrossSentinelFailover(t *testing.T) {
	ctx := context.Background()
	master := localserver.StartRedis(t, nil)
	replica := localserver.StartRedis(t, master)
	sentinel := localserver.StartSentinel(t, "onward", master)

	start := time.Now()
	phone := newSMSPhone(t, fmt.Sprintf("redis+sentinel://%s/onward?db=0", sentinel.Addr()))
	text := phone.text

	if got := text("Hi"); !strings.Contains(got, "Hello from") {
		t.Fatalf("greeting: %s", got)
	}
	// Replication is asynchronous: a failover loses what the replica had
	// not yet received. WAIT makes the test deterministic; in production
	// that window is a replica's lag, usually under a millisecond.
	if n, err := master.Client(t).Do(ctx, "WAIT", 1, 5000).Int(); err != nil || n != 1 {
		t.Fatalf("WAIT for the replica: %d, %v", n, err)
	}

	if err := sentinel.Client(t).Do(ctx, "SENTINEL", "FAILOVER", "onward").Err(); err != nil {
		t.Fatalf("SENTINEL FAILOVER: %v", err)
	}
	deadline := time.Now().Add(30 * time.Second)
	for {
		addr, err := sentinel.MasterAddr(ctx, "onward")
		if err == nil && addr == replica.Addr() {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("sentinel did not promote the replica: master %s, %v", addr, err)
		}
		time.Sleep(100 * time.Millisecond)
	}
	// The promoted server must take writes before the client's next text
	// is a fair test (Sentinel names it before it leaves read-only mode).
	newMaster := replica.Client(t)
	for {
		role, err := newMaster.Do(ctx, "ROLE").Slice()
		if err == nil && len(role) > 0 && role[0] == "master" {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("promoted replica is not a master yet: %v %v", role, err)
		}
		time.Sleep(100 * time.Millisecond)
	}

	// Serve's client follows the new master when Sentinel's +switch-master
	// message reaches it, on a goroutine of its own; until then its pooled
	// connections to the old master answer writes with READONLY (each is
	// dropped when it does, and a new one asks Sentinel where the master
	// is). On a loaded machine that can outlast the waits above, and a text
	// in that moment is answered with the apology asking the client to try
	// again. The conversation's state is what this test is about: wait for
	// serve's own client to take a write.
	for {
		err := phone.app.rdb.Set(ctx, "onward:test:failover-probe", "1", time.Minute).Err()
		if err == nil {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("serve's Redis client did not follow the new master: %v", err)
		}
		time.Sleep(50 * time.Millisecond)
	}

	t.Logf("failed over after %s", time.Since(start))
	got := text("1")
	if strings.Contains(got, "Hello from") {
		t.Fatalf("after the failover the client was greeted afresh: %s", got)
	}
	if !strings.Contains(got, "What do you need help with?") {
		t.Fatalf("after the failover, want the next question (the needs): %s", got)
	}
}
