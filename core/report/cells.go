package report

import (
	"math"
	"strconv"
)

// Small-number suppression: in anything shared beyond one agency, a count
// from 1 to 4 could point at a person, so it is shown as "<5" (0 stays 0:
// nobody is identified by nobody). Figures worked out from fewer than 5
// referrals — percentiles, means, shares of a suppressed count — are left
// out for the same reason. Totals are shown as they are, so a suppressed
// cell can sometimes be worked out from its row's total and the other
// cells; reports for publication should be checked for that by hand.
const suppressBelow = 5

// SuppressedText is what a suppressed count shows.
const SuppressedText = "<5"

// TooFewText is what a rate, median or mean shows when fewer than 5
// referrals stand behind it and small numbers are suppressed. It is never
// "<5": a percentage or a number of hours is not a count.
const TooFewText = "too few to show"

func tooFewCell() Cell { return Cell{Text: TooFewText, Suppressed: true, TooFew: true} }

func textCell(s string) Cell { return Cell{Text: s} }

// emptyCell is a figure that does not exist (no referral to take a median
// of): blank in CSV, null in JSON, a dash on screen.
func emptyCell() Cell { return Cell{} }

func suppressedCell() Cell { return Cell{Text: SuppressedText, Suppressed: true} }

func numberCell(x float64, decimals int) Cell {
	v := math.Round(x*math.Pow10(decimals)) / math.Pow10(decimals)
	return Cell{Text: strconv.FormatFloat(v, 'f', decimals, 64), Value: &v}
}

// small reports whether a count is one a suppressed report hides.
func (q *reportQuery) small(n int64) bool { return q.suppress && n > 0 && n < suppressBelow }

// count is a count cell, suppressed when small.
func (q *reportQuery) count(n int64) Cell {
	if q.small(n) {
		return suppressedCell()
	}
	return numberCell(float64(n), 0)
}

// countPoint is a count as a chart point.
func (q *reportQuery) countPoint(label string, n int64) Point {
	if q.small(n) {
		return Point{Label: label, Suppressed: true}
	}
	return Point{Label: label, Value: float64(n)}
}

// share is part as a percentage of whole, "too few to show" when the
// whole is fewer than 5 referrals and small numbers are suppressed.
func (q *reportQuery) share(part, whole int64) Cell {
	if whole == 0 {
		return emptyCell()
	}
	if !q.basedOn(whole) {
		return tooFewCell()
	}
	return numberCell(100*float64(part)/float64(whole), 1)
}

// figure is a rate, mean or sum worked out from n referrals, shown to the
// given decimals unless n is too few for a suppressed reader.
func (q *reportQuery) figure(x float64, n int64, decimals int) Cell {
	if n == 0 {
		return emptyCell()
	}
	if !q.basedOn(n) {
		return tooFewCell()
	}
	return numberCell(x, decimals)
}

// figurePoint is figure as a chart point.
func (q *reportQuery) figurePoint(label string, x float64, n int64) Point {
	if n == 0 {
		return Point{Label: label}
	}
	if !q.basedOn(n) {
		return Point{Label: label, Suppressed: true, TooFew: true}
	}
	return Point{Label: label, Value: math.Round(x*10) / 10}
}

// basedOn reports whether a figure drawn from n referrals may be shown.
func (q *reportQuery) basedOn(n int64) bool { return !q.suppress || n >= suppressBelow }

// hours is a percentile of a histogram of minutes, in hours.
func (q *reportQuery) hours(h Histogram, p float64) Cell {
	n := h.Count()
	if n == 0 {
		return emptyCell()
	}
	if !q.basedOn(n) {
		return tooFewCell()
	}
	m, _ := h.Percentile(p)
	return numberCell(m/60, 1)
}

// hoursPoint is a percentile in hours as a chart point.
func (q *reportQuery) hoursPoint(label string, h Histogram, p float64) Point {
	n := h.Count()
	if n == 0 {
		return Point{Label: label}
	}
	if !q.basedOn(n) {
		return Point{Label: label, Suppressed: true, TooFew: true}
	}
	m, _ := h.Percentile(p)
	return Point{Label: label, Value: math.Round(m/6) / 10}
}
