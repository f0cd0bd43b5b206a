package core

import (
	"bytes"
	"errors"
	"flag"
	"os"
	"path/filepath"
	"testing"
)

// -update rewrites README.md's configuration table from ConfigTable (the
// flag is shared with coretest's golden files, registered once).
func init() {
	if flag.Lookup("update") == nil {
		flag.Bool("update", false, "rewrite golden files and README.md's configuration table")
	}
}

func updatingREADME() bool { return flag.Lookup("update").Value.String() == "true" }

// The README's configuration table sits between these two lines; the
// first says how to regenerate it.
const (
	readmeTableStart = "<!-- configuration table: generated from ConfigTable() by `make config-table`; do not edit by hand -->\n"
	readmeTableEnd   = "<!-- end of configuration table -->\n"
)

// TestConfigTableInREADME fails when the README's configuration table
// differs from the settings' own names, defaults and help; -update (or
// `make config-table`) rewrites it.
func TestConfigTableInREADME(t *testing.T) {
	path := filepath.Join(moduleRoot(t), "README.md")
	readme, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	start := bytes.Index(readme, []byte(readmeTableStart))
	end := bytes.Index(readme, []byte(readmeTableEnd))
	if start < 0 || end < start {
		t.Fatalf("README.md has no configuration table between the lines\n%s...\n%s", readmeTableStart, readmeTableEnd)
	}
	body := start + len(readmeTableStart)
	got, want := string(readme[body:end]), ConfigTable()
	if got == want {
		return
	}
	if !updatingREADME() {
		t.Fatalf("README.md's configuration table differs from ConfigTable(); run `make config-table`.\nREADME:\n%s\nConfigTable():\n%s", got, want)
	}
	out := append(append(append([]byte{}, readme[:body]...), want...), readme[end:]...)
	if err := os.WriteFile(path, out, 0o644); err != nil {
		t.Fatal(err)
	}
	t.Logf("rewrote the configuration table in %s", path)
}

// moduleRoot is the nearest folder above the test's own holding go.mod,
// so the test keeps working if the config moves to another package.
func moduleRoot(t *testing.T) string {
	t.Helper()
	dir, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir
		} else if !errors.Is(err, os.ErrNotExist) {
			t.Fatal(err)
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			t.Fatal("no go.mod above the test's folder")
		}
		dir = parent
	}
}
