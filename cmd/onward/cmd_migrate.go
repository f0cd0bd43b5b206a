package main

import (
	"context"
	"errors"
	"fmt"
	"io"

	"github.com/jackc/pgx/v5"

	"github.com/onward-network/onward/core"
)

const migrateUsage = `Usage: onward migrate

Apply every database migration this binary carries that the database has
not had yet. Safe to run again.

With ONWARD_MIGRATE_DATABASE_URL set, migrations run as that role (the
schema's owner), and the server's role in ONWARD_DATABASE_URL is then
granted only what it needs: it may read and append to the audit log but
not change it, empty it or switch its guards off.
`

func init() {
	register(command{name: "migrate", summary: "apply database migrations", run: runMigrate})
}

func runMigrate(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("migrate", migrateUsage, stdout, stderr)
	if err := onlyFlags(fs, args, migrateUsage); err != nil {
		return err
	}
	cfg, err := loadDBConfig()
	if err != nil {
		return err
	}
	pool, err := core.OpenPool(ctx, cfg.MigrateURL())
	if err != nil {
		return err
	}
	defer pool.Close()
	// A database migrated by a newer release is not this binary's to
	// touch: say so as serve does, naming both versions.
	if err := core.CheckSchema(ctx, pool); errors.Is(err, core.ErrSchemaAhead) {
		return err
	}
	from, err := core.SchemaVersion(ctx, pool)
	if err != nil {
		return err
	}
	v, err := migrateDB(ctx, pool)
	if err != nil {
		return err
	}
	db := core.DatabaseAddr(cfg.MigrateURL())
	if v == from {
		fmt.Fprintf(stdout, "database %s already at schema version %d: no migration to apply\n", db, v)
	} else {
		fmt.Fprintf(stdout, "database %s: applied %s, from schema version %d to %d\n", db, plural(int(v-from), "migration"), from, v)
	}
	if cfg.MigrateDatabaseURL == "" {
		return nil
	}
	owner, err := pgx.ParseConfig(cfg.MigrateDatabaseURL)
	if err != nil {
		return fmt.Errorf("ONWARD_MIGRATE_DATABASE_URL: %w", err)
	}
	server, err := pgx.ParseConfig(cfg.DatabaseURL)
	if err != nil {
		return fmt.Errorf("ONWARD_DATABASE_URL: %w", err)
	}
	if server.User == owner.User {
		return nil
	}
	if err := core.GrantAppRole(ctx, pool, server.User); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "the server's role %s may read and append to the audit log, not change it\n", server.User)
	return nil
}
