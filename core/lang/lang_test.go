package lang_test

import (
	"strings"
	"testing"

	"github.com/onward-network/onward/core/lang"
	"github.com/onward-network/onward/templates"
)

// A language is named by any of its switch words or by its own name in
// capitals, whatever script it is written in; other words name none.
func TestNamed(t *testing.T) {
	cat, err := lang.Load(templates.FS, nil)
	if err != nil {
		t.Fatal(err)
	}
	for word, want := range map[string]string{"POLSKI": "pl", "PO POLSKU": "pl", "УКРАЇНСЬКА": "uk", "UKRAINIAN": "uk"} {
		if got, ok := cat.Named(word); !ok || got != want {
			t.Errorf("Named(%q) = %q, %v; want %q", word, got, ok, want)
		}
	}
	for _, l := range cat.Languages() {
		if got, ok := cat.Named(strings.ToUpper(l.Name)); !ok || got != l.Code {
			t.Errorf("the name of %s, %q, names %q (%v)", l.Code, l.Name, got, ok)
		}
	}
	for _, word := range []string{"", "HELLO", "polski", "POLSK"} {
		if got, ok := cat.Named(word); ok {
			t.Errorf("Named(%q) = %q, want none", word, got)
		}
	}
}
