package main

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/onward-network/onward/core"
)

// A second checkout on a machine whose PostgreSQL already holds the demo
// network (a fresh clone, or a state folder deleted) used to make keys of
// its own and then refuse to start: a state folder without keys takes
// those last proven to open its database, kept once per database for
// every checkout; keys not yet proven are not kept, and a state folder's
// own keys still win.
func TestDevKeysFollowTheDatabase(t *testing.T) {
	t.Setenv("XDG_CONFIG_HOME", t.TempDir())
	t.Setenv("HOME", t.TempDir())
	shared := databaseSecretsPath("postgres://root:one@127.0.0.1:5432/onward?sslmode=disable")
	if shared == "" || !strings.HasPrefix(shared, os.Getenv("XDG_CONFIG_HOME")) {
		t.Fatalf("keys kept for the database at %q, want a file under the user's configuration folder", shared)
	}
	if other := databaseSecretsPath("postgres://root:two@127.0.0.1:5432/onward?sslmode=disable"); other != shared {
		t.Errorf("the same database with another password is kept at %q, want %q", other, shared)
	}
	if other := databaseSecretsPath("postgres://root:one@127.0.0.1:5432/onward_other?sslmode=disable"); other == shared {
		t.Error("another database shares the first one's keys")
	}
	noWarning := func(m string) { t.Errorf("unexpected warning: %s", m) }

	first, second, own := t.TempDir(), t.TempDir(), t.TempDir()
	a, err := devSecrets(first, shared, noWarning)
	if err != nil {
		t.Fatal(err)
	}
	if kept, err := readDevSecrets(shared); err != nil || kept != nil {
		t.Fatalf("keys not yet proven to open the database were kept for it: %v (%v)", kept, err)
	}
	if err := keepDatabaseSecrets(shared, a); err != nil { // as dev does once serving
		t.Fatal(err)
	}
	b, err := devSecrets(second, shared, noWarning)
	if err != nil {
		t.Fatal(err)
	}
	if a["ONWARD_ENCRYPTION_KEY"] == "" || b["ONWARD_ENCRYPTION_KEY"] != a["ONWARD_ENCRYPTION_KEY"] || b["ONWARD_SESSION_SECRET"] != a["ONWARD_SESSION_SECRET"] {
		t.Fatal("a second checkout made keys of its own for a database the first one's keys opened")
	}
	if kept, err := readDevSecrets(filepath.Join(second, devSecretsFile)); err != nil || kept["ONWARD_ENCRYPTION_KEY"] != a["ONWARD_ENCRYPTION_KEY"] {
		t.Errorf("the second checkout's state folder holds %v (%v), want the database's keys, for commands run beside dev", kept, err)
	}

	// A state folder with keys of its own keeps them, and leaves the copy
	// kept for the database alone until they are proven.
	mine := map[string]string{"ONWARD_ENCRYPTION_KEY": "own-key", "ONWARD_SESSION_SECRET": "own-secret"}
	if err := writeDevSecrets(filepath.Join(own, devSecretsFile), mine); err != nil {
		t.Fatal(err)
	}
	c, err := devSecrets(own, shared, noWarning)
	if err != nil {
		t.Fatal(err)
	}
	if c["ONWARD_ENCRYPTION_KEY"] != "own-key" {
		t.Errorf("a state folder's own key was replaced by %q", c["ONWARD_ENCRYPTION_KEY"])
	}
	if kept, _ := readDevSecrets(shared); kept["ONWARD_ENCRYPTION_KEY"] != a["ONWARD_ENCRYPTION_KEY"] {
		t.Errorf("the database's kept key became %q before the new keys opened it", kept["ONWARD_ENCRYPTION_KEY"])
	}
	if err := keepDatabaseSecrets(shared, c); err != nil { // the database made afresh with them
		t.Fatal(err)
	}
	if kept, _ := readDevSecrets(shared); kept["ONWARD_ENCRYPTION_KEY"] != "own-key" {
		t.Errorf("keys proven later were not kept: %q", kept["ONWARD_ENCRYPTION_KEY"])
	}
}

// The copy kept for the database is a convenience: when it cannot be
// read, dev says so and goes on with new keys in its state folder.
func TestDevKeysWithAnUnreadableCopy(t *testing.T) {
	shared := filepath.Join(t.TempDir(), "keys.env")
	if err := os.Mkdir(shared, 0o700); err != nil { // a folder where the file should be
		t.Fatal(err)
	}
	var warnings []string
	dir := t.TempDir()
	s, err := devSecrets(dir, shared, func(m string) { warnings = append(warnings, m) })
	if err != nil {
		t.Fatal(err)
	}
	if s["ONWARD_ENCRYPTION_KEY"] == "" || len(warnings) != 1 || !strings.Contains(warnings[0], "unreadable") {
		t.Errorf("keys %v, warnings %q; want new keys and the unreadable copy named", s, warnings)
	}
	if kept, err := readDevSecrets(filepath.Join(dir, devSecretsFile)); err != nil || kept["ONWARD_ENCRYPTION_KEY"] != s["ONWARD_ENCRYPTION_KEY"] {
		t.Errorf("the state folder holds %v (%v), want the new keys", kept, err)
	}
}

// serve and the worker name the setting when the keys do not open the
// database; `onward dev` tells the errors apart to say where its keys
// went and how to start the demo afresh.
func TestDevSaysWhyItsKeysDoNotOpenTheDatabase(t *testing.T) {
	if err := error(keysRefusedError{}); !errors.Is(err, core.ErrKeysDoNotOpen) || !strings.HasPrefix(err.Error(), "ONWARD_ENCRYPTION_KEY does not open") {
		t.Errorf("keys refused: %q, is ErrKeysDoNotOpen %v", err, errors.Is(err, core.ErrKeysDoNotOpen))
	}
	msg := devKeysRefused(".onward", "postgres://root:secret@127.0.0.1:5432/onward?sslmode=disable").Error()
	for _, want := range []string{".onward/dev-secrets.env", "onward on 127.0.0.1:5432", "another checkout", "dropdb", "make run"} {
		if !strings.Contains(msg, want) {
			t.Errorf("dev's message does not say %q:\n%s", want, msg)
		}
	}
	if strings.Contains(msg, "secret@") {
		t.Errorf("dev's message shows the database password:\n%s", msg)
	}
}
