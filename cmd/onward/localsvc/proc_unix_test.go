//go:build unix

package localsvc

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/onward-network/onward/internal/serverproc"
)

func TestCanReachNamesTheFolderToOpen(t *testing.T) {
	// A user that owns nothing here: only the "other" permission bits apply.
	stranger := &serverproc.Account{Name: "stranger", UID: 54321, GID: 54321}
	root := reachableTempDir(t)
	open := filepath.Join(root, "open")
	shut := filepath.Join(open, "shut")
	if err := os.MkdirAll(filepath.Join(shut, "state"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := canReach(stranger, filepath.Join(shut, "state", "pg")); err != nil {
		t.Fatalf("all folders are 0755, yet: %v", err)
	}
	if err := os.Chmod(shut, 0o750); err != nil {
		t.Fatal(err)
	}
	err := canReach(stranger, filepath.Join(shut, "state", "pg"))
	if err == nil || !strings.Contains(err.Error(), "chmod o+x "+shut) {
		t.Fatalf("canReach = %v, want an error telling to chmod o+x %s", err, shut)
	}
	if err := canReach(nil, filepath.Join(shut, "state", "pg")); err != nil {
		t.Errorf("no account to switch to means nothing to check, got %v", err)
	}
}
