package core_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/onward-network/onward/core"
	"github.com/onward-network/onward/core/coretest"
)

// pipeTxPool is a one-connection pool on a fresh database with a table of
// keys: with one connection, a transaction left open would show in the
// next test step.
func pipeTxPool(t *testing.T) *pgxpool.Pool {
	t.Helper()
	cfg, err := pgxpool.ParseConfig(coretest.NewDatabase(t))
	if err != nil {
		t.Fatal(err)
	}
	cfg.MaxConns = 1
	pool, err := pgxpool.NewWithConfig(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(pool.Close)
	if _, err := pool.Exec(context.Background(), `CREATE TABLE pipe_keys (k text PRIMARY KEY)`); err != nil {
		t.Fatal(err)
	}
	return pool
}

func pipeKeys(t *testing.T, pool *pgxpool.Pool) string {
	t.Helper()
	var got string
	if err := pool.QueryRow(context.Background(), `SELECT coalesce(string_agg(k, ',' ORDER BY k), '') FROM pipe_keys`).Scan(&got); err != nil {
		t.Fatal(err)
	}
	return got
}

func keysBatch(keys ...string) *pgx.Batch {
	b := &pgx.Batch{}
	for _, k := range keys {
		b.Queue(`INSERT INTO pipe_keys (k) VALUES ($1)`, k)
	}
	return b
}

// TestPipelinedTx checks the transaction that sends its BEGIN with its
// first statement and its COMMIT with its last batch: it commits all or
// nothing whichever statement fails, keeps its statements in order, and
// leaves the connection outside any transaction and in the pool.
func TestPipelinedTx(t *testing.T) {
	t.Parallel()
	pool := pipeTxPool(t)
	ctx := context.Background()
	steps := []struct {
		name    string
		fn      func(pgx.Tx) error
		wantErr string // "" for a commit
		want    string // the table afterwards
	}{
		{"first statement, then the last batch", func(tx pgx.Tx) error {
			var n int
			if err := tx.QueryRow(ctx, `SELECT count(*) FROM pipe_keys`).Scan(&n); err != nil || n != 0 {
				return errors.Join(err, errors.New("the table is not empty"))
			}
			if _, err := tx.Exec(ctx, `INSERT INTO pipe_keys (k) VALUES ('a')`); err != nil {
				return err
			}
			return core.SendWithNext(ctx, tx, keysBatch("b", "c"))
		}, "", "a,b,c"},
		{"the last batch fails: nothing stays", func(tx pgx.Tx) error {
			if _, err := tx.Exec(ctx, `INSERT INTO pipe_keys (k) VALUES ('d')`); err != nil {
				return err
			}
			return core.SendWithNext(ctx, tx, keysBatch("e", "a"))
		}, "duplicate key", "a,b,c"},
		{"the first statement fails", func(tx pgx.Tx) error {
			_, err := tx.Exec(ctx, `INSERT INTO pipe_keys (k) VALUES ('b')`)
			return err
		}, "duplicate key", "a,b,c"},
		{"the work refuses after writing", func(tx pgx.Tx) error {
			if _, err := tx.Exec(ctx, `INSERT INTO pipe_keys (k) VALUES ('f')`); err != nil {
				return err
			}
			if err := core.SendWithNext(ctx, tx, keysBatch("g")); err != nil {
				return err
			}
			return errors.New("refused")
		}, "refused", "a,b,c"},
		{"a statement after the last batch sees it", func(tx pgx.Tx) error {
			if err := core.SendWithNext(ctx, tx, keysBatch("h")); err != nil {
				return err
			}
			rows, err := tx.Query(ctx, `SELECT k FROM pipe_keys WHERE k = 'h'`)
			if err != nil {
				return err
			}
			got, err := pgx.CollectRows(rows, pgx.RowTo[string])
			if err != nil {
				return err
			}
			if len(got) != 1 {
				return errors.New("the queued insert had not run before the query after it")
			}
			return core.SendWithNext(ctx, tx, keysBatch("i"))
		}, "", "a,b,c,h,i"},
		{"a read waiting for the next statement is answered with it", func(tx pgx.Tx) error {
			ahead := &pgx.Batch{}
			n := -1
			ahead.Queue(`SELECT count(*) FROM pipe_keys`).QueryRow(func(row pgx.Row) error { return row.Scan(&n) })
			if err := core.SendWithNext(ctx, tx, ahead); err != nil {
				return err
			}
			if n != -1 {
				return errors.New("the read went before the statement it waits for")
			}
			if _, err := tx.Exec(ctx, `INSERT INTO pipe_keys (k) VALUES ('g')`); err != nil {
				return err
			}
			if n != 5 {
				return fmt.Errorf("the read counted %d keys, want the 5 before the insert", n)
			}
			return nil
		}, "", "a,b,c,g,h,i"},
		{"a callback refusing at the end still rolls back", func(tx pgx.Tx) error {
			b := keysBatch("k")
			b.Queue(`SELECT 1`).QueryRow(func(pgx.Row) error { return errors.New("refused by a callback") })
			return core.SendWithNext(ctx, tx, b)
		}, "refused by a callback", "a,b,c,g,h,i"},
		{"only a last batch", func(tx pgx.Tx) error {
			return core.SendWithNext(ctx, tx, keysBatch("j"))
		}, "", "a,b,c,g,h,i,j"},
		{"nothing at all", func(pgx.Tx) error { return nil }, "", "a,b,c,g,h,i,j"},
		{"no savepoints", func(tx pgx.Tx) error {
			_, err := tx.Begin(ctx)
			return err
		}, "no savepoints", "a,b,c,g,h,i,j"},
	}
	for _, s := range steps {
		err := core.InPipelinedTx(ctx, pool, s.fn)
		switch {
		case s.wantErr == "" && err != nil:
			t.Fatalf("%s: %v", s.name, err)
		case s.wantErr != "" && (err == nil || !strings.Contains(err.Error(), s.wantErr)):
			t.Fatalf("%s: error %v, want one saying %q", s.name, err, s.wantErr)
		}
		if got := pipeKeys(t, pool); got != s.want {
			t.Fatalf("%s: table holds %q, want %q", s.name, got, s.want)
		}
		// The pool's one connection must be back outside a transaction.
		c, err := pool.Acquire(ctx)
		if err != nil {
			t.Fatal(err)
		}
		status := c.Conn().PgConn().TxStatus()
		c.Release()
		if status != 'I' {
			t.Fatalf("%s: connection left in transaction status %q", s.name, status)
		}
		// A refused transaction is rolled back, not dropped with its
		// connection: the pool keeps the one it opened.
		if n := pool.Stat().NewConnsCount(); n != 1 {
			t.Fatalf("%s: the pool has opened %d connections, want 1", s.name, n)
		}
	}
}

// TestPipelinedTxPanic checks a panic in the work rolls back and goes on
// up.
func TestPipelinedTxPanic(t *testing.T) {
	t.Parallel()
	pool := pipeTxPool(t)
	ctx := context.Background()
	func() {
		defer func() {
			if v := recover(); v != "boom" {
				t.Fatalf("recovered %v, want the work's own panic", v)
			}
		}()
		_ = core.InPipelinedTx(ctx, pool, func(tx pgx.Tx) error {
			if _, err := tx.Exec(ctx, `INSERT INTO pipe_keys (k) VALUES ('p')`); err != nil {
				return err
			}
			panic("boom")
		})
	}()
	if got := pipeKeys(t, pool); got != "" {
		t.Fatalf("table holds %q after a panic, want nothing", got)
	}
}

// TestPipelinedTxQueryOnALostConnection: a query whose connection is gone
// (PostgreSQL shutting down, a backend terminated) returns rows that
// carry the error, as pgx's own Query does, so code reading them the way
// pgx documents (rows, _ := tx.Query(…); pgx.CollectRows(rows, …)) gets
// the error rather than a nil pointer.
func TestPipelinedTxQueryOnALostConnection(t *testing.T) {
	t.Parallel()
	pool := pipeTxPool(t)
	ctx := context.Background()
	killer, err := pgx.Connect(ctx, pool.Config().ConnString())
	if err != nil {
		t.Fatal(err)
	}
	defer killer.Close(ctx)
	err = core.InPipelinedTx(ctx, pool, func(tx pgx.Tx) error {
		if _, err := killer.Exec(ctx, `SELECT pg_terminate_backend($1)`, tx.Conn().PgConn().PID()); err != nil {
			t.Fatal(err)
		}
		rows, qerr := tx.Query(ctx, `SELECT k FROM pipe_keys`)
		if rows == nil {
			t.Fatalf("Query on a lost connection returned nil rows (error %v)", qerr)
		}
		keys, err := pgx.CollectRows(rows, pgx.RowTo[string])
		if err == nil {
			t.Fatalf("rows from a lost connection read as %q, want an error", keys)
		}
		var k string
		if rerr := tx.QueryRow(ctx, `SELECT k FROM pipe_keys`).Scan(&k); rerr == nil || errors.Is(rerr, pgx.ErrNoRows) {
			t.Fatalf("a row from a lost connection: %v, want the connection's error", rerr)
		}
		return err
	})
	if err == nil {
		t.Fatal("the transaction on a lost connection committed")
	}
}
