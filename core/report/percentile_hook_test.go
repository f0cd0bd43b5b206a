package report

import "testing"

// SetExactTimesLimit sets, for the length of a test, the most referrals a
// report's dates may hold for its times to be exact, so a test can see the
// estimates given over more. It lives in a test file: only tests need it.
func SetExactTimesLimit(t *testing.T, n int64) {
	was := exactTimesLimit
	exactTimesLimit = n
	t.Cleanup(func() { exactTimesLimit = was })
}
