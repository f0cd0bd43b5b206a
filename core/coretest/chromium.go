package coretest

import (
	"os"
	"os/exec"
	"testing"
)

// ChromiumInstall is the one line a browser test says when it skips.
const ChromiumInstall = "browser tests skipped: Chromium not found; install it with `sudo apt-get install chromium` (or set ONWARD_CHROMIUM to the browser's path)"

// Chromium returns the path of the Chromium the browser tests drive:
// ONWARD_CHROMIUM, else Debian's /usr/bin/chromium, else chromium or
// chromium-browser on PATH. Without one the test skips, saying how to
// install it, so `make test` needs only Go, PostgreSQL and Redis; with
// ONWARD_REQUIRE_BROWSER=1 (CI sets it) a missing browser fails the test
// instead, so CI always runs them.
func Chromium(t testing.TB) string {
	t.Helper()
	if p := os.Getenv("ONWARD_CHROMIUM"); p != "" {
		if _, err := os.Stat(p); err != nil {
			t.Fatalf("ONWARD_CHROMIUM=%s: %v", p, err)
		}
		return p
	}
	for _, p := range []string{"/usr/bin/chromium", "/usr/bin/chromium-browser"} {
		if _, err := os.Stat(p); err == nil {
			return p
		}
	}
	for _, name := range []string{"chromium", "chromium-browser"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	if os.Getenv("ONWARD_REQUIRE_BROWSER") == "1" {
		t.Fatal("ONWARD_REQUIRE_BROWSER=1 but Chromium was not found; install it with `sudo apt-get install chromium` (or set ONWARD_CHROMIUM to the browser's path)")
	}
	t.Skip(ChromiumInstall)
	return ""
}
