package report

import (
	"math"
	"strconv"
)

// Small-number suppression: in anything shared beyond one agency, a count
// from 1 to 4 could point at a person, so it is shown as "<5" (0 stays 0:
// nobody is identified by nobody). Hiding the small counts is not enough
// on its own, so a suppressed report also guarantees that no hidden count
// can be worked back exactly from what it does show:
//
//   - from a total: every report declares which of its counts add up to
//     which (adds, addsDown), and where a row or column would give a
//     hidden count back by subtraction, the smallest other count in it,
//     or else its total, is withheld too ("withheld", complementary
//     suppression; see protect). A count withheld that way is 5 or more,
//     and the check allows for a reader knowing that.
//   - from a rate, share or mean: one worked out from fewer than 5
//     referrals, from a count of 1 to 4 (its part, or what is left of its
//     whole), or from a count withheld, is "too few to show" (see
//     worked). A chart point shows exactly what its table cell shows.
//
// Each report is protected on its own: a figure two reports share (an
// agency's referrals received, say) may be hidden in one and shown in the
// other, so reports published together should still be read together.
const suppressBelow = 5

// SuppressedText is what a count of 1 to 4 shows.
const SuppressedText = "<5"

// WithheldText is what a count of 5 or more shows when it is withheld so
// that a count of 1 to 4 beside it cannot be worked out from a total.
const WithheldText = "withheld"

// TooFewText is what a rate, median or mean shows when fewer than 5
// referrals stand behind it, or it would give back a hidden count, and
// small numbers are suppressed. It is never "<5": a percentage or a
// number of hours is not a count.
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

// cellInfo is what a query remembers of a count or worked-out figure it
// made, so that protect can withhold more once the whole report is built.
// The true count never leaves the query.
type cellInfo struct {
	n     int64 // a count's true value
	count bool
	// withheld: a count of 1 to 4, a count protect withheld (secondary),
	// or a figure that is too few to show.
	withheld, secondary bool
	from                []int // a worked-out figure's sources (refs)
}

// sumLine is a total and the counts that add up to it (refs).
type sumLine struct {
	total int
	parts []int
}

func (q *reportQuery) remember(i cellInfo) int {
	q.cells = append(q.cells, i)
	return len(q.cells)
}

// countOf is the true count behind a count cell.
func (q *reportQuery) countOf(c Cell) int64 {
	if c.ref == 0 {
		return 0
	}
	return q.cells[c.ref-1].n
}

// small reports whether a count is one a suppressed report hides.
func (q *reportQuery) small(n int64) bool { return q.suppress && n > 0 && n < suppressBelow }

// count is a count cell, suppressed when small.
func (q *reportQuery) count(n int64) Cell {
	c := numberCell(float64(n), 0)
	if q.small(n) {
		c = suppressedCell()
	}
	c.ref = q.remember(cellInfo{n: n, count: true, withheld: q.small(n)})
	return c
}

// adds records that the counts parts add up to total, so that protect can
// make sure none of them, hidden, can be worked out from the others.
// Cells that are not counts are ignored.
func (q *reportQuery) adds(total Cell, parts ...Cell) {
	if total.ref == 0 || !q.cells[total.ref-1].count {
		return
	}
	l := sumLine{total: total.ref}
	for _, p := range parts {
		if p.ref != 0 && q.cells[p.ref-1].count {
			l.parts = append(l.parts, p.ref)
		}
	}
	q.sums = append(q.sums, l)
}

// addsDown records that, column by column, the counts of rows add up to
// the count in total (a "Total" or "All agencies" row).
func (q *reportQuery) addsDown(total []Cell, rows ...[]Cell) {
	for j, t := range total {
		parts := make([]Cell, 0, len(rows))
		for _, row := range rows {
			parts = append(parts, row[j])
		}
		q.adds(t, parts...)
	}
}

// share is part as a percentage of whole. It is worked out from both, and
// from any count in also that it would give back with them (the other
// part of a whole not shown).
func (q *reportQuery) share(part, whole Cell, also ...Cell) Cell {
	p, w := q.countOf(part), q.countOf(whole)
	if w == 0 {
		return emptyCell()
	}
	// With the whole, a share gives back what is left of it as surely as
	// its part.
	return q.worked(100*float64(p)/float64(w), 1, w, q.small(w-p), append([]Cell{part, whole}, also...)...)
}

// figure is a rate, mean or sum worked out from n referrals, shown to the
// given decimals; from are the counts it would give back (a gain per
// client gives back the clients).
func (q *reportQuery) figure(x float64, n int64, decimals int, from ...Cell) Cell {
	if n == 0 {
		return emptyCell()
	}
	return q.worked(x, decimals, n, false, from...)
}

// meanScore is the mean of clients' 1–5 scores. With how many scored it
// would give back a hidden score count, so it is too few to show when
// any score count is small, as well as when a count in from is hidden.
func (q *reportQuery) meanScore(scores [5]int64, from ...Cell) Cell {
	n, mean := scoreStats(scores)
	if n == 0 {
		return emptyCell()
	}
	hide := false
	for _, c := range scores {
		hide = hide || q.small(c)
	}
	return q.worked(mean, 2, n, hide, from...)
}

// worked is a figure worked out from n referrals and the counts from. In a
// suppressed report it is too few to show when n is under 5, when hide,
// or when any of from is hidden — now, or by protect later.
func (q *reportQuery) worked(x float64, decimals int, n int64, hide bool, from ...Cell) Cell {
	info := cellInfo{withheld: q.suppress && (hide || n < suppressBelow)}
	for _, c := range from {
		if c.ref == 0 {
			continue
		}
		info.from = append(info.from, c.ref)
		info.withheld = info.withheld || q.cells[c.ref-1].withheld
	}
	c := numberCell(x, decimals)
	if info.withheld {
		c = tooFewCell()
	}
	c.ref = q.remember(info)
	return c
}

// hours is a percentile (0.5 or 0.9) of a time, in hours. A percentile
// gives no count back, so only the number of referrals behind it matters.
func (q *reportQuery) hours(t timeStats, p float64) Cell {
	if t.n == 0 {
		return emptyCell()
	}
	if q.suppress && t.n < suppressBelow {
		return tooFewCell()
	}
	return numberCell(t.at(p)/60, 1)
}

// point is a table cell as a chart point: the same figure, withheld the
// same way (protect keeps the two in step), none where the cell has none.
func point(label string, c Cell) Point {
	p := Point{Label: label, Suppressed: c.Suppressed, TooFew: c.TooFew, ref: c.ref, none: c.Value == nil && !c.Suppressed}
	if c.Value != nil {
		p.Value = *c.Value
	}
	return p
}

// protect finishes a suppressed report: it withholds counts until no sum
// the report declared gives a hidden count back (complementary
// suppression), then hides every worked-out figure and chart point that
// rests on a hidden count. Every report goes through it (see Run).
func (q *reportQuery) protect(r *Report) {
	if !q.suppress {
		return
	}
	for q.withholdAnother() {
	}
	for i := range q.cells {
		c := &q.cells[i]
		for _, s := range c.from {
			c.withheld = c.withheld || q.cells[s-1].withheld
		}
	}
	for _, row := range r.Rows {
		for j, c := range row {
			if c.ref != 0 && q.cells[c.ref-1].withheld && !c.Suppressed {
				row[j] = Cell{Text: TooFewText, Suppressed: true, TooFew: true, ref: c.ref}
				if q.cells[c.ref-1].count {
					row[j] = Cell{Text: WithheldText, Suppressed: true, ref: c.ref}
				}
			}
		}
	}
	for _, s := range r.Series {
		for i, p := range s.Points {
			if p.ref != 0 && q.cells[p.ref-1].withheld && !p.Suppressed {
				s.Points[i] = Point{Label: p.Label, Suppressed: true, TooFew: !q.cells[p.ref-1].count, Partial: p.Partial, ref: p.ref}
			}
		}
	}
}

// withholdAnother finds a sum that gives a hidden count back and withholds
// one more of its counts: the smallest other non-zero part, or else the
// total (the standard rule of complementary suppression). It reports
// whether it withheld one; protect repeats it until no sum gives one back.
func (q *reportQuery) withholdAnother() bool {
	for _, l := range q.sums {
		if !q.givesBack(l) {
			continue
		}
		pick := 0
		for _, p := range l.parts {
			c := q.cells[p-1]
			if !c.withheld && c.n > 0 && (pick == 0 || c.n < q.cells[pick-1].n) {
				pick = p
			}
		}
		if t := q.cells[l.total-1]; pick == 0 && !t.withheld && t.n > 0 {
			pick = l.total
		}
		if pick != 0 {
			q.cells[pick-1].withheld, q.cells[pick-1].secondary = true, true
			return true
		}
	}
	return false
}

// givesBack reports whether a reader could work out a hidden count of the
// sum exactly from the counts shown: parts − total = 0, where a count of
// 1 to 4 is known to lie between 1 and 4 and a withheld one to be 5 or
// more. With one hidden count that is always so; with more it is so
// when their bounds leave one of them a single value (two hidden counts
// of a row whose total leaves 2 for them are both 1).
func (q *reportQuery) givesBack(l sumLine) bool {
	type hidden struct{ sign, lo, hi float64 }
	var known float64 // what the hidden counts, signed, add up to
	var hs []hidden
	add := func(ref int, sign float64) {
		switch c := q.cells[ref-1]; {
		case !c.withheld:
			known -= sign * float64(c.n)
		case c.secondary:
			hs = append(hs, hidden{sign, suppressBelow, math.Inf(1)})
		default:
			hs = append(hs, hidden{sign, 1, suppressBelow - 1})
		}
	}
	add(l.total, -1)
	for _, p := range l.parts {
		add(p, 1)
	}
	for i, h := range hs {
		// h.sign·x = known − (the others), whose range is [lo, hi].
		lo, hi := known, known
		for k, o := range hs {
			switch {
			case k == i:
			case o.sign > 0:
				lo, hi = lo-o.hi, hi-o.lo
			default:
				lo, hi = lo+o.lo, hi+o.hi
			}
		}
		if h.sign < 0 {
			lo, hi = -hi, -lo
		}
		if max(lo, h.lo) == min(hi, h.hi) {
			return true
		}
	}
	return false
}

// TextRow is a row of text cells, for a table written from strings (the
// audit search's download), so it gets WriteCSV's guard against cells
// read as spreadsheet formulas.
func TextRow(texts []string) []Cell {
	row := make([]Cell, len(texts))
	for i, s := range texts {
		row[i] = textCell(s)
	}
	return row
}
