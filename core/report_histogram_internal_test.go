package core

// HistogramBucketOf returns the bounds in minutes of the bucket a duration
// of so many minutes falls in (the last bucket's upper bound is its lower
// bound). Only the report tests use it, to check the histogram estimates,
// so it lives in a test file (core_test sees it; the binary does not).
func HistogramBucketOf(minutes float64) (lo, hi float64) {
	b := 0
	for b < len(histogramBounds) && minutes >= histogramBounds[b] {
		b++
	}
	return bucketBounds(b)
}
