package lang

import (
	"bytes"
	"log/slog"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/onward-network/onward/templates"
)

// The embedded message files are read once a process: two Loads share
// what was read, yet each Catalogue logs its own missing messages.
func TestLoadReadsEmbeddedFilesOnce(t *testing.T) {
	var logA, logB bytes.Buffer
	a, err := Load(templates.FS, slog.New(slog.NewTextHandler(&logA, nil)))
	if err != nil {
		t.Fatal(err)
	}
	b, err := Load(templates.FS, slog.New(slog.NewTextHandler(&logB, nil)))
	if err != nil {
		t.Fatal(err)
	}
	if a == b || a.messages != b.messages {
		t.Fatalf("two Loads of the embedded files: catalogues the same %v, their messages shared %v; want two catalogues over one reading", a == b, a.messages == b.messages)
	}
	a.missing("pl", "example.id")
	a.missing("pl", "example.id")
	b.missing("pl", "example.id")
	for name, buf := range map[string]*bytes.Buffer{"first": &logA, "second": &logB} {
		if n := strings.Count(buf.String(), "example.id"); n != 1 {
			t.Errorf("the %s catalogue logged the missing message %d times, want once:\n%s", name, n, buf)
		}
	}
}

// Files that are not embedded may change between Loads, so they are read
// every time.
func TestLoadReadsOtherFilesAfresh(t *testing.T) {
	fsys := fstest.MapFS{"i18n/en.toml": {Data: []byte("[language]\nname = \"English\"\nenglish = \"English\"\ndirection = \"ltr\"\n")}}
	a, err := Load(fsys, nil)
	if err != nil {
		t.Fatal(err)
	}
	fsys["i18n/en.toml"] = &fstest.MapFile{Data: []byte("[language]\nname = \"Inglis\"\nenglish = \"English\"\ndirection = \"ltr\"\n")}
	b, err := Load(fsys, nil)
	if err != nil {
		t.Fatal(err)
	}
	if got := []string{a.Languages()[0].Name, b.Languages()[0].Name}; got[0] != "English" || got[1] != "Inglis" {
		t.Errorf("names read by two Loads of a changed file: %q, want English then Inglis", got)
	}
}
