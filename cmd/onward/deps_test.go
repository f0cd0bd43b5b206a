package main

import (
	"os/exec"
	"path"
	"slices"
	"strings"
	"testing"
)

// TestBinaryLinksNoTestCode fails when the onward binary would link test
// code: the testing package, httptest (which adds a flag at start-up), a
// test-helper package of ours (coretest, notifytest, any *test package)
// or chromedp. The benchmarks, which need those, live in cmd/onward-bench.
func TestBinaryLinksNoTestCode(t *testing.T) {
	goTool, err := exec.LookPath("go")
	if err != nil {
		t.Fatalf("the go command is needed to list the binary's packages: %v", err)
	}
	out, err := exec.Command(goTool, "list", "-deps", "github.com/onward-network/onward/cmd/onward").Output()
	if err != nil {
		t.Fatalf("go list -deps: %v", err)
	}
	deps := strings.Fields(string(out))
	if len(deps) < 50 || !slices.Contains(deps, "github.com/onward-network/onward/core") {
		t.Fatalf("go list -deps gave %d packages, not the binary's: %q", len(deps), out)
	}
	for _, p := range deps {
		ours := strings.HasPrefix(p, "github.com/onward-network/onward/")
		if p == "testing" || strings.HasPrefix(p, "testing/") || p == "net/http/httptest" ||
			(ours && strings.HasSuffix(path.Base(p), "test")) || strings.Contains(p, "chromedp") {
			t.Errorf("the onward binary links %s: test code belongs in tests or in cmd/onward-bench", p)
		}
	}
}
