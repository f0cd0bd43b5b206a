package serverproc

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
)

// PostgresGlobs are where packages put PostgreSQL's server programs when
// they are not on PATH: Debian/Ubuntu, RHEL/Fedora (PGDG) and Homebrew's
// keg-only postgresql@N formulae.
var PostgresGlobs = []string{
	"/usr/lib/postgresql/*/bin",
	"/usr/pgsql-*/bin",
	"/opt/homebrew/opt/postgresql@*/bin",
	"/usr/local/opt/postgresql@*/bin",
}

// ErrNotInstalled is returned by FindPostgres when no installed
// PostgreSQL has the programs asked for.
var ErrNotInstalled = errors.New("not installed")

// Postgres is one installed PostgreSQL: the folder holding its server
// programs, and its major version.
type Postgres struct {
	Dir   string
	Major int
}

// FindPostgres picks the installed PostgreSQL to run: the one whose
// initdb is on PATH, else the highest version under globs. Every folder
// considered must hold initdb, pg_ctl and postgres, and the programs in
// also (pg_basebackup for a replica, say). When want is not 0 (a data
// folder made by that major version exists) only that version will do.
// lookPath is exec.LookPath outside tests.
func FindPostgres(lookPath func(string) (string, error), globs []string, want int, also ...string) (*Postgres, error) {
	programs := append([]string{"initdb", "pg_ctl", "postgres"}, also...)
	var found []*Postgres
	if p, err := lookPath("initdb"); err == nil {
		if real, err := filepath.EvalSymlinks(p); err == nil {
			p = real
		}
		if b := postgresIn(filepath.Dir(p), programs); b != nil {
			found = append(found, b)
		}
	}
	var installed []*Postgres
	for _, g := range globs {
		dirs, _ := filepath.Glob(g)
		for _, d := range dirs {
			if b := postgresIn(d, programs); b != nil {
				installed = append(installed, b)
			}
		}
	}
	sort.SliceStable(installed, func(i, j int) bool { return installed[i].Major > installed[j].Major })
	found = append(found, installed...)

	if len(found) == 0 {
		return nil, ErrNotInstalled
	}
	if want == 0 {
		return found[0], nil
	}
	var versions []string
	for _, b := range found {
		if b.Major == want {
			return b, nil
		}
		versions = append(versions, strconv.Itoa(b.Major))
	}
	return nil, fmt.Errorf("the private PostgreSQL data folder was made by PostgreSQL %d, which is not installed (found %s): install it, or remove the data folder to start afresh",
		want, strings.Join(versions, ", "))
}

var postgresVersion = regexp.MustCompile(`\(PostgreSQL\) (\d+)`)

// postgresIn returns the PostgreSQL in dir, or nil if dir lacks one of
// the programs or its version cannot be read.
func postgresIn(dir string, programs []string) *Postgres {
	for _, name := range programs {
		fi, err := os.Stat(filepath.Join(dir, name))
		if err != nil || fi.IsDir() || fi.Mode()&0o111 == 0 {
			return nil
		}
	}
	out, err := exec.Command(filepath.Join(dir, "pg_ctl"), "--version").Output()
	if err != nil {
		return nil
	}
	m := postgresVersion.FindSubmatch(out)
	if m == nil {
		return nil
	}
	major, _ := strconv.Atoi(string(m[1]))
	return &Postgres{Dir: dir, Major: major}
}

// DataDirMajor returns the major version that made a data folder, or 0.
func DataDirMajor(dataDir string) int {
	b, err := os.ReadFile(filepath.Join(dataDir, "PG_VERSION"))
	if err != nil {
		return 0
	}
	n, _ := strconv.Atoi(strings.TrimSpace(string(b)))
	return n
}

// Command prepares one of this PostgreSQL's programs to run as account
// as (nil: this process's user), in its own session so a Ctrl-C in the
// terminal does not reach a server it starts.
func (b *Postgres) Command(ctx context.Context, as *Account, name string, args ...string) *exec.Cmd {
	cmd := exec.CommandContext(ctx, filepath.Join(b.Dir, name), args...)
	// The server's account may not be able to enter our working folder.
	cmd.Dir = "/"
	for _, kv := range os.Environ() {
		// PGDATA, PGPORT and friends would point pg_ctl elsewhere.
		if !strings.HasPrefix(kv, "PG") {
			cmd.Env = append(cmd.Env, kv)
		}
	}
	Prepare(cmd, as)
	return cmd
}
