package core

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"
)

// Readers hands out the database a read-only query should use: a streaming
// read replica when one is configured and close enough behind the primary,
// else the primary. Reports, the public directory and the Open Referral
// feed read through it; writes, and anything that must see a change just
// made (a referral just acted on, the staff inbox), use the primary pool
// directly and never come here.
type Readers struct {
	primary *pgxpool.Pool
	replica *pgxpool.Pool // nil: no replica, every read goes to the primary
	maxLag  time.Duration

	log *slog.Logger // nil: changes of the replica's state are not logged

	mu        sync.Mutex
	checking  bool
	checkedAt time.Time
	state     replicaState
	fallbacks map[string]uint64 // by reason
}

// replicaState is what the last check found.
type replicaState struct {
	up      bool          // the replica answered as a standby
	lag     time.Duration // an upper bound on how far behind it was; -1 unknown
	fresh   bool          // up and lag ≤ maxLag
	problem string        // why not fresh: "down", "lag", "unchecked"
	cause   error         // what the check met when down (for the log)
}

// replicaCheckEvery is how long one check of the replica's lag is trusted:
// reads between checks cost no extra round trips, and a replica that falls
// behind is noticed within this period.
const replicaCheckEvery = time.Second

// replicaCheckTimeout bounds one check, so a replica that hangs slows at
// most one read by this much before the primary takes over.
const replicaCheckTimeout = 2 * time.Second

// Fallback reasons, as the metrics label them.
const (
	fallbackLag   = "lag"   // the replica was further behind than allowed
	fallbackDown  = "down"  // the replica did not answer the lag check
	fallbackError = "error" // a read on the replica failed and was run again on the primary
)

// NewReaders returns readers over primary and replica (nil for none). A
// replica more than maxLag behind the primary is passed over for the
// primary until it catches up.
func NewReaders(primary, replica *pgxpool.Pool, maxLag time.Duration) *Readers {
	return &Readers{primary: primary, replica: replica, maxLag: maxLag,
		state: replicaState{lag: -1, problem: "unchecked"}, fallbacks: map[string]uint64{}}
}

// UseLog makes the readers log when the replica stops being read (down,
// not a standby, or further behind than allowed) and when it is read
// again: once each, not at every read passed to the primary.
func (r *Readers) UseLog(log *slog.Logger) { r.log = log }

// noteChange logs a change of the replica's state from was to now.
func (r *Readers) noteChange(was, now replicaState) {
	if r.log == nil || was.fresh == now.fresh && (was.fresh || was.problem == now.problem) {
		return
	}
	switch {
	case now.fresh && was.problem != "unchecked":
		r.log.Info("the read replica is read again", "lag", now.lag.String())
	case now.fresh:
	case now.problem == fallbackLag:
		r.log.Warn("the read replica is further behind than ONWARD_REPLICA_MAX_LAG: reports and the directory read from the primary",
			"lag", now.lag.String(), "max_lag", r.maxLag.String())
	default:
		r.log.Warn("the read replica does not answer as a standby (ONWARD_DATABASE_REPLICA_URL): reports and the directory read from the primary",
			"err", now.cause)
	}
}

// Primary is the primary's pool.
func (r *Readers) Primary() *pgxpool.Pool { return r.primary }

// HasReplica reports whether a replica is configured.
func (r *Readers) HasReplica() bool { return r.replica != nil }

// Read runs fn on the replica when it is fresh enough, else on the primary.
// If fn fails on the replica for any reason but ctx ending — the replica
// stopped half-way through a report, or cancelled the query to replay WAL —
// fn runs again on the primary, so the reader gets an answer rather than an
// error. fn must only read: it may run twice.
func (r *Readers) Read(ctx context.Context, fn func(db DB) error) error {
	if !r.useReplica(ctx) {
		return fn(r.primary)
	}
	err := fn(r.replica)
	if err == nil || ctx.Err() != nil || errors.Is(err, ErrNotFound) || errors.Is(err, pgx.ErrNoRows) {
		// A missing row is an answer, not a failure: the lag bound
		// covers a row the replica has not seen yet.
		return err
	}
	var pgErr *pgconn.PgError
	r.mu.Lock()
	r.fallbacks[fallbackError]++
	if !errors.As(err, &pgErr) {
		// Not an answer from the server: the connection failed. Look
		// again before the next read rather than trusting the last check.
		down := replicaState{lag: -1, problem: fallbackDown, cause: err}
		r.noteChange(r.state, down)
		r.state = down
		r.checkedAt = time.Now()
	}
	r.mu.Unlock()
	return fn(r.primary)
}

// useReplica reports whether the next read should go to the replica, and
// counts a fallback when one is configured but passed over.
func (r *Readers) useReplica(ctx context.Context) bool {
	if r.replica == nil {
		return false
	}
	r.mu.Lock()
	if time.Since(r.checkedAt) >= replicaCheckEvery && !r.checking {
		// One reader checks; the others use the last state meanwhile.
		r.checking = true
		r.mu.Unlock()
		s := r.check(ctx)
		r.mu.Lock()
		r.noteChange(r.state, s)
		r.state, r.checkedAt, r.checking = s, time.Now(), false
	}
	s := r.state
	if !s.fresh {
		r.fallbacks[s.problem]++
	}
	r.mu.Unlock()
	return s.fresh
}

const sqlPrimaryLSN = `SELECT pg_current_wal_lsn()::text`

// sqlReplicaLag measures the replica against the primary's position. If it
// has replayed everything the primary had written, it is current (a quiet
// primary writes no new transactions, so the age of the last one replayed
// says nothing). Otherwise it is at most as stale as the last transaction
// it replayed is old. The age is taken on the replica's clock against the
// primary's commit time, so clock skew between the machines adds to it.
const sqlReplicaLag = `
SELECT pg_is_in_recovery(),
       coalesce(pg_wal_lsn_diff($1::pg_lsn, pg_last_wal_replay_lsn()), 0)::float8,
       extract(epoch FROM now() - pg_last_xact_replay_timestamp())::float8`

// check measures the replica's lag. It runs under its own deadline, not
// the request's, so a reader that gives up does not mark the replica down.
func (r *Readers) check(ctx context.Context) replicaState {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), replicaCheckTimeout)
	defer cancel()
	var lsn string
	if err := r.primary.QueryRow(ctx, sqlPrimaryLSN).Scan(&lsn); err != nil {
		// The primary did not answer: reads on it will fail too, so the
		// replica's own answer is the best there is. Keep the last state.
		r.mu.Lock()
		defer r.mu.Unlock()
		return r.state
	}
	var standby bool
	var behind float64
	var age *float64
	if err := r.replica.QueryRow(ctx, sqlReplicaLag, lsn).Scan(&standby, &behind, &age); err != nil || !standby {
		// A server that is not in recovery is no longer following this
		// primary (promoted, or the wrong URL): never read from it.
		if err == nil {
			err = errors.New("the server is not in recovery: it follows no primary")
		}
		return replicaState{lag: -1, problem: fallbackDown, cause: err}
	}
	s := replicaState{up: true, lag: 0}
	if behind > 0 {
		if age == nil {
			s.lag = -1 // has replayed no transaction since it started
		} else {
			s.lag = time.Duration(math.Max(*age, 0) * float64(time.Second))
		}
	}
	s.fresh = s.lag >= 0 && s.lag <= r.maxLag
	if !s.fresh {
		s.problem = fallbackLag
	}
	return s
}

// WriteMetrics writes the replica's gauges and the fallback counters in
// Prometheus' text format; nothing when no replica is configured.
func (r *Readers) WriteMetrics(w io.Writer) {
	if r.replica == nil {
		return
	}
	r.mu.Lock()
	s := r.state
	fb := make(map[string]uint64, 3)
	for _, k := range []string{fallbackLag, fallbackDown, fallbackError} {
		fb[k] = r.fallbacks[k]
	}
	r.mu.Unlock()
	header := func(name, typ, help string) {
		fmt.Fprintf(w, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, typ)
	}
	b2i := func(b bool) int {
		if b {
			return 1
		}
		return 0
	}
	header("onward_db_replica_up", "gauge", "1 when the read replica answered its last lag check as a standby.")
	fmt.Fprintf(w, "onward_db_replica_up %d\n", b2i(s.up))
	header("onward_db_replica_lag_seconds", "gauge", "How far behind the primary the read replica was at its last check, at most (-1 when unknown).")
	lag := -1.0
	if s.lag >= 0 {
		lag = s.lag.Seconds()
	}
	fmt.Fprintf(w, "onward_db_replica_lag_seconds %g\n", lag)
	header("onward_db_replica_reading", "gauge", "1 when reports and the directory read from the replica, 0 when from the primary.")
	fmt.Fprintf(w, "onward_db_replica_reading %d\n", b2i(s.fresh))
	header("onward_db_replica_fallbacks_total", "counter", "Reads meant for the replica that went to the primary, by reason (lag, down, error).")
	for _, k := range []string{fallbackDown, fallbackError, fallbackLag} {
		fmt.Fprintf(w, "onward_db_replica_fallbacks_total{reason=\"%s\"} %d\n", k, fb[k])
	}
}

// Fallbacks is how many reads meant for the replica went to the primary,
// by reason ("lag", "down", "error").
func (r *Readers) Fallbacks() map[string]uint64 {
	r.mu.Lock()
	defer r.mu.Unlock()
	out := make(map[string]uint64, len(r.fallbacks))
	for k, v := range r.fallbacks {
		out[k] = v
	}
	return out
}

// OpenReplicaPool opens the read replica's pool without waiting for it to
// answer: a replica that is down when the server starts is read around
// (see Readers) rather than stopping the server.
func OpenReplicaPool(ctx context.Context, url string) (*pgxpool.Pool, error) {
	cfg, err := pgxpool.ParseConfig(url)
	if err != nil {
		return nil, fmt.Errorf("parse replica URL: %w", err)
	}
	if cfg.ConnConfig.ConnectTimeout == 0 {
		// A replica host that has vanished must not hold a report for the
		// operating system's connect timeout (minutes).
		cfg.ConnConfig.ConnectTimeout = replicaCheckTimeout
	}
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return nil, fmt.Errorf("open replica pool at %s: %w", redactURL(url), err)
	}
	return pool, nil
}
