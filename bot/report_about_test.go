package bot

import (
	"context"
	"encoding/json"
	"html/template"
	"math"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/onward-network/onward/core/report"
)

// TestReportPagesSayWhatTheyCountAndWhen reproduces review R1's findings
// 1, 13 and 14 on the pages: every report page says in one line what its
// figures count and leave out (so the demand reports' lower total can be
// explained), when its figures were counted, in the network's time, and
// whether its hours are calendar or working hours; the JSON download says
// the same.
func TestReportPagesSayWhatTheyCountAndWhen(t *testing.T) {
	t.Parallel()
	tb := reportsBot(t) // the figures were counted at 20:00 on 23 November 2026
	c := tb.signedIn(tb.Net.Coordinator)
	const asOf = "Figures as of 20:00 GMT on 23 November 2026."
	for _, spec := range report.List() {
		resp, body := c.get("/staff/reports/" + spec.Name + "?from=2026-01-01&to=2026-11-23")
		if resp.StatusCode != 200 {
			t.Fatalf("%s: %d", spec.Name, resp.StatusCode)
		}
		if !strings.Contains(body, `<p class="counts"><strong>What it counts:</strong> `+template.HTMLEscapeString(spec.Counts)+`</p>`) {
			t.Errorf("%s: the page does not say what it counts", spec.Name)
		}
		if !strings.Contains(body, `<p class="as-of">`+asOf) {
			t.Errorf("%s: the page does not say when its figures were counted", spec.Name)
		}
		_, body = c.get("/staff/reports/" + spec.Name + "/json?from=2026-01-01&to=2026-11-23")
		var doc struct {
			Counts string  `json:"counts"`
			AsOf   *string `json:"as_of"`
		}
		if err := json.Unmarshal([]byte(body), &doc); err != nil || doc.Counts != spec.Counts || doc.AsOf == nil || *doc.AsOf != "2026-11-23T20:00:00Z" {
			t.Errorf("%s: JSON says %+v (%v)", spec.Name, doc, err)
		}
	}
	_, body := c.get("/staff/reports/demand-district")
	if !strings.Contains(body, "Refer this client on") || !strings.Contains(body, "the partners and outcomes reports count them") {
		t.Errorf("demand by district does not say which referrals it leaves out, and where they are counted")
	}
	_, body = c.get("/staff/reports/response-times")
	for _, words := range []string{"<th scope=\"col\">Median calendar hours to acknowledge</th>", "<th scope=\"col\">Median calendar hours to contact</th>",
		"not the working hours"} {
		if !strings.Contains(body, words) {
			t.Errorf("response times: the page does not say %q", words)
		}
	}
	resp, body := c.get("/staff/reports/national-standards?agency=kirkton-cab")
	if resp.StatusCode != 200 {
		t.Fatalf("pack: %d", resp.StatusCode)
	}
	for _, words := range []string{"<th scope=\"row\">Median calendar hours to acknowledge</th>",
		"No target: calendar hours, nights and weekends included (the targets above are in working hours)"} {
		if !strings.Contains(body, words) {
			t.Errorf("the pack does not say %q", words)
		}
	}
}

// TestPackChartCountsAndLabels reproduces review R1's finding 13 on the
// National Standards pack's chart: its count axis read 0, 0.2, 0.5… (a
// fraction of a referral) and "Type I: information and signposting" was
// cut mid-word. Counts get whole-number ticks; a long label wraps at a
// word, with the whole of it as the label's tooltip.
func TestPackChartCountsAndLabels(t *testing.T) {
	t.Parallel()
	tb := reportsBot(t)
	c := tb.signedIn(tb.Net.Coordinator)
	f := report.Filter{From: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC), To: time.Date(2026, 11, 23, 0, 0, 0, 0, time.UTC), Agency: tb.Net.CAB}
	rep, err := tb.bot.reports().Run(context.Background(), "national-standards", f, report.ViewerFor(tb.Net.Coordinator))
	if err != nil {
		t.Fatal(err)
	}
	chart := chartFor(rep)
	if chart == nil || len(chart.XTicks) < 2 {
		t.Fatalf("the pack has no chart with an axis: %+v", chart)
	}
	for _, tick := range chart.XTicks {
		if _, err := strconv.Atoi(tick.Label); err != nil {
			t.Errorf("the pack's count axis has a tick %q", tick.Label)
		}
	}
	var typeI *barRow
	for i, row := range chart.Rows {
		if row.Label == "Type I: information and signposting" {
			typeI = &chart.Rows[i]
		}
	}
	if typeI == nil || strings.Join(typeI.Lines, " ") != typeI.Label {
		t.Fatalf("the label of type I advice is drawn as %+v; want it whole, wrapped at a word", typeI)
	}
	_, body := c.get("/staff/reports/national-standards?from=2026-01-01&to=2026-11-23&agency=kirkton-cab")
	if !strings.Contains(body, "<title>Type I: information and signposting</title>") || strings.Contains(body, "signposti…") {
		t.Errorf("the page's chart does not carry the whole label of type I advice")
	}
}

// TestChartLinesWrapAtWords: labels are drawn on at most two lines, each
// broken at a space; one longer still ends at a word with "…", never
// mid-word unless a single word is wider than a line.
func TestChartLinesWrapAtWords(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		in   string
		want []string
	}{
		{"Accepted", []string{"Accepted"}},
		{"Type I: information and signposting", []string{"Type I: information and", "signposting"}},
		{"Acknowledgement and contact against the network's targets, by agency and need",
			[]string{"Acknowledgement and contact", "against the network's targets, by…"}},
		{strings.Repeat("x", 40), []string{strings.Repeat("x", 33) + "…"}},
	} {
		got := chartLines(tc.in)
		if !slices.Equal(got, tc.want) {
			t.Errorf("chartLines(%q) = %q, want %q", tc.in, got, tc.want)
		}
		for _, l := range got {
			if n := len([]rune(l)); n > labelChars {
				t.Errorf("chartLines(%q): line %q is %d characters, more than %d", tc.in, l, n, labelChars)
			}
		}
	}
}

// TestAxisStepsForCounts: whole-number figures get whole-number ticks
// whatever the peak; others keep niceMax's quarters.
func TestAxisStepsForCounts(t *testing.T) {
	t.Parallel()
	for _, peak := range []float64{0, 1, 2, 3, 4, 5, 7, 9, 10, 13, 40, 50, 99, 480, 5000} {
		top, step := axisSteps(peak, true)
		if step != math.Trunc(step) || step < 1 || math.Mod(top, step) != 0 || top < peak || top/step > 10 {
			t.Errorf("counts peaking at %v: axis to %v in steps of %v", peak, top, step)
		}
	}
	if _, step := axisSteps(5, false); step != 1.25 {
		t.Errorf("hours peaking at 5: steps of %v, want 1.25", step)
	}
}

// TestPartialPointsAreHollow: a seasonality chart draws a partial period's
// point hollow, even on a line too long for dots, and says so in words.
func TestPartialPointsAreHollow(t *testing.T) {
	t.Parallel()
	r := report.Report{Title: "Seasonality by week", Chart: report.ChartLine, Unit: "new referrals"}
	s := report.Series{Name: "2026"}
	for w := 1; w <= 30; w++ {
		s.Points = append(s.Points, report.Point{Label: strconv.Itoa(w), Value: float64(w), Partial: w == 30})
	}
	r.Series = []report.Series{s}
	chart := chartFor(r)
	if len(chart.Lines) != 1 || len(chart.Lines[0].Dots) != 1 || !chart.Lines[0].Dots[0].Partial {
		t.Fatalf("dots %+v; want the one partial week", chart.Lines[0].Dots)
	}
	if !strings.Contains(chart.Desc, "Hollow dots are partial periods") {
		t.Errorf("the chart's description %q does not say what a hollow dot is", chart.Desc)
	}
}
