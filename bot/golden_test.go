package bot

import (
	"bytes"
	"encoding/json"
	"path/filepath"
	"testing"

	"github.com/onward-network/onward/core/coretest"
)

// goldenJSON writes v as indented JSON and compares it.
func goldenJSON(t *testing.T, name string, v any) {
	t.Helper()
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(v); err != nil {
		t.Fatal(err)
	}
	b := buf.Bytes()
	if bytes.Contains(b, []byte("!copy")) {
		t.Errorf("%s: a copy template failed to render:\n%s", name, b)
	}
	coretest.Golden(t, filepath.Join("testdata", name+".golden"), string(b))
}
