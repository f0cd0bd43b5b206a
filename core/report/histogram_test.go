package report

// HistogramBucketOf returns the bounds in minutes of the bucket a duration
// of so many minutes falls in (the last bucket's upper bound is its lower
// bound), so tests can check a percentile estimate lands in the bucket of
// the exact value. It lives in a test file: only tests need it.
func HistogramBucketOf(minutes float64) (lo, hi float64) {
	b := 0
	for b < len(histogramBounds) && minutes >= histogramBounds[b] {
		b++
	}
	return bucketBounds(b)
}
