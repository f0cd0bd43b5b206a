package bot

import (
	"fmt"
	"math"
	"strconv"
	"strings"

	"github.com/onward-network/onward/core/report"
)

// Report charts are drawn on the server as SVG: no script, no library, no
// network. This file works out the geometry; the markup is in
// templates/html/staff/report_chart.html. Every chart sits above the
// report's table, which carries the same figures for screen readers and
// for anyone who prefers numbers.

// seriesColours are the bars' and lines' colours, each at least 4.5:1
// against the white chart (so also above the 3:1 graphical objects need).
// Colour is never the only cue: every bar is labelled with its value,
// bars of the second and later series are hatched (seriesFills), and the
// earlier series of a line chart are dashed.
var seriesColours = []string{"#0b5cab", "#b35900", "#2e7d32", "#6a1b9a"}

// chartBackground is what charts are drawn on; chartInk their text.
const (
	chartBackground = "#ffffff"
	chartInk        = "#1b1b1b"
	chartMuted      = "#555555" // tick labels
	chartFrame      = "#767676" // plot frame and axes: 4.5:1 on white
)

// seriesFill is how bars of series i are filled: the first solid, the
// others with the hatch pattern of their colour defined in the chart.
func seriesFill(i int) string {
	if i == 0 {
		return seriesColours[0]
	}
	return fmt.Sprintf("url(#series-hatch-%d)", i)
}

// hatchView is a hatch pattern for the bars of one series.
type hatchView struct {
	ID     string
	Colour string
}

// chartView is a chart ready for its template.
type chartView struct {
	Kind          report.ChartKind
	Hatches       []hatchView
	Width, Height float64
	Title, Desc   string
	Legend        []legendItem
	Rows          []barRow   // bar charts
	XTicks        []tickView // value axis (bars) or category axis (lines)
	YTicks        []tickView // value axis of line charts
	Lines         []lineView
	Plot          rect // the plotting area
}

type rect struct{ X, Y, W, H float64 }

// Right and Bottom are the far edges, for the template.
func (r rect) Right() float64  { return r.X + r.W }
func (r rect) Bottom() float64 { return r.Y + r.H }

type legendItem struct {
	X, Y   float64
	Colour string
	Fill   string // bar charts: the series' fill (a swatch, not a line)
	Dash   string
	Name   string
}

// LineEnd is where the legend's sample line ends.
func (l legendItem) LineEnd() float64 { return l.X + 22 }

type tickView struct {
	X, Y  float64
	Label string
}

type barRow struct {
	Label  string   // in full: the label's tooltip
	Lines  []string // the label as drawn, wrapped at words (chartLines)
	LabelY float64  // the first line's baseline
	Bars   []barView
}

type barView struct {
	X, Y, W, H float64
	Colour     string
	Fill       string
	Text       string // the value, "<5" or "too few to show"
	TextX      float64
	TextY      float64
}

type lineView struct {
	Colour   string
	Dash     string
	Segments []string // polyline points; a suppressed point breaks the line
	Dots     []dotView
}

// dotView is a point of a line. A partial one (a period only some of
// whose days are counted) is drawn hollow, and always drawn.
type dotView struct {
	X, Y    float64
	Partial bool
}

const (
	chartWidth = 760.0
	barLabelW  = 230.0
	barH       = 14.0
	barGap     = 10.0
	// labelLineH is the height of a line of a bar's label (the dy of its
	// lines in report_chart.html); a label is at
	// most labelLines lines of labelChars characters (what fits in
	// barLabelW at the chart's 12px).
	labelLineH = 13.0
	labelLines = 2
	labelChars = 34
)

// niceMax rounds a maximum up to 1, 2 or 5 times a power of ten, and
// returns it with a tick step.
func niceMax(v float64) (float64, float64) {
	if v <= 0 {
		return 1, 1
	}
	p := math.Pow(10, math.Floor(math.Log10(v)))
	for _, m := range []float64{1, 2, 5, 10} {
		if m*p >= v {
			return m * p, m * p / 4
		}
	}
	return 10 * p, 2.5 * p
}

// axisSteps returns the value axis's top and tick step for a chart whose
// largest value is peak. When every value is a whole number (counts of
// referrals, clients, texts) the step is a whole number too, so that no
// tick claims 1.2 referrals: the largest whole divisor of top not above
// niceMax's step.
func axisSteps(peak float64, whole bool) (float64, float64) {
	top, step := niceMax(peak)
	if !whole || step == math.Trunc(step) {
		return top, step
	}
	d := max(1, math.Floor(step))
	for d > 1 && math.Mod(top, d) != 0 {
		d--
	}
	return top, d
}

// wholeValues reports whether every figure a chart draws is a whole
// number.
func wholeValues(series []report.Series) bool {
	for _, s := range series {
		for _, p := range s.Points {
			if p.HasValue() && p.Value != math.Trunc(p.Value) {
				return false
			}
		}
	}
	return true
}

func formatValue(v float64) string {
	if v == math.Trunc(v) {
		return strconv.FormatFloat(v, 'f', 0, 64)
	}
	return strconv.FormatFloat(v, 'f', 1, 64)
}

// chartFor returns the chart of a report, or nil when the report is best
// shown as a heat table (the partners matrix) or has nothing to draw.
func chartFor(r report.Report) *chartView {
	if len(r.Series) == 0 || len(r.Series[0].Points) == 0 {
		return nil
	}
	switch r.Chart {
	case report.ChartBar:
		return barChart(r)
	case report.ChartLine:
		return lineChart(r)
	}
	return nil
}

// barChart draws horizontal bars, one group per category, one bar per
// series: long agency names fit on the left.
func barChart(r report.Report) *chartView {
	c := &chartView{Kind: report.ChartBar, Width: chartWidth, Title: r.Title, Desc: chartDesc(r)}
	peak := 0.0
	for _, s := range r.Series {
		for _, p := range s.Points {
			peak = max(peak, p.Value)
		}
	}
	top, step := axisSteps(peak, wholeValues(r.Series))
	legendH := 0.0
	if len(r.Series) > 1 {
		legendH = 24
		for i, s := range r.Series {
			colour := seriesColours[i%len(seriesColours)]
			if i > 0 {
				c.Hatches = append(c.Hatches, hatchView{ID: fmt.Sprintf("series-hatch-%d", i), Colour: colour})
			}
			c.Legend = append(c.Legend, legendItem{X: barLabelW + float64(i)*220, Y: 14, Colour: colour, Fill: seriesFill(i), Name: s.Name})
		}
	}
	plotX, plotW := barLabelW, chartWidth-barLabelW-50
	groupH := float64(len(r.Series))*barH + barGap
	for _, p := range r.Series[0].Points {
		groupH = max(groupH, float64(len(chartLines(p.Label)))*labelLineH+barGap)
	}
	y := legendH + 8
	for i, p := range r.Series[0].Points {
		lines := chartLines(p.Label)
		mid := y + (groupH-barGap)/2
		row := barRow{Label: p.Label, Lines: lines, LabelY: mid - float64(len(lines)-1)*labelLineH/2 + 4}
		for si, s := range r.Series {
			if i >= len(s.Points) {
				continue
			}
			pt := s.Points[i]
			b := barView{X: plotX, Y: y + float64(si)*barH, H: barH - 2, Colour: seriesColours[si%len(seriesColours)], Fill: seriesFill(si)}
			switch {
			case pt.TooFew:
				b.Text = report.TooFewText
			case pt.Suppressed:
				b.Text = report.SuppressedText
			case !pt.HasValue():
				b.Text = "–" // no figure for this period
			default:
				b.W = plotW * pt.Value / top
				b.Text = formatValue(pt.Value)
			}
			b.TextX, b.TextY = plotX+b.W+4, b.Y+barH-4
			row.Bars = append(row.Bars, b)
		}
		c.Rows = append(c.Rows, row)
		y += groupH
	}
	c.Plot = rect{X: plotX, Y: legendH, W: plotW, H: y - legendH}
	for v := 0.0; v <= top+step/2; v += step {
		c.XTicks = append(c.XTicks, tickView{X: plotX + plotW*v/top, Y: y + 16, Label: formatValue(v)})
	}
	c.Height = y + 40
	return c
}

// lineChart draws each series over the categories of the first (weeks,
// months), this year's line solid and last year's dashed.
func lineChart(r report.Report) *chartView {
	c := &chartView{Kind: report.ChartLine, Width: chartWidth, Height: 340, Title: r.Title, Desc: chartDesc(r)}
	var labels []string
	index := map[string]int{}
	for _, s := range r.Series {
		for _, p := range s.Points {
			if _, ok := index[p.Label]; !ok {
				index[p.Label] = len(labels)
				labels = append(labels, p.Label)
			}
		}
	}
	peak := 0.0
	for _, s := range r.Series {
		for _, p := range s.Points {
			peak = max(peak, p.Value)
		}
	}
	top, step := axisSteps(peak, wholeValues(r.Series))
	c.Plot = rect{X: 60, Y: 36, W: chartWidth - 80, H: 240}
	x := func(i int) float64 {
		if len(labels) < 2 {
			return c.Plot.X
		}
		return c.Plot.X + c.Plot.W*float64(i)/float64(len(labels)-1)
	}
	yOf := func(v float64) float64 { return c.Plot.Y + c.Plot.H*(1-v/top) }
	every := max(1, len(labels)/13)
	for i, l := range labels {
		if i%every == 0 {
			c.XTicks = append(c.XTicks, tickView{X: x(i), Y: c.Plot.Y + c.Plot.H + 18, Label: l})
		}
	}
	for v := 0.0; v <= top+step/2; v += step {
		c.YTicks = append(c.YTicks, tickView{X: c.Plot.X - 8, Y: yOf(v), Label: formatValue(v)})
	}
	n := len(r.Series)
	for si, s := range r.Series {
		// The last series (this year) is solid; earlier ones dashed.
		l := lineView{Colour: seriesColours[(n-1-si)%len(seriesColours)]}
		if si < n-1 {
			l.Dash = "6 4"
		}
		var seg []string
		flush := func() {
			if len(seg) > 0 {
				l.Segments = append(l.Segments, strings.Join(seg, " "))
				seg = nil
			}
		}
		for _, p := range s.Points {
			i := index[p.Label]
			if !p.HasValue() { // suppressed, or no figure (a period outside the dates)
				flush()
				continue
			}
			seg = append(seg, fmt.Sprintf("%.1f,%.1f", x(i), yOf(p.Value)))
			if len(labels) <= 24 || p.Partial {
				l.Dots = append(l.Dots, dotView{X: x(i), Y: yOf(p.Value), Partial: p.Partial})
			}
		}
		flush()
		c.Lines = append(c.Lines, l)
		c.Legend = append(c.Legend, legendItem{X: c.Plot.X + float64(si)*160, Y: 16, Colour: l.Colour, Dash: l.Dash, Name: s.Name})
	}
	return c
}

// chartDesc says in words what the chart shows, for its SVG description.
func chartDesc(r report.Report) string {
	names := make([]string, len(r.Series))
	for i, s := range r.Series {
		names[i] = s.Name
	}
	desc := fmt.Sprintf("%s: %s, in %s. The same figures are in the table below.", r.Title, strings.Join(names, " and "), r.Unit)
	if len(names) == 1 && strings.EqualFold(names[0], r.Unit) {
		// "Breaches, in breaches" says the unit twice.
		desc = fmt.Sprintf("%s: the number of %s. The same figures are in the table below.", r.Title, r.Unit)
	}
	for _, s := range r.Series {
		for _, p := range s.Points {
			if p.Partial && p.HasValue() {
				return desc + " Hollow dots are partial periods: only some of their days are counted (see the Partial column)."
			}
		}
	}
	return desc
}

// chartLines wraps a category name at spaces into the lines that fit
// left of the bars, at most labelLines of them; a name longer still ends
// at a word with "…" (a single word too long for a line is cut). The
// full name is the label's tooltip, and the table below has it too.
func chartLines(s string) []string {
	var lines []string
	line := ""
	for _, w := range strings.Fields(s) {
		switch {
		case line == "":
			line = w
		case len([]rune(line))+1+len([]rune(w)) <= labelChars:
			line += " " + w
		default:
			lines = append(lines, line)
			line = w
		}
	}
	lines = append(lines, line)
	for i, l := range lines {
		if r := []rune(l); len(r) > labelChars {
			lines[i] = string(r[:labelChars-1]) + "…"
		}
	}
	if len(lines) > labelLines {
		last := lines[labelLines-1]
		for len([]rune(last))+1 > labelChars {
			i := strings.LastIndexByte(last, ' ')
			if i < 0 {
				last = string([]rune(last)[:labelChars-1])
				break
			}
			last = last[:i]
		}
		lines = append(lines[:labelLines-1], last+"…")
	}
	return lines
}

// heatCell is a cell of the partners matrix as a heat table: a count and
// how dark to shade it (0–5, relative to the largest count between two
// partners; totals are not shaded).
type heatCell struct {
	Text  string
	Level int
	Total bool
}

// heatTable shades the matrix's cells.
func heatTable(r report.Report) [][]heatCell {
	peak := 0.0
	for i, row := range r.Rows {
		for j, c := range row {
			if j > 0 && j < len(row)-1 && i < len(r.Rows)-1 && c.Value != nil {
				peak = max(peak, *c.Value)
			}
		}
	}
	out := make([][]heatCell, len(r.Rows))
	for i, row := range r.Rows {
		for j, c := range row {
			if j == 0 {
				continue
			}
			h := heatCell{Text: c.Text, Total: j == len(row)-1 || i == len(r.Rows)-1}
			if !h.Total && c.Value != nil && peak > 0 && *c.Value > 0 {
				h.Level = int(math.Ceil(5 * *c.Value / peak))
			}
			if c.Suppressed && !h.Total {
				h.Level = 1
			}
			out[i] = append(out[i], h)
		}
	}
	return out
}
