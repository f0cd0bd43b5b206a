package report

import (
	"fmt"
	"strconv"
	"strings"
)

// Times (to acknowledge, to contact, in triage) are kept in the rollups as
// histograms rather than as every value, so a percentile over a million
// referrals can be estimated from a few dozen counters: the reports use
// them only over dates holding too many referrals to read their times
// exactly (see percentile.go). The buckets are spaced
// roughly logarithmically in minutes, from 5 minutes to 30 days: a bucket
// is at most about twice as wide as the one before, so an estimate within
// a bucket is off by less than the bucket's width. Beyond 30 days the last
// bucket is open-ended and its lower bound stands in for the value.
var histogramBounds = []float64{5, 10, 15, 30, 45, 60, 90, 120, 180, 240, 360, 480, 720, 960,
	1440, 2160, 2880, 4320, 5760, 7200, 10080, 20160, 43200}

// histogramBuckets is the number of buckets: one below the first bound,
// one between each pair, one above the last.
const histogramBuckets = 24

// histogramBoundsSQL is the bounds as a Postgres array literal for
// width_bucket, which numbers the buckets 0–23 exactly as above.
var histogramBoundsSQL = func() string {
	parts := make([]string, len(histogramBounds))
	for i, b := range histogramBounds {
		parts[i] = strconv.FormatFloat(b, 'f', -1, 64)
	}
	return "'{" + strings.Join(parts, ",") + "}'::float8[]"
}()

// Histogram counts durations in the rollup's buckets.
type Histogram [histogramBuckets]int64

// histogramColumns names the rollup columns of one histogram ("ack_00"…).
func histogramColumns(prefix string) []string {
	cols := make([]string, histogramBuckets)
	for i := range cols {
		cols[i] = fmt.Sprintf("%s_%02d", prefix, i)
	}
	return cols
}

// Count is how many durations the histogram holds.
func (h Histogram) Count() int64 {
	var n int64
	for _, c := range h {
		n += c
	}
	return n
}

// Add adds another histogram's counts to h.
func (h *Histogram) Add(o Histogram) {
	for i := range h {
		h[i] += o[i]
	}
}

// bucketBounds returns a bucket's lower and upper bound in minutes; the
// last bucket's upper bound is its lower bound.
func bucketBounds(b int) (lo, hi float64) {
	if b > 0 {
		lo = histogramBounds[b-1]
	}
	if b < len(histogramBounds) {
		hi = histogramBounds[b]
	} else {
		hi = lo
	}
	return lo, hi
}

// Percentile estimates the p-th percentile (0 < p < 1) in minutes: it finds
// the bucket holding the value ranked p·n and interpolates linearly within
// it, as if the values in a bucket were spread evenly. ok is false for an
// empty histogram.
func (h Histogram) Percentile(p float64) (minutes float64, ok bool) {
	n := h.Count()
	if n == 0 {
		return 0, false
	}
	rank := p * float64(n)
	var before float64
	for b, c := range h {
		if c == 0 {
			continue
		}
		if before+float64(c) >= rank {
			lo, hi := bucketBounds(b)
			frac := (rank - before) / float64(c)
			return lo + (hi-lo)*frac, true
		}
		before += float64(c)
	}
	lo, _ := bucketBounds(histogramBuckets - 1)
	return lo, true
}

// Below estimates how many durations are under a number of minutes,
// spreading each bucket's count evenly across it as Percentile does.
func (h Histogram) Below(minutes float64) float64 {
	var n float64
	for b, c := range h {
		lo, hi := bucketBounds(b)
		switch {
		case c == 0:
		case b == histogramBuckets-1:
			if minutes > lo {
				n += float64(c)
			}
		case minutes >= hi:
			n += float64(c)
		case minutes > lo:
			n += float64(c) * (minutes - lo) / (hi - lo)
		}
	}
	return n
}
