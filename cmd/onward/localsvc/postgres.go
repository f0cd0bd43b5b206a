package localsvc

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/url"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/onward-network/onward/internal/serverproc"
)

// privateSuperuser is the superuser initdb creates in a private data folder,
// whatever OS user runs it, so private URLs look the same on every machine.
const privateSuperuser = "postgres"

// configuredPostgres checks ONWARD_DATABASE_URL when it is set.
func configuredPostgres(ctx context.Context, o Options) (string, error) {
	if o.DatabaseURL == "" {
		return "", nil
	}
	if _, err := pgx.ParseConfig(o.DatabaseURL); err != nil {
		// pgx's parse errors hide the password.
		return "", fmt.Errorf("ONWARD_DATABASE_URL is not a PostgreSQL URL like postgres://user@127.0.0.1:5432/onward: %s", serverproc.OneLine(err.Error()))
	}
	if err := pingPostgres(ctx, o.DatabaseURL, configuredTimeout); err != nil {
		return "", configuredPostgresError(o.DatabaseURL, err)
	}
	o.Log.Info("using PostgreSQL from ONWARD_DATABASE_URL", "url", redactURL(o.DatabaseURL))
	return o.DatabaseURL, nil
}

// configuredPostgresError says why ONWARD_DATABASE_URL could not be
// used: a server that answered and refused (no such database, a wrong
// password) is told apart from one that did not answer at all.
func configuredPostgresError(url string, err error) error {
	var pgErr *pgconn.PgError
	if !errors.As(err, &pgErr) {
		return fmt.Errorf("PostgreSQL at ONWARD_DATABASE_URL (%s) did not answer within %s: %s",
			redactURL(url), configuredTimeout, serverproc.OneLine(err.Error()))
	}
	hint := ""
	switch pgErr.Code {
	case "3D000": // invalid_catalog_name
		hint = " Create it first (createdb NAME); PostgreSQL folds an unquoted name to lower case, so use the name in lower case in the URL."
	case "28P01", "28000": // invalid_password, invalid_authorization_specification
		hint = " Check the user name and password in the URL."
	}
	return fmt.Errorf("PostgreSQL at ONWARD_DATABASE_URL (%s) answered but refused the connection: %s.%s",
		redactURL(url), pgErr.Message, hint)
}

// machinePostgres tries the machine's own server on its default port and
// socket, as the current OS user and then as postgres, and returns a URL for
// o.DBName (created if missing), or "" when none of them lets us in.
func machinePostgres(ctx context.Context, o Options) string {
	hosts := []struct{ network, addr, host string }{
		{"tcp", "127.0.0.1:5432", "127.0.0.1:5432"},
		{"unix", "/var/run/postgresql/.s.PGSQL.5432", "/var/run/postgresql"},
	}
	for _, h := range hosts {
		d := net.Dialer{Timeout: probeTimeout}
		c, err := d.DialContext(ctx, h.network, h.addr)
		if err != nil {
			o.Log.Debug("no PostgreSQL here", "server", h.host, "err", err)
			continue
		}
		c.Close()
		for _, name := range postgresUsers() {
			admin := postgresURL(h.host, name, "postgres")
			if err := createDatabase(ctx, admin, o.DBName, probeTimeout); err != nil {
				o.Log.Debug("PostgreSQL not usable", "server", h.host, "user", name, "err", serverproc.OneLine(err.Error()))
				continue
			}
			o.Log.Info("using the machine's PostgreSQL", "server", h.host, "user", name, "database", o.DBName)
			return postgresURL(h.host, name, o.DBName)
		}
	}
	return ""
}

// postgresUsers are the roles tried on the machine's server: the current OS
// user (peer or trust auth for developers), then postgres.
func postgresUsers() []string {
	var names []string
	if u, err := user.Current(); err == nil && u.Username != "" {
		names = append(names, u.Username)
	} else if n := os.Getenv("USER"); n != "" {
		names = append(names, n)
	}
	if len(names) == 0 || names[0] != "postgres" {
		names = append(names, "postgres")
	}
	return names
}

// postgresURL builds a URL for a TCP address ("127.0.0.1:5432") or a socket
// folder ("/var/run/postgresql"). Servers found here are local with trust or
// peer auth, so TLS is off.
func postgresURL(host, userName, db string) string {
	u := url.URL{Scheme: "postgres", User: url.User(userName), Path: "/" + db}
	q := url.Values{"sslmode": {"disable"}}
	if strings.HasPrefix(host, "/") {
		q.Set("host", host)
	} else {
		u.Host = host
	}
	u.RawQuery = q.Encode()
	return u.String()
}

// connect opens one connection to connURL. The URL may carry the pool's
// own settings, as ONWARD_DATABASE_URL does (pool_max_conns and the
// like): they are the pool's, not the server's, so they are set aside
// rather than sent to PostgreSQL, which would refuse them.
func connect(ctx context.Context, connURL string) (*pgx.Conn, error) {
	cfg, err := pgxpool.ParseConfig(connURL)
	if err != nil {
		return nil, err
	}
	return pgx.ConnectConfig(ctx, cfg.ConnConfig)
}

// pingPostgres connects once and runs a query.
func pingPostgres(ctx context.Context, connURL string, timeout time.Duration) error {
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	conn, err := connect(ctx, connURL)
	if err != nil {
		return err
	}
	defer conn.Close(context.Background())
	return conn.Ping(ctx)
}

const sqlDatabaseExists = `SELECT EXISTS (SELECT 1 FROM pg_database WHERE datname = $1)`

// createDatabase connects to adminURL (a maintenance database) within
// connectTimeout and creates database name unless it exists.
func createDatabase(ctx context.Context, adminURL, name string, connectTimeout time.Duration) error {
	cctx, cancel := context.WithTimeout(ctx, connectTimeout)
	conn, err := connect(cctx, adminURL)
	cancel()
	if err != nil {
		return err
	}
	defer conn.Close(context.Background())

	ctx, cancel = context.WithTimeout(ctx, startTimeout)
	defer cancel()
	var exists bool
	if err := conn.QueryRow(ctx, sqlDatabaseExists, name).Scan(&exists); err != nil {
		return fmt.Errorf("look for database %s: %w", name, err)
	}
	if exists {
		return nil
	}
	_, err = conn.Exec(ctx, "CREATE DATABASE "+pgx.Identifier{name}.Sanitize())
	var pgErr *pgconn.PgError
	// Another process creating the same database at the same moment is
	// success: 42P04 duplicate_database, or 23505 from the catalog's index.
	if errors.As(err, &pgErr) && (pgErr.Code == "42P04" || pgErr.Code == "23505") {
		return nil
	}
	if err != nil {
		return fmt.Errorf("create database %s: %w", name, err)
	}
	return nil
}

// redactURL hides the password of a URL or keyword/value connection string
// before it goes into an error or a log line.
var passwordKeyword = regexp.MustCompile(`(?i)(password\s*=\s*)('(?:[^'\\]|\\.)*'|\S+)`)

func redactURL(s string) string {
	if strings.Contains(s, "://") {
		u, err := url.Parse(s)
		if err != nil {
			return "an unparseable URL"
		}
		if p := u.Query(); p.Has("password") {
			p.Set("password", "xxxxx")
			u.RawQuery = p.Encode()
		}
		return u.Redacted()
	}
	return passwordKeyword.ReplaceAllString(s, "${1}xxxxx")
}

// findPostgres picks the installed PostgreSQL to run, as
// serverproc.FindPostgres does, looking where o says.
func findPostgres(o Options, want int) (*serverproc.Postgres, error) {
	return serverproc.FindPostgres(o.lookPath, o.pgGlobs, want)
}

// privatePostgres is a server run from a data folder under the state folder.
type privatePostgres struct {
	bin     *serverproc.Postgres
	as      *serverproc.Account // nil: this process's user
	dataDir string              // Dir/pg
	runDir  string              // Dir/pg-run: socket and log, owned by the server's user
}

func newPrivatePostgres(o Options, dir string, bin *serverproc.Postgres) (*privatePostgres, error) {
	p := &privatePostgres{
		bin:     bin,
		dataDir: filepath.Join(dir, "pg"),
		runDir:  filepath.Join(dir, "pg-run"),
	}
	var err error
	if p.as, err = serverproc.ServerAccount(p.dataDir); err != nil {
		return nil, err
	}
	return p, nil
}

// ensurePrivatePostgres reuses the private server if it runs, else
// initialises the data folder if needed and starts it. It returns the server
// only when it started it.
func ensurePrivatePostgres(ctx context.Context, o Options, dir string, bin *serverproc.Postgres) (string, *privatePostgres, error) {
	ctx, cancel := context.WithTimeout(ctx, startTimeout)
	defer cancel()
	p, err := newPrivatePostgres(o, dir, bin)
	if err != nil {
		return "", nil, err
	}
	if err := canReach(p.as, p.dataDir); err != nil {
		return "", nil, err
	}

	if p.initialised() {
		running, err := p.running(ctx)
		if err != nil {
			return "", nil, err
		}
		if running {
			u, err := p.waitAndCreate(ctx, o.DBName)
			if err != nil {
				return "", nil, fmt.Errorf("private PostgreSQL in %s is running but not usable: %w", p.dataDir, err)
			}
			o.Log.Info("reusing private PostgreSQL", "dir", p.dataDir, "url", u)
			return u, nil, nil
		}
	} else if err := p.initdb(ctx, o); err != nil {
		return "", nil, err
	}

	if err := p.start(ctx, o); err != nil {
		return "", nil, err
	}
	u, err := p.waitAndCreate(ctx, o.DBName)
	if err != nil {
		return "", nil, errors.Join(fmt.Errorf("private PostgreSQL in %s started but is not usable: %w", p.dataDir, err), p.stop(ctx, o.Log))
	}
	o.Log.Info("started private PostgreSQL", "dir", p.dataDir, "url", u)
	return u, p, nil
}

// runningPrivatePostgres returns the private server under dir if it runs,
// else nil.
func runningPrivatePostgres(ctx context.Context, o Options, dir string) (*privatePostgres, error) {
	dataDir := filepath.Join(dir, "pg")
	major := serverproc.DataDirMajor(dataDir)
	if major == 0 {
		return nil, nil
	}
	bin, err := findPostgres(o, major)
	if err != nil {
		return nil, err
	}
	p, err := newPrivatePostgres(o, dir, bin)
	if err != nil {
		return nil, err
	}
	running, err := p.running(ctx)
	if err != nil || !running {
		return nil, err
	}
	return p, nil
}

func (p *privatePostgres) initialised() bool {
	_, err := os.Stat(filepath.Join(p.dataDir, "PG_VERSION"))
	return err == nil
}

// running asks pg_ctl whether a server runs on the data folder; it tells a
// live postmaster.pid from one left by a crash.
func (p *privatePostgres) running(ctx context.Context) (bool, error) {
	out, err := serverproc.RunToFile(p.bin.Command(ctx, p.as, "pg_ctl", "status", "-D", p.dataDir))
	var exit *exec.ExitError
	switch {
	case err == nil:
		return true, nil
	case errors.As(err, &exit) && exit.ExitCode() == 3: // not running
		return false, nil
	default:
		return false, fmt.Errorf("pg_ctl status -D %s: %v: %s", p.dataDir, err, out)
	}
}

// port reads the port from postmaster.pid, whose fourth line it is.
func (p *privatePostgres) port() (int, error) {
	f, err := os.Open(filepath.Join(p.dataDir, "postmaster.pid"))
	if err != nil {
		return 0, err
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for i := 1; sc.Scan(); i++ {
		if i == 4 {
			return strconv.Atoi(strings.TrimSpace(sc.Text()))
		}
	}
	return 0, errors.New("postmaster.pid has no port yet")
}

// waitAndCreate waits for the server to answer, creates database name if
// missing and returns its URL.
func (p *privatePostgres) waitAndCreate(ctx context.Context, name string) (string, error) {
	var u string
	err := serverproc.WaitFor(ctx, pollEvery, func(ctx context.Context) error {
		port, err := p.port()
		if err != nil {
			return err
		}
		host := net.JoinHostPort("127.0.0.1", strconv.Itoa(port))
		if err := createDatabase(ctx, postgresURL(host, privateSuperuser, "postgres"), name, probeTimeout); err != nil {
			return err
		}
		u = postgresURL(host, privateSuperuser, name)
		return nil
	})
	return u, err
}

func (p *privatePostgres) initdb(ctx context.Context, o Options) error {
	if err := os.MkdirAll(p.dataDir, 0o700); err != nil {
		return fmt.Errorf("create PostgreSQL data folder: %w", err)
	}
	if entries, _ := os.ReadDir(p.dataDir); len(entries) > 0 {
		return fmt.Errorf("%s is not empty but holds no PostgreSQL data (no PG_VERSION): remove it and try again", p.dataDir)
	}
	if err := serverproc.Chown(p.dataDir, p.as); err != nil {
		return err
	}
	o.Log.Info("initialising private PostgreSQL", "dir", p.dataDir, "version", p.bin.Major, "user", p.as.String())
	// Trust auth is safe because the server listens on 127.0.0.1 and a socket
	// inside the state folder only; -N skips fsync, as this is throwaway data.
	out, err := serverproc.RunToFile(p.bin.Command(ctx, p.as, "initdb", "-D", p.dataDir, "-U", privateSuperuser,
		"-A", "trust", "-E", "UTF8", "--no-locale", "-N"))
	if err != nil {
		return fmt.Errorf("initdb -D %s: %v: %s", p.dataDir, err, out)
	}
	return nil
}

// start writes onward.conf (listen address, port, socket folder) into the
// data folder and runs pg_ctl start, which waits until the server is up.
func (p *privatePostgres) start(ctx context.Context, o Options) error {
	if err := os.MkdirAll(p.runDir, 0o755); err != nil {
		return fmt.Errorf("create %s: %w", p.runDir, err)
	}
	if err := serverproc.Chown(p.runDir, p.as); err != nil {
		return err
	}
	if err := p.fixOwnership(); err != nil {
		return err
	}
	port, err := serverproc.FreePort(privatePostgresPort)
	if err != nil {
		return err
	}
	// A socket path longer than the kernel's limit (about 107 bytes) stops
	// the server from starting; clients use TCP, so go without the socket.
	socketDir := p.runDir
	if len(socketDir)+len("/.s.PGSQL.00000") > 100 {
		socketDir = ""
	}
	conf := fmt.Sprintf(`# Written by onward (cmd/onward/localsvc) before every start; edits are lost.
listen_addresses = '127.0.0.1'
port = %d
unix_socket_directories = %s
max_connections = 250
# A private development server: speed over crash safety.
fsync = off
synchronous_commit = off
full_page_writes = off
`, port, pgQuote(socketDir))
	if err := writeOwned(filepath.Join(p.dataDir, "onward.conf"), conf, p.as); err != nil {
		return err
	}
	if err := p.includeOnwardConf(); err != nil {
		return err
	}

	logFile := filepath.Join(p.runDir, "postgres.log")
	out, err := serverproc.RunToFile(p.bin.Command(ctx, p.as, "pg_ctl", "start", "-D", p.dataDir, "-l", logFile,
		"-w", "-t", strconv.Itoa(int(startTimeout/time.Second)), "-s"))
	if err != nil {
		return fmt.Errorf("pg_ctl start -D %s: %v: %s; log: %s", p.dataDir, err, out, serverproc.LogTail(logFile, 5))
	}
	return nil
}

// fixOwnership hands a data folder made by root (say, by an earlier failed
// attempt) to the account the server runs as; PostgreSQL refuses otherwise.
func (p *privatePostgres) fixOwnership() error {
	if p.as == nil {
		return nil
	}
	owner, err := ownerOf(p.dataDir)
	if err != nil || owner == p.as.UID {
		return err
	}
	return chownTree(p.dataDir, p.as)
}

// includeOnwardConf makes postgresql.conf read onward.conf last, once.
func (p *privatePostgres) includeOnwardConf() error {
	path := filepath.Join(p.dataDir, "postgresql.conf")
	b, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	const line = "include_if_exists = 'onward.conf'"
	if strings.Contains(string(b), line) {
		return nil
	}
	f, err := os.OpenFile(path, os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		return err
	}
	if _, err := f.WriteString("\n" + line + "\n"); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// stop shuts the server down with pg_ctl's fast mode: sessions are ended,
// nothing is lost that was committed.
func (p *privatePostgres) stop(ctx context.Context, log *slog.Logger) error {
	ctx, cancel := context.WithTimeout(ctx, startTimeout)
	defer cancel()
	running, err := p.running(ctx)
	if err != nil || !running {
		return err
	}
	out, err := serverproc.RunToFile(p.bin.Command(ctx, p.as, "pg_ctl", "stop", "-D", p.dataDir, "-m", "fast",
		"-w", "-t", strconv.Itoa(int(startTimeout/time.Second)), "-s"))
	if err != nil {
		return fmt.Errorf("pg_ctl stop -D %s: %v: %s", p.dataDir, err, out)
	}
	log.Info("stopped private PostgreSQL", "dir", p.dataDir)
	return nil
}

// pgQuote quotes a postgresql.conf string value.
func pgQuote(s string) string {
	return "'" + strings.ReplaceAll(s, "'", "''") + "'"
}

// writeOwned writes a file and gives it to account as (nil: leave it).
func writeOwned(path, content string, as *serverproc.Account) error {
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		return err
	}
	return serverproc.Chown(path, as)
}

// lookPath is exec.LookPath; a variable of Options so tests can hide tools.
func lookPath(name string) (string, error) { return exec.LookPath(name) }
