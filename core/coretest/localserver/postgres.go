// Package localserver starts private PostgreSQL and Redis servers for a
// test from the machine's own binaries — a primary and a streaming read
// replica, a Redis master and replica watched by Sentinel — each in a
// temporary folder on a free port, stopped and removed when the test ends.
// Tests of what happens when a server stops, falls behind or fails over
// use these rather than the shared servers, which they must not disturb.
// A test skips, with one line saying what is missing, only when the
// binaries are not installed.
//
// cmd/onward/localsvc starts servers too, but long-lived ones that
// `make run` and `make test` reuse from run to run; the two share how
// PostgreSQL is found and its programs are run (internal/serverproc).
package localserver

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/onward-network/onward/internal/serverproc"
)

// Postgres is a private PostgreSQL server started by a test.
type Postgres struct {
	Port    int
	DataDir string
	bin     *serverproc.Postgres
	as      *serverproc.Account // nil: this process's user
	logFile string
	primary *Postgres // set on a replica
}

const (
	// pollEvery is how often a starting server or replica is asked
	// whether it is ready.
	pollEvery = 50 * time.Millisecond
	// logLines is how much of a server's log a failure message quotes.
	logLines = 8
)

// URL is a connection URL for database db on the server, as the superuser
// "postgres" (trust authentication, 127.0.0.1 only).
func (p *Postgres) URL(db string) string {
	return fmt.Sprintf("postgres://postgres@127.0.0.1:%d/%s?sslmode=disable", p.Port, db)
}

// StartPostgres initialises and starts a private primary, configured to
// stream WAL to replicas and with fsync off (throwaway data, fast start).
// It skips the test when PostgreSQL's server binaries are not installed.
func StartPostgres(t testing.TB) *Postgres {
	t.Helper()
	bin, err := serverproc.FindPostgres(exec.LookPath, serverproc.PostgresGlobs, 0, "pg_basebackup")
	if err != nil {
		t.Skip("skipped: no PostgreSQL server binaries (initdb, pg_ctl, pg_basebackup) on PATH or under /usr/lib/postgresql/*/bin")
	}
	as, err := serverproc.ServerAccount("")
	if err != nil {
		t.Skip("skipped: " + err.Error())
	}
	p := &Postgres{bin: bin, as: as}
	p.DataDir = privateDir(t, "pg", as)
	p.logFile = filepath.Join(filepath.Dir(p.DataDir), "postgres.log")
	// -N: no fsync while initialising either.
	if out, err := p.run("initdb", "-D", p.DataDir, "-U", "postgres", "-A", "trust", "-E", "UTF8", "--no-locale", "-N"); err != nil {
		t.Fatalf("initdb: %v: %s", err, out)
	}
	conf := `
listen_addresses = '127.0.0.1'
unix_socket_directories = ''
max_connections = 100
fsync = off
synchronous_commit = off
full_page_writes = off
wal_level = replica
max_wal_senders = 5
hot_standby = on
`
	f, err := os.OpenFile(filepath.Join(p.DataDir, "postgresql.conf"), os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	_, err = f.WriteString(conf)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		t.Fatal(err)
	}
	p.start(t)
	return p
}

// StartReplica makes a streaming replica of p: pg_basebackup -R copies the
// primary into a new folder and writes the standby settings, the copy
// starts on a port of its own, and StartReplica returns once it streams.
func (p *Postgres) StartReplica(t testing.TB) *Postgres {
	t.Helper()
	r := &Postgres{bin: p.bin, as: p.as, primary: p}
	r.DataDir = privateDir(t, "pg-replica", p.as)
	r.logFile = filepath.Join(filepath.Dir(r.DataDir), "postgres.log")
	if err := os.Remove(r.DataDir); err != nil { // pg_basebackup makes it
		t.Fatal(err)
	}
	if out, err := p.run("pg_basebackup", "-h", "127.0.0.1", "-p", strconv.Itoa(p.Port), "-U", "postgres",
		"-D", r.DataDir, "-R", "-X", "stream", "--checkpoint=fast", "--no-sync"); err != nil {
		t.Fatalf("pg_basebackup: %v: %s", err, out)
	}
	r.start(t)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	err := serverproc.WaitFor(ctx, pollEvery, func(ctx context.Context) error {
		var status string
		if err := queryOne(ctx, r.URL("postgres"), `SELECT coalesce((SELECT status FROM pg_stat_wal_receiver), 'none')`, &status); err != nil {
			return err
		}
		if status != "streaming" {
			return fmt.Errorf("replica's WAL receiver is %s", status)
		}
		return nil
	})
	if err != nil {
		t.Fatalf("replica did not start streaming: %v; log: %s", err, serverproc.LogTail(r.logFile, logLines))
	}
	return r
}

// start starts the server on a free port and stops it when the test ends.
func (p *Postgres) start(t testing.TB) {
	t.Helper()
	port, err := serverproc.FreePort(0)
	if err != nil {
		t.Fatal(err)
	}
	p.Port = port
	if err := p.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_ = p.Stop()
		_ = os.RemoveAll(filepath.Dir(p.DataDir))
	})
}

// Start starts the server again after Stop, on the same port.
func (p *Postgres) Start() error {
	if out, err := p.run("pg_ctl", "start", "-D", p.DataDir, "-l", p.logFile, "-w", "-t", "60", "-s",
		"-o", "-p "+strconv.Itoa(p.Port)); err != nil {
		return fmt.Errorf("pg_ctl start -D %s: %v: %s; log: %s", p.DataDir, err, out, serverproc.LogTail(p.logFile, logLines))
	}
	return nil
}

// Stop stops the server at once (immediate mode: sessions are cut, as when
// the machine goes away). Stopping a stopped server does nothing.
func (p *Postgres) Stop() error {
	if _, err := os.Stat(filepath.Join(p.DataDir, "postmaster.pid")); errors.Is(err, os.ErrNotExist) {
		return nil
	}
	if out, err := p.run("pg_ctl", "stop", "-D", p.DataDir, "-m", "immediate", "-w", "-t", "30", "-s"); err != nil {
		return fmt.Errorf("pg_ctl stop -D %s: %v: %s", p.DataDir, err, out)
	}
	return nil
}

// WaitReplayed waits until the replica has replayed everything its primary
// has written so far.
func (p *Postgres) WaitReplayed(t testing.TB) {
	t.Helper()
	if p.primary == nil {
		t.Fatal("WaitReplayed is for a replica")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	var lsn string
	if err := queryOne(ctx, p.primary.URL("postgres"), `SELECT pg_current_wal_lsn()::text`, &lsn); err != nil {
		t.Fatal(err)
	}
	err := serverproc.WaitFor(ctx, pollEvery, func(ctx context.Context) error {
		var caught bool
		if err := queryOne(ctx, p.URL("postgres"), `SELECT pg_last_wal_replay_lsn() >= $1::pg_lsn`, &caught, lsn); err != nil {
			return err
		}
		if !caught {
			return errors.New("replica has not replayed the primary's WAL yet")
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// run runs one of PostgreSQL's programs as the server's account.
func (p *Postgres) run(name string, args ...string) (string, error) {
	return serverproc.RunToFile(p.bin.Command(context.Background(), p.as, name, args...))
}

// privateDir makes a folder for one server's data (mode 0700, owned by as)
// inside a fresh temporary folder its account can enter.
func privateDir(t testing.TB, name string, as *serverproc.Account) string {
	t.Helper()
	base, err := os.MkdirTemp("", "onward-"+name+"-")
	if err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(base, 0o755); err != nil {
		t.Fatal(err)
	}
	dir := filepath.Join(base, "data")
	if err := os.Mkdir(dir, 0o700); err != nil {
		t.Fatal(err)
	}
	for _, d := range []string{base, dir} {
		if err := serverproc.Chown(d, as); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

// queryOne runs one query on a fresh connection and scans its one row.
func queryOne(ctx context.Context, url, sql string, dest any, args ...any) error {
	conn, err := pgx.Connect(ctx, url)
	if err != nil {
		return err
	}
	defer conn.Close(context.Background())
	return conn.QueryRow(ctx, sql, args...).Scan(dest)
}
