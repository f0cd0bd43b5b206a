package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/jackc/pgx/v5/pgconn"
	"github.com/redis/go-redis/v9"

	"github.com/onward-network/onward/core"
)

// serve and worker start whether or not PostgreSQL and Redis answer yet:
// a server restarting, or started after them, is an outage to wait out,
// not a reason to exit (serve waits for PostgreSQL only, and serves
// without Redis as when it is lost). They wait with capped backoff, say once in the
// log which server they cannot reach and once when they reach it, and
// answer /readyz 503 meanwhile. A schema of another version, a password
// the server refuses and configuration that does not parse are real
// errors and still stop them at once.
const (
	reachFirstPause = 500 * time.Millisecond
	reachMaxPause   = 10 * time.Second
	// reachAttempt bounds one attempt, so a server that accepts the
	// connection and never answers counts as unreachable.
	reachAttempt = 5 * time.Second
)

// startState is what a starting process knows about its servers, for
// /readyz while it waits.
type startState struct {
	mu      sync.Mutex
	waiting string // the reason it is not ready yet; "" once both answered
	// redisLater is serve's: it waits for PostgreSQL (the schema and the
	// keys must be checked before anything is answered) but not for
	// Redis. A Redis that does not answer at start is met as one lost
	// while running (redisWatch.missing): a STOP is honoured and other
	// texts get the apology with the helpline, where a 503 would lose
	// them, as Twilio does not retry an inbound text.
	redisLater bool
}

func newStartState() *startState {
	return &startState{waiting: "starting: connecting to postgres and redis"}
}

// newServeStartState is serve's start: PostgreSQL waited for, Redis not
// (startState.redisLater).
func newServeStartState() *startState {
	st := newStartState()
	st.redisLater = true
	return st
}

func (s *startState) set(reason string) {
	s.mu.Lock()
	s.waiting = reason
	s.mu.Unlock()
}

// notReady is the plain reason the process is not ready, "" once it is.
func (s *startState) notReady() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.waiting
}

// handler answers while the process waits: /healthz says the process is
// alive, /readyz 503 with the reason, /metrics (when metrics is not nil)
// the process's own figures, anything else 503 with Retry-After.
func (s *startState) handler(metrics http.Handler) http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /healthz", healthz)
	if metrics != nil {
		mux.Handle("GET /metrics", metrics)
	}
	mux.HandleFunc("GET /readyz", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		w.WriteHeader(http.StatusServiceUnavailable)
		fmt.Fprintln(w, "not ready:", s.notReady())
	})
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Retry-After", "5")
		http.Error(w, "Onward is starting and cannot serve yet; try again shortly.", http.StatusServiceUnavailable)
	})
	return mux
}

// healthz says the process is alive, whatever its servers do.
func healthz(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	fmt.Fprintln(w, "ok")
}

// handoff is an http.Handler that can be swapped while serving: the
// waiting handler until the servers answer, then the real one.
type handoff struct{ h atomic.Pointer[http.Handler] }

func (o *handoff) set(h http.Handler) { o.h.Store(&h) }

func (o *handoff) ServeHTTP(w http.ResponseWriter, r *http.Request) { (*o.h.Load()).ServeHTTP(w, r) }

// waitForServers returns once PostgreSQL and Redis both answer and the
// schema is this binary's; for serve (st.redisLater), once PostgreSQL
// answers, whether Redis does or not. While one cannot be reached it retries,
// pausing 0.5 s doubling to 10 s, logging once which it cannot reach and
// once when it reaches it. It returns ctx's error when ctx ends first, and
// at once an error that waiting cannot mend (a schema of another version,
// a refused password).
func (a *app) waitForServers(ctx context.Context, st *startState) error {
	downSince := map[string]time.Time{} // servers logged as unreachable
	pause := reachFirstPause
	for {
		reached, server, err := a.reachOnce(ctx)
		if server == "Redis" && st.redisLater && outage(err) && ctx.Err() == nil {
			a.redisWatch.missing(a.serverAddr(server), err)
			err = nil
		}
		for _, s := range reached {
			if since, ok := downSince[s]; ok {
				a.log.Info("reached "+s, "at", a.serverAddr(s), "after", time.Since(since).Round(time.Second))
				delete(downSince, s)
			}
		}
		if err == nil {
			st.set("")
			return nil
		}
		if ctx.Err() != nil {
			return ctx.Err()
		}
		if !outage(err) {
			return a.refusal(server, err)
		}
		st.set(map[string]string{"PostgreSQL": "postgres", "Redis": "redis"}[server] + ": does not answer yet; waiting for it")
		if _, logged := downSince[server]; !logged {
			downSince[server] = time.Now()
			a.log.Warn("cannot reach "+server+"; waiting for it", "at", a.serverAddr(server), "err", oneLine(err.Error()))
		}
		t := time.NewTimer(pause)
		select {
		case <-ctx.Done():
			t.Stop()
			return ctx.Err()
		case <-t.C:
		}
		pause = min(2*pause, reachMaxPause)
	}
}

// reachOnce asks PostgreSQL (and its schema version), then Redis, the
// attempt bounded by reachAttempt. It returns the servers that answered
// and, on failure, the one that did not.
func (a *app) reachOnce(ctx context.Context) (reached []string, failed string, err error) {
	ctx, cancel := context.WithTimeout(ctx, reachAttempt)
	defer cancel()
	if err := a.pool.Ping(ctx); err != nil {
		return nil, "PostgreSQL", err
	}
	if err := core.CheckSchema(ctx, a.pool); err != nil {
		return nil, "PostgreSQL", err
	}
	start := time.Now()
	if err := a.rdb.Ping(ctx).Err(); err != nil {
		return []string{"PostgreSQL"}, "Redis", a.redisWatch.cause(err, start)
	}
	return []string{"PostgreSQL", "Redis"}, "", nil
}

// refusal is the error of a server that answered with a refusal waiting
// cannot mend, naming the setting and address to look at. A schema of
// another version says so in its own words.
func (a *app) refusal(server string, err error) error {
	if errors.Is(err, core.ErrSchemaBehind) || errors.Is(err, core.ErrSchemaAhead) {
		return err
	}
	if server == "PostgreSQL" {
		return fmt.Errorf("ONWARD_DATABASE_URL (%s): %w", a.serverAddr(server), err)
	}
	hint := ""
	if strings.Contains(err.Error(), "DB index is out of range") {
		hint = " (the database number at the end of the URL must be below the server's `databases` setting, 16 unless changed)"
	}
	return fmt.Errorf("ONWARD_REDIS_URL (%s): %w%s", a.serverAddr(server), err, hint)
}

// serverAddr is where the named server is configured, without password.
func (a *app) serverAddr(server string) string {
	if server == "PostgreSQL" {
		return core.DatabaseAddr(a.cfg.DatabaseURL)
	}
	u, err := url.Parse(a.cfg.RedisURL)
	if err != nil {
		return string(a.redisShape)
	}
	return fmt.Sprintf("%s %s", a.redisShape, u.Host)
}

// outage reports whether err is a server not answering (down, hanging,
// restarting, full), which waiting mends, rather than a refusal that it
// does not: a schema of another version, a wrong password or database
// name.
func outage(err error) bool {
	if errors.Is(err, core.ErrSchemaBehind) || errors.Is(err, core.ErrSchemaAhead) {
		return false
	}
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) {
		// 08 connection exception, 53 insufficient resources (too many
		// connections), 57 operator intervention (starting up, shutting
		// down); anything else the server said is an answer.
		switch pgErr.Code[:2] {
		case "08", "53", "57":
			return true
		}
		return false
	}
	var rErr redis.Error
	if errors.As(err, &rErr) {
		for _, busy := range []string{"LOADING", "MASTERDOWN", "TRYAGAIN", "CLUSTERDOWN", "BUSY", "ERR max number of clients"} {
			if strings.HasPrefix(rErr.Error(), busy) {
				return true
			}
		}
		return false // NOAUTH, WRONGPASS and the like: configuration
	}
	return true // refused, reset, timed out, no route: not there (yet)
}

// errAuditKeyDiffers is what every command says of an audit key that
// signed none of the log's checkpoints (core.ErrAuditKeyDiffers).
var errAuditKeyDiffers = errors.New("ONWARD_AUDIT_KEY is not the key this database's audit log was written with (it signed none of its checkpoints): " +
	"set it to the key used before, as serve and the worker have it")

// checkAuditKey refuses to start with an audit key that signed none of
// the log's checkpoints (core.CheckAuditKey): every event written with
// it would break the log for good. A key that signed an earlier
// checkpoint only is the right one, and the log was altered since:
// that is said loudly, once, and the server starts, as clients still
// need it.
func (a *app) checkAuditKey(ctx context.Context) error {
	err := a.engine.CheckAuditKey(ctx)
	var altered *core.AuditLogAlteredError
	switch {
	case errors.Is(err, core.ErrAuditKeyDiffers):
		return errAuditKeyDiffers
	case errors.As(err, &altered):
		a.log.Error("the audit log was written with another key or altered: run `onward audit verify` to see where", "err", err)
		return nil
	}
	return err
}

// checkKeys refuses to start when the configured keys cannot read the
// data in the database (core.CheckKeys: one row) or the phone lookup hash
// key is not the database's (its check value, core.CheckHashKey), saying which
// setting to mend: a wrong or lost key would otherwise report ready and
// then fail every withdrawal by text, opt-out and "View details".
func (a *app) checkKeys(ctx context.Context) error {
	if err := a.checkAuditKey(ctx); err != nil {
		return err
	}
	err := a.engine.CheckKeys(ctx)
	if err == nil {
		err = a.engine.CheckHashKey(ctx)
	}
	switch {
	case errors.Is(err, core.ErrKeysDoNotOpen):
		return keysRefusedError{}
	case errors.Is(err, core.ErrHashKeyDiffers) && a.cfg.HashKey == "":
		return errors.New("ONWARD_HASH_KEY is not set, and the hash key derived from ONWARD_ENCRYPTION_KEY is not the one the phone lookups stored in this database were made with: " +
			"set ONWARD_HASH_KEY to what `onward keys hash-key` prints with the encryption key used before " +
			"(or, if ONWARD_HASH_KEY was set before, to that value)")
	case errors.Is(err, core.ErrHashKeyDiffers):
		return errors.New("ONWARD_HASH_KEY is not the key the phone lookups stored in this database were made with: " +
			"set it to the one used before (or, if it was never set, unset it)")
	}
	return err
}

// keysRefusedError is checkKeys' answer when the encryption keys do not
// open the database's data: it says which setting to mend, and is
// core.ErrKeysDoNotOpen to errors.Is, so `onward dev` can say more.
type keysRefusedError struct{}

func (keysRefusedError) Error() string {
	return "ONWARD_ENCRYPTION_KEY does not open the data stored in this database; " +
		"if you rotated it, put the old key in ONWARD_ENCRYPTION_OLD_KEYS"
}

func (keysRefusedError) Unwrap() error { return core.ErrKeysDoNotOpen }

// checkKeysOnceUp runs checkKeys after waitForServers. When PostgreSQL
// goes away during the checks (stopped or restarted between the wait and
// them), it waits for the servers again and checks again, as a start with
// the server down does: only a check the server answered refuses the
// start. With no st (nothing waited for) it is checkKeys. Once the keys
// are checked it seals what an older version kept in clear
// (sealClearValues).
func (a *app) checkKeysOnceUp(ctx context.Context, st *startState) error {
	for {
		err := a.checkKeys(ctx)
		if err == nil {
			err = a.sealClearValues(ctx)
		}
		if err == nil || st == nil || ctx.Err() != nil || !serverLost(err) {
			return err
		}
		a.log.Warn("lost PostgreSQL while checking the keys; waiting for it", "err", oneLine(err.Error()))
		if err := a.waitForServers(ctx, st); err != nil {
			return err
		}
	}
}

// sealClearValues seals, once the keys are known to open the database,
// what an older version kept in clear and only the application can seal
// (core.Engine.SealPartnerEvidence: partner systems' consent evidence,
// migration 049). Serve and the worker both run it as they start; it
// finds nothing to do once done.
func (a *app) sealClearValues(ctx context.Context) error {
	n, err := a.engine.SealPartnerEvidence(ctx)
	if n > 0 {
		a.log.Info("sealed partner systems' consent evidence kept in clear by an older version", "consents", n)
	}
	return err
}

// serverLost reports whether err is PostgreSQL going away mid-statement
// (shut down, restarting, the connection cut or timed out), which waiting
// mends, rather than an answer: a key refused is an answer.
func serverLost(err error) bool {
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) {
		return outage(err)
	}
	var connErr *pgconn.ConnectError
	var netErr net.Error
	return errors.As(err, &connErr) || errors.As(err, &netErr) || pgconn.Timeout(err) ||
		errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF)
}
