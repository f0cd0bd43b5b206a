// Package localserver starts private PostgreSQL and Redis servers for a
// test from the machine's own binaries — a primary and a streaming read
// replica, a Redis master and replica watched by Sentinel — each in a
// temporary folder on a free port, stopped and removed when the test ends.
// Tests of what happens when a server stops, falls behind or fails over
// use these rather than the shared servers, which they must not disturb.
// A test skips, with one line saying what is missing, only when the
// binaries are not installed.
package localserver

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
)

// postgresGlobs are where packages put PostgreSQL's server binaries when
// they are not on PATH (Debian/Ubuntu, RHEL/Fedora, Homebrew).
var postgresGlobs = []string{
	"/usr/lib/postgresql/*/bin",
	"/usr/pgsql-*/bin",
	"/opt/homebrew/opt/postgresql@*/bin",
	"/usr/local/opt/postgresql@*/bin",
}

// Postgres is a private PostgreSQL server started by a test.
type Postgres struct {
	Port    int
	DataDir string
	bin     string
	as      *syscall.Credential // nil: this process's user
	logFile string
	primary *Postgres // set on a replica
}

// URL is a connection URL for database db on the server, as the superuser
// "postgres" (trust authentication, 127.0.0.1 only).
func (p *Postgres) URL(db string) string {
	return fmt.Sprintf("postgres://postgres@127.0.0.1:%d/%s?sslmode=disable", p.Port, db)
}

// postgresBin finds a folder holding initdb, pg_ctl, postgres and
// pg_basebackup, the highest version first; "" when there is none.
func postgresBin() string {
	var dirs []string
	if p, err := exec.LookPath("pg_basebackup"); err == nil {
		if real, err := filepath.EvalSymlinks(p); err == nil {
			dirs = append(dirs, filepath.Dir(real))
		}
	}
	var installed []string
	for _, g := range postgresGlobs {
		m, _ := filepath.Glob(g)
		installed = append(installed, m...)
	}
	sort.Slice(installed, func(i, j int) bool { return versionOf(installed[i]) > versionOf(installed[j]) })
	for _, d := range append(dirs, installed...) {
		ok := true
		for _, name := range []string{"initdb", "pg_ctl", "postgres", "pg_basebackup"} {
			if fi, err := os.Stat(filepath.Join(d, name)); err != nil || fi.Mode()&0o111 == 0 {
				ok = false
			}
		}
		if ok {
			return d
		}
	}
	return ""
}

// versionOf reads the major version out of an install folder's path.
func versionOf(dir string) int {
	for _, part := range strings.FieldsFunc(dir, func(r rune) bool { return r < '0' || r > '9' }) {
		if n, err := strconv.Atoi(part); err == nil {
			return n
		}
	}
	return 0
}

// StartPostgres initialises and starts a private primary, configured to
// stream WAL to replicas and with fsync off (throwaway data, fast start).
// It skips the test when PostgreSQL's server binaries are not installed.
func StartPostgres(t testing.TB) *Postgres {
	t.Helper()
	bin := postgresBin()
	if bin == "" {
		t.Skip("skipped: no PostgreSQL server binaries (initdb, pg_ctl, pg_basebackup) on PATH or under /usr/lib/postgresql/*/bin")
	}
	as, err := serverAccount()
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
	err := waitFor(ctx, func(ctx context.Context) error {
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
		t.Fatalf("replica did not start streaming: %v; log: %s", err, tail(r.logFile))
	}
	return r
}

// start starts the server on a free port and stops it when the test ends.
func (p *Postgres) start(t testing.TB) {
	t.Helper()
	port, err := FreePort()
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
		return fmt.Errorf("pg_ctl start -D %s: %v: %s; log: %s", p.DataDir, err, out, tail(p.logFile))
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
	err := waitFor(ctx, func(ctx context.Context) error {
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
	cmd := exec.Command(filepath.Join(p.bin, name), args...)
	cmd.Dir = "/"
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "PG") { // PGDATA, PGPORT would point elsewhere
			cmd.Env = append(cmd.Env, kv)
		}
	}
	cmd.SysProcAttr = &syscall.SysProcAttr{Setsid: true, Credential: p.as}
	return runToFile(cmd)
}

// serverAccount is the account PostgreSQL runs as: this process's, unless
// it is root, which PostgreSQL refuses; then the postgres user's.
func serverAccount() (*syscall.Credential, error) {
	if os.Geteuid() != 0 {
		return nil, nil
	}
	for _, name := range []string{"postgres", "nobody"} {
		u, err := user.Lookup(name)
		if err != nil {
			continue
		}
		uid, err1 := strconv.ParseUint(u.Uid, 10, 32)
		gid, err2 := strconv.ParseUint(u.Gid, 10, 32)
		if err1 == nil && err2 == nil && uid != 0 {
			return &syscall.Credential{Uid: uint32(uid), Gid: uint32(gid), Groups: []uint32{}}, nil
		}
	}
	return nil, errors.New("running as root, and there is neither a postgres nor a nobody user to run PostgreSQL as")
}

// privateDir makes a folder for one server's data (mode 0700, owned by as)
// inside a fresh temporary folder its account can enter.
func privateDir(t testing.TB, name string, as *syscall.Credential) string {
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
	if as != nil {
		for _, d := range []string{base, dir} {
			if err := os.Chown(d, int(as.Uid), int(as.Gid)); err != nil {
				t.Fatal(err)
			}
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

// FreePort returns a TCP port on 127.0.0.1 that nothing listens on now.
func FreePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, fmt.Errorf("find a free port: %w", err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

// waitFor calls ready every 50 ms until it returns nil or ctx ends, and
// returns the last error.
func waitFor(ctx context.Context, ready func(context.Context) error) error {
	for {
		err := ready(ctx)
		if err == nil {
			return nil
		}
		select {
		case <-ctx.Done():
			return err
		case <-time.After(50 * time.Millisecond):
		}
	}
}

// runToFile runs cmd with its output going to a file, not a pipe: a server
// it leaves running would hold a pipe open and make Wait hang.
func runToFile(cmd *exec.Cmd) (string, error) {
	f, err := os.CreateTemp("", "onward-localserver-*.out")
	if err != nil {
		return "", err
	}
	defer os.Remove(f.Name())
	defer f.Close()
	cmd.Stdout, cmd.Stderr = f, f
	err = cmd.Run()
	b, _ := os.ReadFile(f.Name())
	return strings.Join(strings.Fields(string(b)), " "), err
}

// tail is the last lines of a server's log, for failure messages.
func tail(path string) string {
	b, err := os.ReadFile(path)
	if err != nil {
		return ""
	}
	lines := strings.Split(strings.TrimSpace(string(b)), "\n")
	if len(lines) > 8 {
		lines = lines[len(lines)-8:]
	}
	return strings.Join(lines, " | ")
}
