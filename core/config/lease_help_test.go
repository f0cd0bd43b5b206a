package config

import (
	"strings"
	"testing"
)

// An on-call review: ONWARD_WORKER_LEASE's help said only that it bounds
// how late a crashed delivery is retried, not that an email send waits
// for the mail server's answer to its final "." no longer than the lease
// (RFC 5321 asks for up to 10 minutes), so shortening it shortens that
// wait too.
func TestWorkerLeaseHelpNamesTheFinalDotWait(t *testing.T) {
	for _, line := range strings.Split(Table(), "\n") {
		if !strings.HasPrefix(line, "| `ONWARD_WORKER_LEASE` |") {
			continue
		}
		for _, want := range []string{`the mail server's answer to the final "."`, "RFC 5321"} {
			if !strings.Contains(line, want) {
				t.Errorf("ONWARD_WORKER_LEASE's help does not say %q:\n%s", want, line)
			}
		}
		return
	}
	t.Fatal("the configuration table has no ONWARD_WORKER_LEASE")
}
