package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/url"
	"os"
	"strconv"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/redis/go-redis/v9"

	"github.com/onward-network/onward/cmd/internal/wiring"
	"github.com/onward-network/onward/core"
	"github.com/onward-network/onward/core/config"
	"github.com/onward-network/onward/intake/sms"
	outagelog "github.com/onward-network/onward/internal/outage"
	"github.com/onward-network/onward/internal/redisurl"
)

// app is what every long-running command shares: config, logger, the
// database pool, Redis and the referral engine.
type app struct {
	cfg     config.Config
	log     *slog.Logger
	pool    *pgxpool.Pool
	replica *pgxpool.Pool // nil without ONWARD_DATABASE_REPLICA_URL
	rdb     redis.UniversalClient
	// redisShape says which kind of Redis ONWARD_REDIS_URL names (single,
	// sentinel, cluster), for messages; never its password.
	redisShape redisurl.Shape
	// redisWatch logs Redis's outages and names their causes.
	redisWatch *redisWatch
	engine     *core.Engine
	crypt      *core.Crypter
	// refusals are the formats the edge (wiring.StorableInput) answers
	// refusals in, by path prefix: newHandler starts them, and a mount
	// whose part answers in its own pages adds its own (refuseAs).
	refusals map[string]wiring.Refusal
	// notReady is what /readyz last found down, so its probes log each
	// spell once (noteReady).
	notReady outagelog.Log
}

// newCrypter builds the personal-data Crypter from the keys config
// decoded.
func newCrypter(cfg config.Config) (*core.Crypter, error) {
	k, err := cfg.Keys()
	if err != nil {
		return nil, err
	}
	return core.NewCrypter(k.Current, k.Old, k.Hash)
}

func newLogger(cfg config.Config) *slog.Logger { return newLoggerTo(cfg, os.Stderr) }

// newLoggerTo logs to w: serve and worker log to the stderr they were
// given.
func newLoggerTo(cfg config.Config, w io.Writer) *slog.Logger {
	var level slog.Level
	_ = level.UnmarshalText([]byte(cfg.LogLevel))
	return slog.New(slog.NewTextHandler(w, &slog.HandlerOptions{Level: level}))
}

// openApp connects to Postgres and Redis and builds the engine. It fails
// with one clear line when either does not answer.
func openApp(ctx context.Context, cfg config.Config, log *slog.Logger) (*app, error) {
	a, err := newApp(cfg, log)
	if err != nil {
		return nil, err
	}
	if err := a.pool.Ping(ctx); err != nil {
		a.Close()
		return nil, fmt.Errorf("database at %s does not answer: %w", core.DatabaseAddr(cfg.DatabaseURL), err)
	}
	start := time.Now()
	if err := a.rdb.Ping(ctx).Err(); err != nil {
		a.Close()
		return nil, fmt.Errorf("redis (%s, ONWARD_REDIS_URL) does not answer: %w", a.redisShape, a.redisWatch.cause(err, start))
	}
	return a, nil
}

// newApp builds the app without reaching PostgreSQL or Redis: the pools
// and the Redis client connect on first use. Bad configuration fails here,
// at once; serve and worker then wait for the servers (waitForServers).
func newApp(cfg config.Config, log *slog.Logger) (*app, error) {
	crypt, err := newCrypter(cfg)
	if err != nil {
		return nil, err
	}
	pool, err := core.NewPool(withPoolSize(cfg.DatabaseURL))
	if err != nil {
		return nil, fmt.Errorf("ONWARD_DATABASE_URL: %w", err)
	}
	rdb, shape, err := redisurl.New(cfg.RedisURL)
	if err != nil {
		pool.Close()
		return nil, fmt.Errorf("ONWARD_REDIS_URL: %w", err)
	}
	// An outage is logged once when Redis is lost and once when it is
	// back, not at each of go-redis's dials.
	watch := watchRedis(log, rdb)
	// Every command has a deadline (ONWARD_REDIS_TIMEOUT): a Redis that
	// hangs then looks to every caller like a Redis that is down, and the
	// webhooks answer within Twilio's and Slack's limits without it.
	wiring.AddDeadline(rdb, cfg.RedisTimeout)
	var replica *pgxpool.Pool
	if cfg.DatabaseReplicaURL != "" {
		if replica, err = core.OpenReplicaPool(context.Background(), withPoolSize(cfg.DatabaseReplicaURL)); err != nil {
			pool.Close()
			rdb.Close()
			return nil, fmt.Errorf("ONWARD_DATABASE_REPLICA_URL: %w", err)
		}
	}
	eng, err := newEngine(cfg, pool, crypt, log)
	if err != nil {
		if replica != nil {
			replica.Close()
		}
		pool.Close()
		rdb.Close()
		return nil, err
	}
	readers := core.NewReaders(pool, replica, cfg.ReplicaMaxLag)
	readers.UseLog(log)
	eng.UseReaders(readers)
	a := &app{cfg: cfg, log: log, pool: pool, replica: replica, rdb: rdb, redisShape: shape, redisWatch: watch, engine: eng, crypt: crypt}
	forgetErasedTexts(eng, rdb)
	return a, nil
}

// forgetErasedTexts makes the engine's erasures remove the client's texts
// kept in Redis too (sms.Forget). Every process where a person can erase
// a client calls it: serve (the staff web and Slack) through newApp, and
// the CLI's `client erase`. (Retention's erasures leave Redis to expire.)
func forgetErasedTexts(eng *core.Engine, rdb redis.UniversalClient) {
	eng.OnErase(sms.Forget(rdb, "onward:"))
}

// defaultPoolSize is enough connections for the HTTP server and an
// in-process worker delivering in parallel; pgxpool's own default (the
// number of CPUs, at least 4) starves the worker on small machines.
const defaultPoolSize = 24

// withPoolSize adds pool_max_conns to the URL unless the operator set it.
func withPoolSize(raw string) string {
	u, err := url.Parse(raw)
	if err != nil || u.Scheme == "" {
		return raw
	}
	q := u.Query()
	if q.Get("pool_max_conns") == "" {
		q.Set("pool_max_conns", strconv.Itoa(defaultPoolSize))
		u.RawQuery = q.Encode()
	}
	return u.String()
}

// openDB connects to Postgres only, for commands that need no Redis, and
// checks the schema is this binary's as serve does: a command run before
// `onward migrate` (or after a newer release's) says so, rather than
// fail on a missing table or column. migrate and demo, which make the
// schema, open the pool themselves.
func openDB(ctx context.Context, cfg config.Config) (*pgxpool.Pool, error) {
	pool, err := core.OpenPool(ctx, cfg.DatabaseURL)
	if err != nil {
		return nil, err
	}
	if err := core.CheckSchema(ctx, pool); err != nil {
		pool.Close()
		return nil, err
	}
	return pool, nil
}

// closeAtExitWithin bounds how long a process that is stopping waits for
// its connections to close: a PostgreSQL that hangs holds a pool's close
// until its queries give up, which would stretch a stop well past
// ONWARD_SHUTDOWN_GRACE.
const closeAtExitWithin = 3 * time.Second

// CloseAtExit is Close for a process about to exit: it waits at most
// closeAtExitWithin, then says so and returns; the process's exit closes
// what is left.
func (a *app) CloseAtExit() {
	closeWithin(a.log, closeAtExitWithin, a.Close)
}

// closeWithin runs closeFn and waits at most d for it, logging when it
// gave up waiting.
func closeWithin(log *slog.Logger, d time.Duration, closeFn func()) {
	done := make(chan struct{})
	go func() {
		closeFn()
		close(done)
	}()
	select {
	case <-done:
	case <-time.After(d):
		log.Warn("connections to PostgreSQL or Redis did not close in time; exiting without waiting for them", "waited", d.String())
	}
}

func (a *app) Close() {
	a.engine.Close()
	a.rdb.Close()
	if a.replica != nil {
		a.replica.Close()
	}
	a.pool.Close()
}
