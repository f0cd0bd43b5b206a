package config

import (
	"bytes"
	"errors"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// -update rewrites README.md's configuration table from Table (the flag
// is shared with coretest's golden files, registered once, should these
// tests ever import it).
func init() {
	if flag.Lookup("update") == nil {
		flag.Bool("update", false, "rewrite golden files and README.md's configuration table")
	}
}

func updatingREADME() bool { return flag.Lookup("update").Value.String() == "true" }

// The README's configuration table sits between these two lines; the
// first says how to regenerate it.
const (
	readmeTableStart = "<!-- configuration table: generated from config.Table() by `make config-table`; do not edit by hand -->\n"
	readmeTableEnd   = "<!-- end of configuration table -->\n"
)

// TestTableInREADME fails when the README's configuration table
// differs from the settings' own names, defaults and help; -update (or
// `make config-table`) rewrites it.
func TestTableInREADME(t *testing.T) {
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
	got, want := string(readme[body:end]), Table()
	if got == want {
		return
	}
	if !updatingREADME() {
		t.Fatalf("README.md's configuration table differs from Table(); run `make config-table`.\nREADME:\n%s\nTable():\n%s", got, want)
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

// An on-call review: the table showed ONWARD_DATABASE_URL's local default
// as a plain default, although outside dev no command falls back to it.
// A setting's row says its default is dev's alone exactly when Load uses
// it in dev only (setting.devDefault, the one definition of both).
func TestTableSaysWhichDefaultsAreDevOnly(t *testing.T) {
	rows := map[string]string{}
	for _, line := range strings.Split(Table(), "\n") {
		if name, _, ok := strings.Cut(strings.TrimPrefix(line, "| `"), "`"); ok && strings.HasPrefix(line, "| `") {
			rows[name] = line
		}
	}
	for _, s := range settings {
		if s.def == "" {
			continue
		}
		if got := strings.Contains(rows[s.name], devOnlyDefault); got != s.devDefault {
			t.Errorf("%s's row says its default is dev's only: %v, want %v:\n%s", s.name, got, s.devDefault, rows[s.name])
		}
	}
	row := rows["ONWARD_DATABASE_URL"]
	if !strings.Contains(row, "`postgres://localhost:5432/onward?sslmode=disable` in dev only (`ONWARD_ENV=dev`); required outside dev") {
		t.Errorf("ONWARD_DATABASE_URL's row does not say its default is dev's only:\n%s", row)
	}
	// And Load agrees: outside dev the URL is not filled in, in dev it is.
	prod, _ := Load(func(string) string { return "" })
	dev, _ := Load(func(k string) string { return map[string]string{"ONWARD_ENV": "dev"}[k] })
	if prod.DatabaseURL != "" || dev.DatabaseURL == "" {
		t.Errorf("Load's database URL: %q outside dev, %q in dev; want none outside dev and the local default in dev", prod.DatabaseURL, dev.DatabaseURL)
	}
}
