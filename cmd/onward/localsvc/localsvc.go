// Package localsvc finds or starts the PostgreSQL and Redis that Onward needs
// on a developer's or CI machine, so `make run` and `make test` work on a
// machine that has only Go and the two servers' packages installed.
//
// The order is: URLs the user configured, then the machine's own servers on
// their default ports, then private servers started from the installed
// binaries under a state folder (normally ./.onward), then an error that says
// how to install what is missing.
//
// core/coretest/localserver starts throwaway servers for a single test;
// the two share how PostgreSQL is found and its programs are run
// (internal/serverproc), which holds nothing made for tests.
package localsvc

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"time"

	"github.com/onward-network/onward/internal/serverproc"
)

// Fixed ports tried first for private servers, so URLs stay the same across
// runs; a free port is picked when these are taken.
const (
	privatePostgresPort = 55432
	privateRedisPort    = 56379
)

const (
	// configuredTimeout bounds the check of a URL the user configured.
	configuredTimeout = 5 * time.Second
	// probeTimeout bounds each attempt at a default local server.
	probeTimeout = 2 * time.Second
	// startTimeout bounds starting a private server and waiting for it.
	startTimeout = 60 * time.Second
	// pollEvery is how often a server that is starting or stopping is
	// asked whether it is there yet.
	pollEvery = 100 * time.Millisecond
)

// ErrNotInstalled is wrapped by the error Ensure returns when neither a
// running server nor the software to start one was found.
var ErrNotInstalled = serverproc.ErrNotInstalled

// Options says where to look for the services and where private ones live.
type Options struct {
	// Dir is the private state folder, normally "./.onward". Private servers
	// keep their data, sockets, logs and pid files under it.
	Dir string
	// DatabaseURL is ONWARD_DATABASE_URL if set; when set it is used as is.
	DatabaseURL string
	// RedisURL is ONWARD_REDIS_URL if set; when set it is used as is.
	RedisURL string
	// DBName is the database used, and created if missing, on a local or
	// private server. Defaults to "onward".
	DBName string
	// PreferPrivate skips the machine's default servers and goes straight to
	// private ones under Dir, for tests and for isolation from a shared server.
	// Configured URLs still win.
	PreferPrivate bool
	// Log receives progress lines; nil discards them.
	Log *slog.Logger

	// lookPath and pgGlobs replace exec.LookPath and the PostgreSQL install
	// folders in tests.
	lookPath func(string) (string, error)
	pgGlobs  []string
}

// Services holds the URLs to use and what Ensure started, so Stop stops only
// those.
type Services struct {
	// DatabaseURL is a pgx connection URL for the database to use.
	DatabaseURL string
	// RedisURL is a go-redis URL for the Redis to use.
	RedisURL string

	log      *slog.Logger
	postgres *privatePostgres // non-nil only when this Ensure started it
	redis    *privateRedis    // non-nil only when this Ensure started it
}

// Ensure returns URLs for a PostgreSQL database and a Redis that answer,
// starting private servers under o.Dir when the machine has the software but
// nothing running. Private servers keep running after the process exits and
// are reused by the next Ensure; call Stop to stop the ones this call started.
func Ensure(ctx context.Context, o Options) (*Services, error) {
	o = o.withDefaults()
	s := &Services{log: o.Log}

	var err error
	if s.DatabaseURL, err = configuredPostgres(ctx, o); err != nil {
		return nil, err
	}
	if s.RedisURL, err = configuredRedis(ctx, o); err != nil {
		return nil, err
	}
	if !o.PreferPrivate {
		if s.DatabaseURL == "" {
			s.DatabaseURL = machinePostgres(ctx, o)
		}
		if s.RedisURL == "" {
			s.RedisURL = machineRedis(ctx, o)
		}
	}
	if s.DatabaseURL != "" && s.RedisURL != "" {
		return s, nil
	}

	// Find the software before starting anything, so a missing Redis does not
	// leave a freshly started PostgreSQL behind.
	dir, err := filepath.Abs(o.Dir)
	if err != nil {
		return nil, fmt.Errorf("state folder %s: %w", o.Dir, err)
	}
	var pg *serverproc.Postgres
	var redisServer string
	var missing []string
	if s.DatabaseURL == "" {
		pg, err = findPostgres(o, serverproc.DataDirMajor(filepath.Join(dir, "pg")))
		if errors.Is(err, ErrNotInstalled) {
			missing = append(missing, "PostgreSQL")
		} else if err != nil {
			return nil, err
		}
	}
	if s.RedisURL == "" {
		redisServer, err = o.lookPath("redis-server")
		if err != nil {
			missing = append(missing, "Redis")
		}
	}
	if len(missing) > 0 {
		return nil, installError(missing)
	}

	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("create state folder: %w", err)
	}
	// The state folder holds data and logs, never source: keep it out of git
	// even where the repository's .gitignore does not mention it.
	if _, err := os.Stat(filepath.Join(dir, ".gitignore")); errors.Is(err, os.ErrNotExist) {
		_ = os.WriteFile(filepath.Join(dir, ".gitignore"), []byte("*\n"), 0o644)
	}
	// Two processes (say `make run` and `make test`) may arrive together: one
	// starts each server, the other waits and reuses it.
	unlock, err := lockDir(ctx, dir)
	if err != nil {
		return nil, err
	}
	defer unlock()

	if s.DatabaseURL == "" {
		if s.DatabaseURL, s.postgres, err = ensurePrivatePostgres(ctx, o, dir, pg); err != nil {
			return nil, err
		}
	}
	if s.RedisURL == "" {
		if s.RedisURL, s.redis, err = ensurePrivateRedis(ctx, o, dir, redisServer); err != nil {
			return nil, errors.Join(err, s.Stop(ctx))
		}
	}
	return s, nil
}

// Stop stops the private servers this Services' Ensure started, and nothing
// else: servers it found running, configured or reused are left alone.
func (s *Services) Stop(ctx context.Context) error {
	var errs []error
	if s.redis != nil {
		if err := s.redis.stop(ctx, s.log); err != nil {
			errs = append(errs, err)
		} else {
			s.redis = nil
		}
	}
	if s.postgres != nil {
		if err := s.postgres.stop(ctx, s.log); err != nil {
			errs = append(errs, err)
		} else {
			s.postgres = nil
		}
	}
	return errors.Join(errs...)
}

// StopPrivate stops the private servers recorded under dir, whichever run
// started them; it is what `onward services stop` does. Servers that are not
// running are skipped.
func StopPrivate(ctx context.Context, dir string, log *slog.Logger) error {
	o := Options{Dir: dir, Log: log}.withDefaults()
	abs, err := filepath.Abs(o.Dir)
	if err != nil {
		return fmt.Errorf("state folder %s: %w", o.Dir, err)
	}
	var errs []error
	if r, ok := runningPrivateRedis(ctx, abs); ok {
		errs = append(errs, r.stop(ctx, o.Log))
	}
	p, err := runningPrivatePostgres(ctx, o, abs)
	switch {
	case err != nil:
		errs = append(errs, err)
	case p != nil:
		errs = append(errs, p.stop(ctx, o.Log))
	}
	return errors.Join(errs...)
}

func (o Options) withDefaults() Options {
	if o.Dir == "" {
		o.Dir = ".onward"
	}
	if o.DBName == "" {
		o.DBName = "onward"
	}
	if o.Log == nil {
		o.Log = slog.New(slog.DiscardHandler)
	}
	if o.lookPath == nil {
		o.lookPath = lookPath
	}
	if o.pgGlobs == nil {
		o.pgGlobs = serverproc.PostgresGlobs
	}
	return o
}

// installError names the exact commands that install what is missing.
func installError(missing []string) error {
	var what, apt, brew string
	switch {
	case len(missing) == 2:
		what, apt, brew = "PostgreSQL and Redis are", "postgresql redis-server", "postgresql@16 redis"
	case missing[0] == "PostgreSQL":
		what, apt, brew = "PostgreSQL is", "postgresql", "postgresql@16"
	default:
		what, apt, brew = "Redis is", "redis-server", "redis"
	}
	return fmt.Errorf("%s %w. On Debian/Ubuntu: sudo apt-get install -y %s   On macOS: brew install %s   (or set ONWARD_DATABASE_URL and ONWARD_REDIS_URL to servers you have)",
		what, ErrNotInstalled, apt, brew)
}
