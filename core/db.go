package core

import (
	"context"
	"embed"
	"errors"
	"fmt"
	"io/fs"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/jackc/tern/v2/migrate"
)

// DB is what core's queries need: satisfied by *pgxpool.Pool, *pgx.Conn and
// pgx.Tx, so one transaction can span several calls.
type DB interface {
	Exec(ctx context.Context, sql string, args ...any) (pgconn.CommandTag, error)
	Query(ctx context.Context, sql string, args ...any) (pgx.Rows, error)
	QueryRow(ctx context.Context, sql string, args ...any) pgx.Row
}

//go:embed migrations/*.sql
var migrationFiles embed.FS

// Migrations are the numbered SQL files that build the schema, embedded so
// the binary migrates itself. An applied migration is never edited.
func Migrations() fs.FS {
	sub, err := fs.Sub(migrationFiles, "migrations")
	if err != nil {
		panic(err) // the embed pattern above guarantees the folder exists
	}
	return sub
}

const versionTable = "schema_version"

// NewPool builds a pool on url without connecting: its first query
// connects. serve and worker use it to wait for a database that is not up
// yet; a URL that does not parse is an error at once.
func NewPool(url string) (*pgxpool.Pool, error) {
	cfg, err := pgxpool.ParseConfig(url)
	if err != nil {
		return nil, fmt.Errorf("parse database URL: %w", err)
	}
	pool, err := pgxpool.NewWithConfig(context.Background(), cfg)
	if err != nil {
		return nil, fmt.Errorf("open database pool: %w", err)
	}
	return pool, nil
}

// OpenPool connects to Postgres and checks it answers.
func OpenPool(ctx context.Context, url string) (*pgxpool.Pool, error) {
	pool, err := NewPool(url)
	if err != nil {
		return nil, err
	}
	if err := pool.Ping(ctx); err != nil {
		pool.Close()
		return nil, fmt.Errorf("database at %s does not answer: %w", redactURL(url), err)
	}
	return pool, nil
}

// Migrate applies every migration the database has not had yet and returns
// the schema version it ends at.
func Migrate(ctx context.Context, pool *pgxpool.Pool) (int32, error) {
	conn, err := pool.Acquire(ctx)
	if err != nil {
		return 0, fmt.Errorf("migrate: acquire connection: %w", err)
	}
	defer conn.Release()
	m, err := newMigrator(ctx, conn.Conn())
	if err != nil {
		return 0, err
	}
	if err := m.Migrate(ctx); err != nil {
		return 0, fmt.Errorf("migrate: %w", err)
	}
	if err := fillSchedules(ctx, conn.Conn()); err != nil {
		return 0, err
	}
	v, err := m.GetCurrentVersion(ctx)
	if err != nil {
		return 0, fmt.Errorf("migrate: read version: %w", err)
	}
	return v, nil
}

// ErrSchemaBehind means the database needs `onward migrate`.
var ErrSchemaBehind = errors.New("database schema is behind this binary; run `onward migrate`")

// ErrSchemaAhead means the database was migrated by a newer binary than
// this one, whose queries may no longer fit it: run the newer binary.
var ErrSchemaAhead = errors.New("database schema is newer than this binary; run the release that migrated it")

// CheckSchema returns nil when the database is at the newest migration this
// binary carries, and ErrSchemaBehind or ErrSchemaAhead (wrapped with both
// versions and the database it looked at, user@host:port/name, never the
// password) otherwise: serve and worker refuse to start on either, and an
// operator whose environment points at the wrong database sees which.
func CheckSchema(ctx context.Context, pool *pgxpool.Pool) error {
	want, err := migrate.FindMigrations(Migrations())
	if err != nil {
		return fmt.Errorf("check schema: %w", err)
	}
	db := connAddr(pool.Config().ConnConfig)
	var have int32
	err = pool.QueryRow(ctx, "SELECT version FROM "+versionTable).Scan(&have)
	if err != nil {
		var pgErr *pgconn.PgError
		if errors.As(err, &pgErr) && pgErr.Code == "42P01" { // undefined_table
			return fmt.Errorf("%w (database %s has no schema yet)", ErrSchemaBehind, db)
		}
		return fmt.Errorf("check schema: %w", err)
	}
	if int(have) < len(want) {
		return fmt.Errorf("%w (database %s at %d, binary at %d)", ErrSchemaBehind, db, have, len(want))
	}
	if int(have) > len(want) {
		return fmt.Errorf("%w (database %s at %d, binary at %d)", ErrSchemaAhead, db, have, len(want))
	}
	return nil
}

// SchemaVersion is the database's schema version: how many migrations it
// has had, 0 for a database with no schema yet.
func SchemaVersion(ctx context.Context, pool *pgxpool.Pool) (int32, error) {
	var have int32
	err := pool.QueryRow(ctx, "SELECT version FROM "+versionTable).Scan(&have)
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) && pgErr.Code == "42P01" { // undefined_table
		return 0, nil
	}
	if err != nil {
		return 0, fmt.Errorf("read schema version: %w", err)
	}
	return have, nil
}

func newMigrator(ctx context.Context, conn *pgx.Conn) (*migrate.Migrator, error) {
	m, err := migrate.NewMigrator(ctx, conn, versionTable)
	if err != nil {
		return nil, fmt.Errorf("migrate: %w", err)
	}
	if err := m.LoadMigrations(Migrations()); err != nil {
		return nil, fmt.Errorf("migrate: load migrations: %w", err)
	}
	return m, nil
}

// DatabaseAddr is where a connection URL points (user, host, port and
// database, never the password), for logs and error messages.
func DatabaseAddr(url string) string { return redactURL(url) }

// redactURL drops the password from a connection URL so it can be shown.
func redactURL(url string) string {
	cfg, err := pgx.ParseConfig(url)
	if err != nil {
		return "(unparseable URL)"
	}
	return connAddr(cfg)
}

// connAddr is where a connection goes, user@host:port/database, without
// the password.
func connAddr(cfg *pgx.ConnConfig) string {
	return fmt.Sprintf("%s@%s:%d/%s", cfg.User, cfg.Host, cfg.Port, cfg.Database)
}

// inTx runs fn in a transaction, committing when it returns nil.
func inTx(ctx context.Context, pool *pgxpool.Pool, fn func(pgx.Tx) error) error {
	return pgx.BeginFunc(ctx, pool, fn)
}

// collectRecord reads the one row rows hold into a T by column name: a
// missing row is ErrNotFound, and what names the record in any error
// ("service 12", "partner 3"), so every reader of one record by its key
// answers the same way.
func collectRecord[T any](rows pgx.Rows, what string) (T, error) {
	v, err := pgx.CollectExactlyOneRow(rows, pgx.RowToStructByName[T])
	if errors.Is(err, pgx.ErrNoRows) {
		err = ErrNotFound
	}
	if err != nil {
		var zero T
		return zero, fmt.Errorf("%s: %w", what, err)
	}
	return v, nil
}

// isUniqueViolation reports whether err is Postgres' unique_violation on the
// named constraint (any constraint when name is "").
func isUniqueViolation(err error, name string) bool {
	var pgErr *pgconn.PgError
	return errors.As(err, &pgErr) && pgErr.Code == "23505" && (name == "" || pgErr.ConstraintName == name)
}
