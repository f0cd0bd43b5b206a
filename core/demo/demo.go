// Package demo seeds a realistic, entirely fictional advice network so a
// fresh install shows a living product: the Kingdom Advice Network, sixteen
// agencies of a Scottish council area with their directory services and
// staff, leaflets, bank holidays, a consent wording, and a few months of
// referral history in every status.
//
// History is made through the real engine, on a clock the seeder moves
// forward, so every event, consent record and outbox row is the one the
// product would have written; the audit log's hash chain holds. Outbox
// rows of the history are marked as already delivered, except those of the
// last hour's referrals, which the worker then delivers for real.
package demo

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"strings"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/onward-network/onward/core"
)

// Options shape the demo network.
type Options struct {
	// PublicURL is where Onward is served; the directory and data sharing
	// links in the network settings and consent wording point under it.
	PublicURL string
	// Months of referral history to create; 0 means 4.
	Months int
	// Seed makes the random choices repeatable: the same seed and Now give
	// the same network and history.
	Seed int64
	// Now is where history ends; zero means the real current time.
	Now time.Time
	// AuditKey chains the seeded events with the deployment's
	// ONWARD_AUDIT_KEY; zero means core's stand-in key (dev and tests).
	AuditKey core.AuditKey
}

// ErrNotEmpty means the database already holds a network: the demo seeds
// only an empty database, so it can never mix invented referrals with
// real ones.
var ErrNotEmpty = errors.New("the database already has a network set up; the demo network is only seeded into an empty database (drop and re-create the database to start again)")

// recentWindow is how far back from Now a referral counts as recent: its
// outbox rows are left for the worker to deliver.
const recentWindow = time.Hour

const sqlHasNetwork = `SELECT EXISTS (SELECT 1 FROM network_settings) OR EXISTS (SELECT 1 FROM agencies)`

// Seed writes the demo network and its history into an empty, migrated
// database, printing a line of progress to log now and then. It refuses a
// database that already has a network with ErrNotEmpty.
func Seed(ctx context.Context, pool *pgxpool.Pool, crypt *core.Crypter, opts Options, log io.Writer) (Summary, error) {
	if opts.Months == 0 {
		opts.Months = 4
	}
	if opts.Months < 1 || opts.Months > 24 {
		return Summary{}, fmt.Errorf("demo history must be 1 to 24 months, not %d", opts.Months)
	}
	if opts.Now.IsZero() {
		opts.Now = time.Now()
	}
	opts.Now = opts.Now.UTC().Truncate(time.Microsecond)
	if log == nil {
		log = io.Discard
	}

	var has bool
	if err := pool.QueryRow(ctx, sqlHasNetwork).Scan(&has); err != nil {
		return Summary{}, fmt.Errorf("check the database is empty: %w", err)
	}
	if has {
		return Summary{}, ErrNotEmpty
	}

	// Seeding writes a few thousand small transactions. Not waiting for
	// each commit to reach disk makes it several times faster; a crash part
	// way loses only demo data, and the refusal above tells the user to
	// start again.
	cfg := pool.Config()
	if cfg.ConnConfig.RuntimeParams == nil {
		cfg.ConnConfig.RuntimeParams = map[string]string{}
	}
	cfg.ConnConfig.RuntimeParams["synchronous_commit"] = "off"
	cfg.MaxConns = 4
	seedPool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return Summary{}, fmt.Errorf("connect for seeding: %w", err)
	}
	defer seedPool.Close()

	start := opts.Now.AddDate(0, -opts.Months, 0)
	clk := &clock{now: start.AddDate(0, 0, -21).Truncate(time.Microsecond)}
	rng := rand.New(rand.NewPCG(uint64(opts.Seed), 0x6b696e67646f6d)) //nolint:gosec // demo data, not security
	refs := &ids{rng: rand.New(rand.NewPCG(uint64(opts.Seed), 0x7265667321))}
	eng := core.NewEngine(seedPool, crypt, clk, refs, slog.New(slog.NewTextHandler(log, &slog.HandlerOptions{Level: slog.LevelWarn})))
	eng.UseAuditKey(opts.AuditKey)
	defer eng.Close()

	net, err := seedNetwork(ctx, eng, seedPool, opts, start)
	if err != nil {
		return Summary{}, fmt.Errorf("seed the demo network (drop and re-create the database before trying again): %w", err)
	}
	if _, err := eng.ImportPostcodes(ctx, strings.NewReader(postcodes)); err != nil {
		return Summary{}, fmt.Errorf("seed the demo postcodes: %w", err)
	}
	if _, err := eng.ImportWardNames(ctx, strings.NewReader(wardNames)); err != nil {
		return Summary{}, fmt.Errorf("seed the demo ward names: %w", err)
	}
	if _, err := eng.ImportBoundaries(ctx, []byte(boundaries)); err != nil {
		return Summary{}, fmt.Errorf("seed the demo boundaries: %w", err)
	}
	fmt.Fprintf(log, "demo: %s with %d agencies; writing %d months of referral history…\n", networkName, len(net.agencies), opts.Months)

	s := newSim(ctx, eng, clk, rng, net, start, opts.Now)
	if err := s.run(); err != nil {
		return Summary{}, fmt.Errorf("seed the demo history (drop and re-create the database before trying again): %w", err)
	}
	clk.set(opts.Now)
	// The history's messages count as delivered, so the worker does not
	// post hundreds of old cards and texts when it starts.
	cutoff := opts.Now.Add(-recentWindow)
	if err := eng.Outbox().MarkHistorySent(ctx, cutoff, cutoff.Add(recentWindow)); err != nil {
		return Summary{}, err
	}
	return summarise(ctx, seedPool, start, opts.Now)
}
