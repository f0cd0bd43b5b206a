package main

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"sync/atomic"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/redis/go-redis/v9"

	"github.com/onward-network/onward/cmd/internal/wiring"
	"github.com/onward-network/onward/core"
	"github.com/onward-network/onward/core/coretest"
	"github.com/onward-network/onward/internal/httpmetrics"
)

// benchEnv is what the edge benchmarks stand on: a fresh database with the
// test network seeded, a pool and an engine on it (a throwaway key, a
// silent log), and Redis under a key prefix of its own.
type benchEnv struct {
	pool   *pgxpool.Pool
	engine *core.Engine
	net    coretest.Network
	quiet  *slog.Logger
	rdb    redis.UniversalClient
	prefix string
	closed []func()
	// pgTrips and redisTrips count round trips to each server, and cpu
	// the CPU used here and by the database's backends, so a benchmark
	// can say what one request costs.
	pgTrips    *roundTrips
	redisTrips *redisTrips
	cpu        *cpuMeter
}

// openBenchEnv makes a benchEnv with maxConns database connections and
// redisConns Redis connections (0 for go-redis's default).
func openBenchEnv(ctx context.Context, maxConns int32, redisConns int) (_ *benchEnv, err error) {
	e := &benchEnv{quiet: slog.New(slog.DiscardHandler), prefix: "onward-bench-" + randomHex(5) + ":",
		pgTrips: &roundTrips{}, redisTrips: &redisTrips{}, cpu: &cpuMeter{}}
	defer func() {
		if err != nil {
			e.Close()
		}
	}()
	pcfg, drop, err := benchPoolConfig(ctx, maxConns)
	if err != nil {
		return nil, err
	}
	e.closed = append(e.closed, drop)
	pcfg.ConnConfig.Tracer = e.pgTrips
	pcfg.AfterConnect = e.cpu.afterConnect
	if e.pool, err = pgxpool.NewWithConfig(ctx, pcfg); err != nil {
		return nil, err
	}
	e.closed = append(e.closed, e.pool.Close)
	if e.engine, err = benchEngine(e.pool, e.quiet); err != nil {
		return nil, err
	}
	e.closed = append(e.closed, e.engine.Close)
	if e.net, err = coretest.SeedNetwork(ctx, e.engine, e.pool); err != nil {
		return nil, fmt.Errorf("seed bench network: %w", err)
	}
	base, err := loadDBConfig()
	if err != nil {
		return nil, err
	}
	opt, err := redis.ParseURL(base.RedisURL)
	if err != nil {
		return nil, fmt.Errorf("ONWARD_REDIS_URL: %w", err)
	}
	if redisConns > 0 {
		opt.PoolSize = redisConns
	}
	e.rdb = redis.NewClient(opt)
	e.rdb.AddHook(e.redisTrips)
	e.cpu.rdb = e.rdb
	e.closed = append(e.closed, func() { e.rdb.Close() }, func() { deleteKeys(e.rdb, e.prefix) })
	if err := e.rdb.Ping(ctx).Err(); err != nil {
		return nil, fmt.Errorf("redis at %s does not answer: %w", opt.Addr, err)
	}
	return e, nil
}

// redisTrips counts round trips to Redis: a command or a pipeline each.
type redisTrips struct{ n atomic.Int64 }

func (t *redisTrips) DialHook(next redis.DialHook) redis.DialHook { return next }

func (t *redisTrips) ProcessHook(next redis.ProcessHook) redis.ProcessHook {
	return func(ctx context.Context, cmd redis.Cmder) error {
		t.n.Add(1)
		return next(ctx, cmd)
	}
}

func (t *redisTrips) ProcessPipelineHook(next redis.ProcessPipelineHook) redis.ProcessPipelineHook {
	return func(ctx context.Context, cmds []redis.Cmder) error {
		t.n.Add(1)
		return next(ctx, cmds)
	}
}

// counters reads the round trips and CPU so far.
func (e *benchEnv) counters() benchCounters {
	return benchCounters{pg: e.pgTrips.n.Load(), redis: e.redisTrips.n.Load(), cpu: e.cpu.read()}
}

// benchCounters are round trips and CPU at one moment.
type benchCounters struct {
	pg, redis int64
	cpu       cpuTimes
}

func (c benchCounters) sub(d benchCounters) benchCounters {
	return benchCounters{pg: c.pg - d.pg, redis: c.redis - d.redis, cpu: c.cpu.sub(d.cpu)}
}

func (c benchCounters) add(d benchCounters) benchCounters {
	return benchCounters{pg: c.pg + d.pg, redis: c.redis + d.redis, cpu: c.cpu.add(d.cpu)}
}

// perRequest says what n requests cost on average.
func (c benchCounters) perRequest(n int) string {
	if n == 0 {
		return "no requests"
	}
	return fmt.Sprintf("%.2f database and %.2f Redis round trips, cpu %s", float64(c.pg)/float64(n), float64(c.redis)/float64(n), c.cpu.perOp(int64(n)))
}

// Close deletes the benchmark's Redis keys, closes its connections and
// drops its database.
func (e *benchEnv) Close() {
	for i := len(e.closed) - 1; i >= 0; i-- {
		e.closed[i]()
	}
	e.closed = nil
}

func randomHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

func randomKey() []byte {
	k := make([]byte, 32)
	_, _ = rand.Read(k)
	return k
}

// deleteKeys removes a benchmark's Redis keys, including the rate
// limiter's (which redis_rate prefixes with "rate:").
func deleteKeys(rdb redis.UniversalClient, prefix string) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	for _, p := range []string{prefix, "rate:" + prefix} {
		iter := rdb.Scan(ctx, 0, p+"*", 1000).Iterator()
		for iter.Next(ctx) {
			rdb.Del(ctx, iter.Val())
		}
	}
}

// benchEngine is an engine on pool as the benchmarks run it: a throwaway
// key, the system clock, random IDs, and log.
func benchEngine(pool *pgxpool.Pool, log *slog.Logger) (*core.Engine, error) {
	crypt, err := core.NewCrypter(randomKey(), nil, nil)
	if err != nil {
		return nil, err
	}
	return core.NewEngine(pool, crypt, core.SystemClock{}, core.RandomIDs{}, log), nil
}

// serveRoutes serves what routes adds to a new mux, as serve wraps its
// own: counted by route (httpmetrics, the requests /metrics reports),
// behind the input checks the product puts in front of every edge
// (wiring.StorableInput), until the returned server is closed.
func serveRoutes(routes func(*http.ServeMux)) (*http.Server, string, error) {
	mux := http.NewServeMux()
	routes(mux)
	return serveLocal(httpmetrics.New().Wrap(wiring.StorableInput(mux, wiring.PartnerRefusals)))
}

// serveLocal serves h on a loopback port until the returned server is
// closed.
func serveLocal(h http.Handler) (*http.Server, string, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, "", err
	}
	srv := &http.Server{Handler: h, ReadHeaderTimeout: 10 * time.Second}
	go func() { _ = srv.Serve(ln) }()
	return srv, "http://" + ln.Addr().String(), nil
}
