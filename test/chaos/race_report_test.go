package chaos_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// A race the detector prints in a process's log is found, counted and
// quoted up to the end of its report; a clean log has none.
func TestRaceReportReadsTheLog(t *testing.T) {
	dir := t.TempDir()
	p := newProc("worker1", "onward", dir, nil)
	clean := "---- start\nlevel=WARN msg=\"Redis down\"\n"
	if err := os.WriteFile(filepath.Join(dir, "worker1.log"), []byte(clean), 0o600); err != nil {
		t.Fatal(err)
	}
	if report, n := p.raceReport(); n != 0 || report != "" {
		t.Fatalf("a clean log: %d races, %q", n, report)
	}
	race := "==================\nWARNING: DATA RACE\nWrite at 0x00c000 by goroutine 7:\n  notify.(*Worker).run()\n==================\n"
	if err := os.WriteFile(filepath.Join(dir, "worker1.log"), []byte(clean+race+"---- start\n"+race), 0o600); err != nil {
		t.Fatal(err)
	}
	report, n := p.raceReport()
	if n != 2 || !strings.HasPrefix(report, "WARNING: DATA RACE") || !strings.Contains(report, "notify.(*Worker).run()") || strings.Contains(report, "=====") {
		t.Errorf("a log with two races: %d races, first %q", n, report)
	}
}
