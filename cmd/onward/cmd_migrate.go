package main

import (
	"context"
	"fmt"
	"io"
)

const migrateUsage = `Usage: onward migrate

Apply every database migration this binary carries that the database
(ONWARD_DATABASE_URL) has not had yet. Safe to run again.
`

func init() {
	register(command{name: "migrate", summary: "apply database migrations", run: runMigrate})
}

func runMigrate(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("migrate", migrateUsage, stdout, stderr)
	if err := fs.Parse(args); err != nil {
		return err
	}
	cfg, err := loadDBConfig()
	if err != nil {
		return err
	}
	pool, err := openDB(ctx, cfg)
	if err != nil {
		return err
	}
	defer pool.Close()
	v, err := migrateDB(ctx, pool)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "database at schema version %d\n", v)
	return nil
}
