package coretest

import (
	"net"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
)

// RedisThroughProxy opens a client on the test Redis through a Proxy the
// test can cut, hang or restore, standing in for a Redis that goes away.
// The client fails fast (a 200 ms dial, no retries) so a request sees
// the outage at once rather than after go-redis's backoff. Both close
// when the test ends.
func RedisThroughProxy(t testing.TB) (*redis.Client, *Proxy) {
	t.Helper()
	opt, err := redis.ParseURL(RedisURL())
	if err != nil {
		t.Fatalf("parse Redis URL: %v", err)
	}
	p := NewProxy(t, opt.Addr)
	opt.Addr = p.Addr()
	failFast(opt)
	rdb := redis.NewClient(opt)
	t.Cleanup(func() { rdb.Close() })
	return rdb, p
}

// UnreachableRedis is a client for a local port nobody listens on,
// standing in for a Redis that is down for the whole test. It fails fast
// as RedisThroughProxy's does, and closes when the test ends.
func UnreachableRedis(t testing.TB) *redis.Client {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close() // the port was free a moment ago, and nothing listens there now
	opt := &redis.Options{Addr: addr}
	failFast(opt)
	rdb := redis.NewClient(opt)
	t.Cleanup(func() { rdb.Close() })
	return rdb
}

// failFast sets a client to give up on a dead Redis at once.
func failFast(opt *redis.Options) {
	opt.DialTimeout, opt.MaxRetries = 200*time.Millisecond, -1
	opt.DialerRetries, opt.DialerRetryTimeout = 1, time.Millisecond
}
