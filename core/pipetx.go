package core

import (
	"context"
	"errors"
	"fmt"
	"slices"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgtype"
	"github.com/jackc/pgx/v5/pgxpool"
)

// pipeTx is a transaction that sends its BEGIN with its first statement
// and its COMMIT with its last batch, where pgx.BeginFunc spends a round
// trip on each: a referral's creation or change of status is a few
// statements, and two round trips fewer is a tenth of its cost. What the
// transaction hands to sendWithNext waits to go with its next statement
// or its COMMIT, so a read whose answer is not needed at once (the
// directory, to route a self-referral) shares a round trip too.
// PostgreSQL sees the same transaction; only the messages travel
// together. A statement that fails in a pipeline makes PostgreSQL skip
// the rest of it, the COMMIT included, and inPipelinedTx then rolls back.
//
// pgx's own Batch.BeginTx saves the BEGIN's round trip but has no way to
// send the COMMIT with a batch, so this type does both. It is the
// engine's own: it supports what the engine's transactions use
// (statements, batches, COPY) and refuses savepoints.
type pipeTx struct {
	conn   *pgx.Conn
	begun  bool       // BEGIN has been sent
	last   *pgx.Batch // statements waiting to go with the next statement or the COMMIT
	closed bool
}

var _ pgx.Tx = (*pipeTx)(nil)

// errSavepoint refuses a nested transaction inside a pipelined one.
var errSavepoint = errors.New("a pipelined transaction has no savepoints")

// inPipelinedTx runs fn in a pipelined transaction, committing when it
// returns nil and rolling back otherwise, as pgx.BeginFunc does.
func inPipelinedTx(ctx context.Context, pool *pgxpool.Pool, fn func(pgx.Tx) error) (err error) {
	c, err := pool.Acquire(ctx)
	if err != nil {
		return fmt.Errorf("begin: %w", err)
	}
	// A connection left inside a transaction (a failed rollback) is
	// closed by the pool rather than handed on.
	defer c.Release()
	tx := &pipeTx{conn: c.Conn()}
	defer func() {
		if v := recover(); v != nil {
			_ = tx.Rollback(context.WithoutCancel(ctx))
			panic(v)
		}
		if err != nil {
			_ = tx.Rollback(context.WithoutCancel(ctx))
		}
	}()
	if err := fn(tx); err != nil {
		return err
	}
	return tx.Commit(ctx)
}

// sendWithNext sends b in tx: in a pipelined transaction it waits to
// travel with the next statement or the COMMIT, whichever comes first
// (its callbacks run then), elsewhere it goes at once.
func sendWithNext(ctx context.Context, tx pgx.Tx, b *pgx.Batch) error {
	if p, ok := tx.(*pipeTx); ok && !p.closed && b.Len() > 0 {
		if p.last == nil {
			p.last = &pgx.Batch{}
		}
		p.last.QueuedQueries = append(p.last.QueuedQueries, b.QueuedQueries...)
		return nil
	}
	return sendBatch(ctx, tx, b)
}

// ready reports whether a statement can go straight to the connection:
// BEGIN has been sent and nothing waits to go before it.
func (t *pipeTx) ready() bool { return t.begun && t.last == nil }

// send sends b after what must precede it (BEGIN, if it has not been
// sent, then what waits), and reads the results of those: the
// BatchResults returned answers b's own statements.
func (t *pipeTx) send(ctx context.Context, b *pgx.Batch) (pgx.BatchResults, error) {
	if t.closed {
		return nil, pgx.ErrTxClosed
	}
	if t.ready() {
		return t.conn.SendBatch(ctx, b), nil
	}
	before := &pgx.Batch{}
	if !t.begun {
		before.Queue("BEGIN")
	}
	if t.last != nil {
		before.QueuedQueries = append(before.QueuedQueries, t.last.QueuedQueries...)
		t.last = nil
	}
	waiting := before.QueuedQueries
	all := &pgx.Batch{QueuedQueries: append(slices.Clip(waiting), b.QueuedQueries...)}
	br := t.conn.SendBatch(ctx, all)
	t.begun = true
	for _, q := range waiting {
		var err error
		if q.Fn != nil {
			err = q.Fn(br)
		} else {
			_, err = br.Exec()
		}
		if err != nil {
			_ = br.Close()
			return nil, fmt.Errorf("write queued statements: %w", err)
		}
	}
	return br, nil
}

// sendOne sends one statement with what must precede it.
func (t *pipeTx) sendOne(ctx context.Context, sql string, args []any) (pgx.BatchResults, error) {
	b := &pgx.Batch{}
	b.Queue(sql, args...)
	return t.send(ctx, b)
}

// Begin refuses: the engine's pipelined transactions need no savepoints.
func (t *pipeTx) Begin(context.Context) (pgx.Tx, error) { return nil, errSavepoint }

// Commit sends what waits for the commit with the COMMIT itself.
func (t *pipeTx) Commit(ctx context.Context) error {
	if t.closed {
		return pgx.ErrTxClosed
	}
	if !t.begun && t.last == nil {
		t.closed = true // nothing was written
		return nil
	}
	// A callback runs after PostgreSQL has answered, and so after a
	// COMMIT sent with it: statements with callbacks go first, alone, so
	// a callback's refusal can still roll back.
	if t.last != nil && slices.ContainsFunc(t.last.QueuedQueries, func(q *pgx.QueuedQuery) bool { return q.Fn != nil }) {
		if err := t.begin(ctx); err != nil {
			return err
		}
	}
	b := &pgx.Batch{}
	b.Queue("COMMIT").Exec(func(tag pgconn.CommandTag) error {
		if tag.String() != "COMMIT" {
			return pgx.ErrTxCommitRollback
		}
		return nil
	})
	br, err := t.send(ctx, b)
	if err == nil {
		err = br.Close()
	}
	if err != nil {
		return fmt.Errorf("commit: %w", err)
	}
	t.closed = true
	return nil
}

// Rollback rolls back what was begun; safe to call after Commit.
func (t *pipeTx) Rollback(ctx context.Context) error {
	if t.closed {
		return pgx.ErrTxClosed
	}
	t.closed, t.last = true, nil
	if !t.begun || t.conn.PgConn().TxStatus() == 'I' {
		return nil
	}
	if _, err := t.conn.Exec(ctx, "ROLLBACK"); err != nil {
		// The pool will not hand on a connection left in a transaction.
		_ = t.conn.Close(ctx)
		return fmt.Errorf("rollback: %w", err)
	}
	return nil
}

// begin sends BEGIN and what waits, alone, for what cannot travel with it.
func (t *pipeTx) begin(ctx context.Context) error {
	if t.ready() {
		return nil
	}
	br, err := t.send(ctx, &pgx.Batch{})
	if err != nil {
		return err
	}
	return br.Close()
}

// CopyFrom copies rows inside the transaction.
func (t *pipeTx) CopyFrom(ctx context.Context, table pgx.Identifier, columns []string, src pgx.CopyFromSource) (int64, error) {
	if err := t.begin(ctx); err != nil {
		return 0, err
	}
	return t.conn.CopyFrom(ctx, table, columns, src)
}

// SendBatch sends b in the transaction.
func (t *pipeTx) SendBatch(ctx context.Context, b *pgx.Batch) pgx.BatchResults {
	br, err := t.send(ctx, b)
	if err != nil {
		return pgx.FailedBatchResults(b, err)
	}
	return br
}

// LargeObjects is not supported: the engine stores none.
func (t *pipeTx) LargeObjects() pgx.LargeObjects { return pgx.LargeObjects{} }

// Prepare prepares a statement on the transaction's connection.
func (t *pipeTx) Prepare(ctx context.Context, name, sql string) (*pgconn.StatementDescription, error) {
	if t.closed {
		return nil, pgx.ErrTxClosed
	}
	return t.conn.Prepare(ctx, name, sql)
}

// Exec runs a statement in the transaction.
func (t *pipeTx) Exec(ctx context.Context, sql string, args ...any) (pgconn.CommandTag, error) {
	if t.ready() && !t.closed {
		return t.conn.Exec(ctx, sql, args...)
	}
	br, err := t.sendOne(ctx, sql, args)
	if err != nil {
		return pgconn.CommandTag{}, err
	}
	tag, err := br.Exec()
	if cerr := br.Close(); err == nil {
		err = cerr
	}
	return tag, err
}

// Query runs a query in the transaction.
//
// As pgx's own Query, it never returns nil rows: on failure the rows
// carry the error too, since the engine reads them the way pgx's
// documentation shows (rows, _ := tx.Query(…); pgx.CollectRows(rows, …)),
// leaving the error to the collector.
func (t *pipeTx) Query(ctx context.Context, sql string, args ...any) (pgx.Rows, error) {
	if t.ready() && !t.closed {
		return t.conn.Query(ctx, sql, args...)
	}
	br, err := t.sendOne(ctx, sql, args)
	if err != nil {
		return errRows{err}, err
	}
	rows, err := br.Query()
	if err != nil {
		_ = br.Close()
		return errRows{err}, err
	}
	return &batchRows{Rows: rows, br: br}, nil
}

// QueryRow runs a query for one row in the transaction.
func (t *pipeTx) QueryRow(ctx context.Context, sql string, args ...any) pgx.Row {
	rows, _ := t.Query(ctx, sql, args...) // rows that failed carry the error
	return oneRow{rows}
}

// Conn is the transaction's connection.
func (t *pipeTx) Conn() *pgx.Conn { return t.conn }

// batchRows are a query's rows read from a batch, which closes with them.
type batchRows struct {
	pgx.Rows
	br       pgx.BatchResults
	closeErr error
	done     bool
}

func (r *batchRows) Next() bool {
	if r.Rows.Next() {
		return true
	}
	r.Close()
	return false
}

func (r *batchRows) Close() {
	r.Rows.Close()
	if !r.done {
		r.done = true
		r.closeErr = r.br.Close()
	}
}

func (r *batchRows) Err() error {
	if err := r.Rows.Err(); err != nil {
		return err
	}
	return r.closeErr
}

// oneRow is pgx.Row over rows: the first row, or pgx.ErrNoRows.
type oneRow struct{ rows pgx.Rows }

func (r oneRow) Scan(dest ...any) error {
	defer r.rows.Close()
	if !r.rows.Next() {
		if err := r.rows.Err(); err != nil {
			return err
		}
		return pgx.ErrNoRows
	}
	if err := r.rows.Scan(dest...); err != nil {
		return err
	}
	r.rows.Close()
	return r.rows.Err()
}

// errRows are the rows of a query that could not be sent or read: none,
// and the error.
type errRows struct{ err error }

func (r errRows) Close()                                       {}
func (r errRows) Err() error                                   { return r.err }
func (r errRows) CommandTag() pgconn.CommandTag                { return pgconn.CommandTag{} }
func (r errRows) FieldDescriptions() []pgconn.FieldDescription { return nil }
func (r errRows) Next() bool                                   { return false }
func (r errRows) Scan(...any) error                            { return r.err }
func (r errRows) Values() ([]any, error)                       { return nil, r.err }
func (r errRows) RawValues() [][]byte                          { return nil }
func (r errRows) Conn() *pgx.Conn                              { return nil }
func (r errRows) TypeMap() *pgtype.Map                         { return nil }

var _ pgx.Rows = errRows{}
