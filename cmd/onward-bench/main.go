// Command onward-bench runs Onward's benchmarks against the configured
// PostgreSQL (ONWARD_DATABASE_URL) and Redis (ONWARD_REDIS_URL). It is a
// command of its own so that the onward binary links none of what the
// benchmarks stand on (the seeded test network, the fake providers).
// Each benchmark prints one summary line last; `make bench` runs them all.
package main

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/url"
	"os"
	"os/signal"
	"runtime"
	"runtime/pprof"
	"slices"
	"strings"
	"syscall"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/onward-network/onward/core"
	"github.com/onward-network/onward/core/config"
)

const benchUsage = `Usage: onward-bench [--cpuprofile FILE] <name>|all

Run a benchmark against the configured PostgreSQL (ONWARD_DATABASE_URL) and
Redis (ONWARD_REDIS_URL), in a fresh database that is dropped afterwards.
Each prints one summary line last. Benchmarks:
`

type bench struct {
	name string
	run  func(ctx context.Context, stdout io.Writer) error
}

var benches []bench

// registerBench adds a benchmark; each file registers its own.
func registerBench(name string, run func(ctx context.Context, stdout io.Writer) error) {
	benches = append(benches, bench{name: name, run: run})
}

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	err := runBench(ctx, os.Args[1:], os.Stdout, os.Stderr)
	switch {
	case err == nil, errors.Is(err, flag.ErrHelp):
	default:
		fmt.Fprintln(os.Stderr, "onward-bench: "+strings.Join(strings.Fields(err.Error()), " "))
		os.Exit(1)
	}
}

func runBench(ctx context.Context, args []string, stdout, stderr io.Writer) (err error) {
	names := make([]string, 0, len(benches))
	for _, b := range benches {
		names = append(names, b.name)
	}
	slices.Sort(names)
	fs := flag.NewFlagSet("onward-bench", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprint(stdout, benchUsage+"  "+strings.Join(names, ", ")+"\n\nFlags:\n")
		fs.SetOutput(stdout)
		fs.PrintDefaults()
	}
	cpuProfile := fs.String("cpuprofile", "", "write a CPU profile of this process to `file`")
	memProfile := fs.String("memprofile", "", "write the allocations of this process, when the benchmark ends, to `file`")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *memProfile != "" {
		runtime.MemProfileRate = 64 << 10 // every 64 KiB allocated, not 512: a request allocates a few KiB
		defer func() {
			if werr := writeHeapProfile(*memProfile); werr != nil && err == nil {
				err = werr
			}
		}()
	}
	if *cpuProfile != "" {
		f, err := os.Create(*cpuProfile)
		if err != nil {
			return err
		}
		defer f.Close()
		if err := pprof.StartCPUProfile(f); err != nil {
			return err
		}
		defer pprof.StopCPUProfile()
	}
	if fs.NArg() != 1 {
		fs.Usage()
		return errors.New("name one benchmark, or all")
	}
	want := fs.Arg(0)
	ran := false
	for _, name := range names {
		if want != "all" && want != name {
			continue
		}
		for _, b := range benches {
			if b.name == name {
				ran = true
				if err := b.run(ctx, stdout); err != nil {
					return fmt.Errorf("bench %s: %w", name, err)
				}
			}
		}
	}
	if !ran {
		return fmt.Errorf("no benchmark named %q; there are: %s", want, strings.Join(names, ", "))
	}
	return nil
}

// writeHeapProfile writes the allocations profile to path.
func writeHeapProfile(path string) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	if err := pprof.Lookup("allocs").WriteTo(f, 0); err != nil {
		f.Close()
		return fmt.Errorf("write %s: %w", path, err)
	}
	return f.Close()
}

// loadDBConfig reads where PostgreSQL and Redis are: the benchmarks need
// nothing else from the configuration.
func loadDBConfig() (config.Config, error) {
	return config.Load(os.Getenv)
}

// benchDatabase creates a fresh, migrated database on the configured
// server for one benchmark and returns its URL and a function dropping it.
func benchDatabase(ctx context.Context) (string, func(), error) {
	cfg, err := loadDBConfig()
	if err != nil {
		return "", nil, err
	}
	admin, err := pgx.Connect(ctx, cfg.DatabaseURL)
	if err != nil {
		return "", nil, fmt.Errorf("connect to %s: %w", "ONWARD_DATABASE_URL", err)
	}
	b := make([]byte, 5)
	_, _ = rand.Read(b)
	name := "onward_bench_" + hex.EncodeToString(b)
	if _, err := admin.Exec(ctx, "CREATE DATABASE "+name); err != nil {
		admin.Close(ctx)
		return "", nil, fmt.Errorf("create bench database: %w", err)
	}
	u, err := url.Parse(cfg.DatabaseURL)
	if err != nil {
		admin.Close(ctx)
		return "", nil, fmt.Errorf("ONWARD_DATABASE_URL must be a URL for benchmarks: %w", err)
	}
	u.Path = "/" + name
	drop := func() {
		c, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		_, _ = admin.Exec(c, "DROP DATABASE IF EXISTS "+name+" WITH (FORCE)")
		admin.Close(c)
	}
	pool, err := pgxpool.New(ctx, u.String())
	if err != nil {
		drop()
		return "", nil, err
	}
	_, err = core.Migrate(ctx, pool)
	pool.Close()
	if err != nil {
		drop()
		return "", nil, err
	}
	return u.String(), drop, nil
}

// benchPoolConfig creates a fresh, migrated database for one benchmark
// and returns a pool config for it with maxConns connections, and the
// function that drops the database.
func benchPoolConfig(ctx context.Context, maxConns int32) (*pgxpool.Config, func(), error) {
	dbURL, drop, err := benchDatabase(ctx)
	if err != nil {
		return nil, nil, err
	}
	cfg, err := pgxpool.ParseConfig(dbURL)
	if err != nil {
		drop()
		return nil, nil, err
	}
	cfg.MaxConns = maxConns
	return cfg, drop, nil
}

// percentile returns the p-th percentile (0–100) of sorted durations.
func percentile(sorted []time.Duration, p float64) time.Duration {
	if len(sorted) == 0 {
		return 0
	}
	i := int(float64(len(sorted)-1) * p / 100)
	return sorted[i]
}

func ms(d time.Duration) string { return fmt.Sprintf("%.1f", float64(d)/float64(time.Millisecond)) }
