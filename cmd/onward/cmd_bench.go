package main

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net/url"
	"os"
	"runtime/pprof"
	"slices"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/onward-network/onward/core"
)

const benchUsage = `Usage: onward bench <name>|all

Run a benchmark against the configured PostgreSQL (ONWARD_DATABASE_URL) and
Redis, in a fresh database that is dropped afterwards. Each prints one
summary line last. Benchmarks:
`

type bench struct {
	name string
	run  func(ctx context.Context, stdout io.Writer) error
}

var benches []bench

// registerBench adds a benchmark; each cmd_bench_*.go file registers its own.
func registerBench(name string, run func(ctx context.Context, stdout io.Writer) error) {
	benches = append(benches, bench{name: name, run: run})
}

func init() {
	register(command{name: "bench", summary: "run benchmarks (core, sms, slack, notify, reports, all)", run: runBench})
}

func runBench(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	names := make([]string, 0, len(benches))
	for _, b := range benches {
		names = append(names, b.name)
	}
	slices.Sort(names)
	fs := newFlags("bench", benchUsage+"  "+strings.Join(names, ", ")+"\n\nFlags:\n", stdout, stderr)
	cpuProfile := fs.String("cpuprofile", "", "write a CPU profile of this process to `file`")
	if err := fs.Parse(args); err != nil {
		return err
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

// percentile returns the p-th percentile (0–100) of sorted durations.
func percentile(sorted []time.Duration, p float64) time.Duration {
	if len(sorted) == 0 {
		return 0
	}
	i := int(float64(len(sorted)-1) * p / 100)
	return sorted[i]
}

func ms(d time.Duration) string { return fmt.Sprintf("%.1f", float64(d)/float64(time.Millisecond)) }
