package main

import (
	"context"
	"errors"
	"fmt"
	"io"

	"github.com/onward-network/onward/core"
	"github.com/onward-network/onward/core/demo"
)

const demoUsage = `Usage: onward demo [--months N] [--seed N] [--history N]

Seed the database (ONWARD_DATABASE_URL) with the demo network: the
fictional Kingdom Advice Network, sixteen agencies with their directory
services and staff, leaflets, bank holidays, a consent wording, and months
of referral history in every status, ending now. Migrates first. Refuses a
database that already has a network. Client details are encrypted with
ONWARD_ENCRYPTION_KEY, so seed with the key the server will use.
` + "`make run`" + ` does this by itself on an empty database.

--history N adds N synthetic referrals over five years, in bulk, for
reports and their benchmark (a million take a few minutes): to the network
already in the database, or to the demo network seeded first.

Flags:
`

func init() {
	register(command{name: "demo", summary: "seed the fictional demo network and its referral history", run: runDemo})
	seedDemo = func(ctx context.Context, a *app, stdout io.Writer) error {
		ak, err := auditKey(a.cfg)
		if err != nil {
			return err
		}
		sum, err := demo.Seed(ctx, a.pool, a.crypt, demo.Options{PublicURL: a.cfg.PublicURL, AuditKey: ak}, stdout)
		if err != nil {
			return err
		}
		fmt.Fprintln(stdout, sum)
		return nil
	}
}

func runDemo(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("demo", demoUsage, stdout, stderr)
	months := fs.Int("months", 4, "months of referral history, 1 to 24")
	seed := fs.Int64("seed", 0, "random seed: the same seed on the same day gives the same network")
	history := fs.Int("history", 0, "add `N` synthetic referrals over five years (no events: for reports and their benchmark)")
	if err := onlyFlags(fs, args, demoUsage); err != nil {
		return err
	}
	cfg, err := loadDBConfig()
	if err != nil {
		return err
	}
	if cfg.EncryptionKey == "" {
		return errors.New("ONWARD_ENCRYPTION_KEY is not set: set it to the key the server uses (`onward keygen` makes one), or use `make run`, which keeps a dev key and seeds the demo network itself")
	}
	crypt, err := newCrypter(cfg)
	if err != nil {
		return err
	}
	pool, err := core.OpenPool(ctx, cfg.DatabaseURL) // not openDB: it migrates the schema itself
	if err != nil {
		return err
	}
	defer pool.Close()
	if _, err := core.Migrate(ctx, pool); err != nil {
		return err
	}
	if *history > 0 {
		return demo.History(ctx, pool, crypt, demo.HistoryOptions{N: *history, Seed: *seed, PublicURL: cfg.PublicURL,
			SeedMonths: *months}, stderr)
	}
	ak, err := auditKey(cfg)
	if err != nil {
		return err
	}
	sum, err := demo.Seed(ctx, pool, crypt, demo.Options{PublicURL: cfg.PublicURL, Months: *months, Seed: *seed, AuditKey: ak}, stdout)
	if err != nil {
		return err
	}
	fmt.Fprintln(stdout, sum)
	return nil
}
