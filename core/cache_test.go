package core

import (
	"errors"
	"sync"
	"testing"
)

// TestCachedOrKeepsNothingReadAcrossAForget: a value read while the
// cache was forgotten (settings changed) is returned but not kept, a
// failed read keeps nothing, and a fresh value is read once.
func TestCachedOrKeepsNothingReadAcrossAForget(t *testing.T) {
	t.Parallel()
	var (
		mu    sync.Mutex
		gen   uint64
		kept  string
		reads int
	)
	cached := func() (string, bool) { return kept, kept != "" }
	store := func(v string) { kept = v }
	get := func(read func() (string, error)) (string, error) {
		return cachedOr(&mu, &gen, cached, func() (string, error) { reads++; return read() }, store)
	}
	v, err := get(func() (string, error) { mu.Lock(); gen++; mu.Unlock(); return "old", nil })
	if err != nil || v != "old" || kept != "" {
		t.Fatalf("read across a forget: got %q, %v; kept %q, want it returned and not kept", v, err, kept)
	}
	if _, err := get(func() (string, error) { return "", errors.New("no database") }); err == nil || kept != "" {
		t.Fatalf("a failed read: err %v, kept %q", err, kept)
	}
	if v, _ := get(func() (string, error) { return "new", nil }); v != "new" || kept != "new" {
		t.Fatalf("a plain read: got %q, kept %q", v, kept)
	}
	before := reads
	if v, _ := get(func() (string, error) { return "other", nil }); v != "new" || reads != before {
		t.Fatalf("a fresh value was read again: got %q after %d reads", v, reads-before)
	}
}
