package serverproc

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"
)

func TestFreePortKeepsAFreePreferredPortAndAvoidsATakenOne(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	taken := l.Addr().(*net.TCPAddr).Port
	got, err := FreePort(taken)
	if err != nil {
		t.Fatal(err)
	}
	if got == taken || got == 0 {
		t.Errorf("FreePort(%d) with %d in use = %d, want another port", taken, taken, got)
	}
	l.Close()
	if got, err = FreePort(taken); err != nil || got != taken {
		t.Errorf("FreePort(%d) once it is free = %d, %v; want %d", taken, got, err, taken)
	}
	if got, err = FreePort(0); err != nil || got == 0 {
		t.Errorf("FreePort(0) = %d, %v; want some port", got, err)
	}
}

func TestWaitForReturnsOnceReadyOrTheLastErrorAtTheDeadline(t *testing.T) {
	calls := 0
	err := WaitFor(context.Background(), time.Millisecond, func(context.Context) error {
		if calls++; calls < 3 {
			return fmt.Errorf("not yet (%d)", calls)
		}
		return nil
	})
	if err != nil || calls != 3 {
		t.Errorf("WaitFor = %v after %d calls, want nil after 3", err, calls)
	}

	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
	defer cancel()
	err = WaitFor(ctx, time.Millisecond, func(context.Context) error { return errors.New("still down") })
	if err == nil || err.Error() != "still down" {
		t.Errorf("WaitFor past its deadline = %v, want the last error, still down", err)
	}
}

func TestRunToFileReturnsBothOutputsOnOneLine(t *testing.T) {
	if _, err := exec.LookPath("sh"); err != nil {
		t.Skip("no sh")
	}
	out, err := RunToFile(exec.Command("sh", "-c", "echo 'one  two'; echo three >&2; exit 3"))
	var exit *exec.ExitError
	if !errors.As(err, &exit) || exit.ExitCode() != 3 {
		t.Errorf("RunToFile error = %v, want exit status 3", err)
	}
	if out != "one two three" {
		t.Errorf("RunToFile output = %q, want %q", out, "one two three")
	}
}

func TestLogTailQuotesTheLastLines(t *testing.T) {
	path := filepath.Join(t.TempDir(), "server.log")
	if err := os.WriteFile(path, []byte("a\nb\nc\nd\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if got := LogTail(path, 2); got != "c | d" {
		t.Errorf("LogTail(2) = %q, want %q", got, "c | d")
	}
	if got := LogTail(path, 10); got != "a | b | c | d" {
		t.Errorf("LogTail(10) = %q, want every line", got)
	}
	if got := LogTail(filepath.Join(t.TempDir(), "none.log"), 2); got != "" {
		t.Errorf("LogTail of a missing log = %q, want nothing", got)
	}
}

// installPostgres makes root/<major>/bin holding stand-ins for the named
// programs, each of which prints the version line pg_ctl --version does.
func installPostgres(t *testing.T, root string, major int, programs ...string) string {
	t.Helper()
	bin := filepath.Join(root, strconv.Itoa(major), "bin")
	if err := os.MkdirAll(bin, 0o755); err != nil {
		t.Fatal(err)
	}
	script := fmt.Sprintf("#!/bin/sh\necho '$0 (PostgreSQL) %d.2'\n", major)
	for _, name := range programs {
		if err := os.WriteFile(filepath.Join(bin, name), []byte(script), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	return bin
}

func notOnPath(string) (string, error) { return "", exec.ErrNotFound }

func TestFindPostgresWantsEveryProgramAskedFor(t *testing.T) {
	if _, err := exec.LookPath("sh"); err != nil {
		t.Skip("the stand-in programs are sh scripts and there is no sh")
	}
	root := t.TempDir()
	server := []string{"initdb", "pg_ctl", "postgres"}
	withBackup := installPostgres(t, root, 15, append(server, "pg_basebackup")...)
	serverOnly := installPostgres(t, root, 16, server...)
	installPostgres(t, root, 17, "pg_ctl", "postgres") // no initdb: not a server install
	globs := []string{filepath.Join(root, "*", "bin")}

	cases := []struct {
		name string
		also []string
		want string
	}{
		{"the highest complete version", nil, serverOnly},
		{"only one with pg_basebackup", []string{"pg_basebackup"}, withBackup},
		{"none with every program", []string{"pg_rewind"}, ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got, err := FindPostgres(notOnPath, globs, 0, c.also...)
			if c.want == "" {
				if !errors.Is(err, ErrNotInstalled) {
					t.Fatalf("FindPostgres = %+v, %v; want ErrNotInstalled", got, err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got.Dir != c.want {
				t.Errorf("FindPostgres = %+v, want the one in %s", got, c.want)
			}
		})
	}
}

func TestCommandLeavesOutThePostgresEnvironment(t *testing.T) {
	t.Setenv("PGDATA", "/somewhere/else")
	t.Setenv("PGPORT", "1")
	t.Setenv("ONWARD_SERVERPROC_TEST", "kept")
	b := &Postgres{Dir: "/opt/pg/bin", Major: 16}
	cmd := b.Command(context.Background(), nil, "pg_ctl", "status")
	if cmd.Path != "/opt/pg/bin/pg_ctl" || cmd.Dir != "/" {
		t.Errorf("Command runs %s in %s, want /opt/pg/bin/pg_ctl in /", cmd.Path, cmd.Dir)
	}
	for _, kv := range cmd.Env {
		if strings.HasPrefix(kv, "PG") {
			t.Errorf("Command passes %s on; PG variables would point pg_ctl elsewhere", kv)
		}
	}
	if !slices.Contains(cmd.Env, "ONWARD_SERVERPROC_TEST=kept") {
		t.Error("Command dropped the rest of the environment")
	}
}
