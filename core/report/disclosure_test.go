package report_test

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/onward-network/onward/core/report"
)

// The outside probe of the reports, as a test: in a copy for publication
// no hidden count may be worked back from what the report shows — by
// subtraction from a total, or from a rate, share or mean beside it. The
// sums and figures are stated here from the reports' columns, not taken
// from the code that protects them, and each is checked against the
// exact report first, so a wrong statement fails loudly.

// at names a cell by its row (see rowLabel) and column.
type at struct{ row, col string }

// sumOf is a total and the cells that add up to it.
type sumOf struct {
	total at
	parts []at
}

// derivedFrom is a figure (a rate, share or mean) and the counts it would
// give back: none of them may be hidden while it is shown. For a share,
// part and whole also name the counts whose difference it gives back.
type derivedFrom struct {
	figure      at
	from        []at
	part, whole at
}

// disclosure states, for a report, which of its cells add up and which
// figures are worked out from which counts.
type disclosure func(r report.Report) ([]sumOf, []derivedFrom)

// rowsWhere are the labels of a report's rows that keep says yes to.
func rowsWhere(r report.Report, keep func(string) bool) []string {
	var out []string
	for _, cells := range r.Rows {
		if l := rowLabel(r, cells); keep(l) {
			out = append(out, l)
		}
	}
	return out
}

func not(labels ...string) func(string) bool {
	return func(l string) bool { return !slices.Contains(labels, l) }
}

// down: in each column, the rows add up to the total row.
func down(rows []string, total string, cols ...string) []sumOf {
	var out []sumOf
	for _, c := range cols {
		s := sumOf{total: at{total, c}}
		for _, r := range rows {
			s.parts = append(s.parts, at{r, c})
		}
		out = append(out, s)
	}
	return out
}

// across: in each row, the columns add up to the total column.
func across(rows []string, total string, cols ...string) []sumOf {
	var out []sumOf
	for _, r := range rows {
		s := sumOf{total: at{r, total}}
		for _, c := range cols {
			s.parts = append(s.parts, at{r, c})
		}
		out = append(out, s)
	}
	return out
}

// rateIn: in each row, col is part as a share of whole (extra: other
// counts it gives back with them).
func rateIn(rows []string, col, part, whole string, extra ...string) []derivedFrom {
	var out []derivedFrom
	for _, r := range rows {
		d := derivedFrom{figure: at{r, col}, part: at{r, part}, whole: at{r, whole}, from: []at{{r, part}}}
		if whole != "" {
			d.from = append(d.from, at{r, whole})
		} else {
			d.whole = at{}
		}
		for _, e := range extra {
			d.from = append(d.from, at{r, e})
		}
		out = append(out, d)
	}
	return out
}

// shareOfTotal: in each row, col is the row's count as a share of the
// total row's.
func shareOfTotal(rows []string, total, col, count string) []derivedFrom {
	var out []derivedFrom
	for _, r := range rows {
		out = append(out, derivedFrom{figure: at{r, col}, part: at{r, count}, whole: at{total, count},
			from: []at{{r, count}, {total, count}}})
	}
	return out
}

// columnsOf are a report's columns from first to before last.
func columnsOf(r report.Report, first, last string) []string {
	i, j := slices.Index(r.Columns, first), slices.Index(r.Columns, last)
	if i < 0 || j < i {
		return nil
	}
	return r.Columns[i:j]
}

func shareReportDisclosure(count, share string) disclosure {
	return func(r report.Report) ([]sumOf, []derivedFrom) {
		rows := rowsWhere(r, not("Total"))
		return down(rows, "Total", count), shareOfTotal(rows, "Total", share, count)
	}
}

var disclosures = map[string]disclosure{
	"partners": func(r report.Report) ([]sumOf, []derivedFrom) {
		to := r.Columns[1 : len(r.Columns)-1]
		return append(across(rowsWhere(r, not()), "Total", to...), down(rowsWhere(r, not("Total")), "Total", r.Columns[1:]...)...), nil
	},
	"outcomes":   shareReportDisclosure("Referrals", "Share (%)"),
	"rejections": shareReportDisclosure("Rejected referrals", "Share of rejections (%)"),
	"response-times": func(r report.Report) ([]sumOf, []derivedFrom) {
		return down(rowsWhere(r, not("All agencies")), "All agencies", "Referrals received", "Acknowledged", "Client contacted"), nil
	},
	"whole-wait": func(r report.Report) ([]sumOf, []derivedFrom) {
		return append(across(rowsWhere(r, not()), "Requests", "Client contacted", "Still waiting for contact", "Closed without contact"),
			down(rowsWhere(r, not("All requests")), "All requests", "Requests", "Client contacted", "Still waiting for contact", "Closed without contact", "Acknowledged")...), nil
	},
	"open-as-at": func(r report.Report) ([]sumOf, []derivedFrom) {
		all := rowsWhere(r, not())
		stages, ages := columnsOf(r, "In triage (waiting for a coordinator)", "Open under 5 working days"), r.Columns[slices.Index(r.Columns, "Open under 5 working days"):]
		return slices.Concat(across(all, "Open", stages...), across(all, "Open", ages...),
			down(rowsWhere(r, not("Total")), "Total", r.Columns[1:]...)), nil
	},
	"demand-district": func(r report.Report) ([]sumOf, []derivedFrom) {
		rows := rowsWhere(r, not("Total"))
		return down(rows, "Total", "New referrals"), shareOfTotal(rows, "Total", "Share (%)", "New referrals")
	},
	"demand-simd": shareReportDisclosure("New referrals", "Share (%)"),
	"demand-ward": shareReportDisclosure("New referrals", "Share (%)"),
	"demand-need": func(r report.Report) ([]sumOf, []derivedFrom) {
		// A referral asking for two needs counts under both: the needs
		// do not add up to the total.
		return nil, shareOfTotal(rowsWhere(r, not("All new referrals")), "All new referrals", "Share of new referrals (%)", "New referrals")
	},
	"self-referral": func(r report.Report) ([]sumOf, []derivedFrom) {
		return append(across(rowsWhere(r, not()), "Total", "By text message", "By web form"),
			down(rowsWhere(r, not("Total")), "Total", "By text message", "By web form", "Total")...), nil
	},
	"crisis": func(r report.Report) ([]sumOf, []derivedFrom) {
		return down(rowsWhere(r, not("Total")), "Total", "New referrals", "Crisis referrals", "Through triage", "Assigned from triage"),
			rateIn(rowsWhere(r, not()), "Crisis share (%)", "Crisis referrals", "New referrals")
	},
	"breaches": func(r report.Report) ([]sumOf, []derivedFrom) {
		all := rowsWhere(r, not())
		return append(across(all, "Breaches", "Acknowledged late", "Closed without acknowledgement", "Waiting past deadline now"),
				down(rowsWhere(r, not("All agencies")), "All agencies", columnsOf(r, "Referrals with a deadline", "Breach rate (%)")...)...),
			rateIn(all, "Breach rate (%)", "Breaches", "Referrals with a deadline")
	},
	"feedback": func(r report.Report) ([]sumOf, []derivedFrom) {
		all := rowsWhere(r, not())
		scores := columnsOf(r, "Score 1", "Responses")
		var means []derivedFrom
		for _, row := range all {
			d := derivedFrom{figure: at{row, "Mean score"}, from: []at{{row, "Responses"}}}
			for _, c := range scores {
				d.from = append(d.from, at{row, c})
			}
			means = append(means, d)
		}
		return append(across(all, "Responses", scores...),
			down(rowsWhere(r, not("All agencies")), "All agencies", append(scores, "Responses")...)...), means
	},
	"outcomes-by-agency": func(r report.Report) ([]sumOf, []derivedFrom) {
		all := rowsWhere(r, not())
		endings := columnsOf(r, "Help given", "Total")
		agencies := rowsWhere(r, func(l string) bool {
			return strings.HasPrefix(l, "By agency › ") && l != "By agency › All agencies"
		})
		return append(across(all, "Total", endings...), down(agencies, "By agency › All agencies", append(endings, "Total")...)...),
			rateIn(all, "Help given (%)", "Help given", "Total")
	},
	"financial-gains": func(r report.Report) ([]sumOf, []derivedFrom) {
		// Clients are counted once each, so the rows do not add up.
		var per []derivedFrom
		for _, row := range rowsWhere(r, not()) {
			per = append(per, derivedFrom{figure: at{row, "Gain per client (£)"}, from: []at{{row, "Clients with a gain"}}})
		}
		return nil, per
	},
	"satisfaction": func(r report.Report) ([]sumOf, []derivedFrom) {
		all := rowsWhere(r, not())
		d := rateIn(all, "Recommend rate (%)", "Would recommend", "", "Would not recommend")
		for _, row := range all {
			d = append(d, derivedFrom{figure: at{row, "Mean score (1–5)"}, from: []at{{row, "Scores given"}}})
		}
		return down(rowsWhere(r, not("All agencies")), "All agencies", "Scores given", "Would recommend", "Would not recommend", "Comments left"), d
	},
	"sent-back": func(r report.Report) ([]sumOf, []derivedFrom) {
		all := rowsWhere(r, not())
		return append(across(all, "Sent back", "Not eligible", "Inappropriate"),
				down(rowsWhere(r, not("All referrers")), "All referrers", "Referrals sent", "Not eligible", "Inappropriate", "Sent back")...),
			rateIn(all, "Sent back (%)", "Sent back", "Referrals sent")
	},
	"national-standards": func(r report.Report) ([]sumOf, []derivedFrom) {
		in := func(section string, but ...string) []at {
			var out []at
			for _, l := range rowsWhere(r, func(l string) bool { return strings.HasPrefix(l, section+" › ") }) {
				if !slices.Contains(but, strings.TrimPrefix(l, section+" › ")) {
					out = append(out, at{l, "Figure"})
				}
			}
			return out
		}
		completed := at{"Advice given, by type › Total completed", "Figure"}
		ended := at{"Outcomes › Total that reached an end", "Figure"}
		helped := at{"Outcomes › Help given", "Figure"}
		return []sumOf{
				{completed, in("Advice given, by type", "Total completed")},
				{completed, in("Advice given, by topic")},
				{ended, in("Outcomes", "Total that reached an end", "Help given (%)")},
			}, []derivedFrom{
				{figure: at{"Outcomes › Help given (%)", "Figure"}, from: []at{helped, ended}, part: helped, whole: ended},
				{figure: at{"Client feedback › Mean score (1–5)", "Figure"}, from: []at{{"Client feedback › Clients who scored the help", "Figure"}}},
			}
	},
	"texts": func(r report.Report) ([]sumOf, []derivedFrom) {
		all := rowsWhere(r, not())
		d := rateIn(all, "Segments per text", "Segments", "Texts")
		for _, row := range all {
			d = append(d, derivedFrom{figure: at{row, "Estimated cost (£)"}, from: []at{{row, "Segments"}}})
		}
		return down(rowsWhere(r, not("Total")), "Total", "Texts", "Texts in UCS-2", "Segments"), d
	},
}

// valueAt is the number in a cell of an exact report (0 for none).
func valueAt(t *testing.T, r report.Report, k at) int64 {
	t.Helper()
	c, ok := cellAt(r, k.row, k.col)
	if !ok {
		t.Fatalf("%s: no cell %q / %q", r.Name, k.row, k.col)
	}
	if c.Value == nil {
		return 0
	}
	return int64(*c.Value)
}

// TestNothingSuppressedCanBeWorkedBack reads every report, under the
// filters of the direct counts, as a copy for publication, and checks
// that no hidden count can be worked out: no sum of the report has
// exactly one hidden cell, no rate, share or mean is shown whose counts
// are hidden or whose whole less its part is a count of 1 to 4, no chart
// point shows a hidden cell's figure, and every hidden count says truly
// what it is ("<5" for 1 to 4, "withheld" for more).
func TestNothingSuppressedCanBeWorkedBack(t *testing.T) {
	t.Parallel()
	env, rp := seededReports(t)
	ctx := context.Background()
	net := env.Net
	filters := []testFilter{
		{name: "network, all dates", from: "2025-01-01", to: "2026-11-20"},
		{name: "Citizens Advice", from: "2025-01-01", to: "2026-11-20", agency: net.CAB},
		{name: "debt", from: "2025-01-01", to: "2026-11-20", need: "debt"},
		{name: "part of one month", from: "2026-11-03", to: "2026-11-16"},
		{name: "months and edges", from: "2025-06-15", to: "2026-02-10", need: "food"},
		{name: "Welfare Rights, benefits, this autumn", from: "2026-09-28", to: "2026-11-20", agency: net.Welfare, need: "benefits"},
	}
	sums, withheld := 0, 0
	for _, spec := range report.List() {
		state, ok := disclosures[spec.Name]
		if !ok && !strings.HasPrefix(spec.Name, "seasonality") {
			t.Errorf("%s: no statement of what its figures add up to", spec.Name)
		}
		for _, tf := range filters {
			exact, err := rp.Run(ctx, spec.Name, tf.filter(), report.Viewer{Network: true})
			if err != nil {
				t.Fatal(err)
			}
			pub, err := rp.Run(ctx, spec.Name, tf.filter(), report.ViewerFor(net.Coordinator).Published())
			if err != nil {
				t.Fatal(err)
			}
			where := fmt.Sprintf("%s (%s)", spec.Name, tf.name)
			hidden := func(k at) bool {
				c, ok := cellAt(pub, k.row, k.col)
				if !ok {
					t.Fatalf("%s: no cell %q / %q", where, k.row, k.col)
				}
				return c.Suppressed
			}
			// Every hidden count says what it is.
			for i, cells := range pub.Rows {
				for j, c := range cells {
					n := exact.Rows[i][j]
					switch {
					case c.Text == report.SuppressedText && (n.Value == nil || *n.Value < 1 || *n.Value > 4):
						t.Errorf("%s: %q / %q reads <5 but is %q", where, rowLabel(pub, cells), pub.Columns[j], n.Text)
					case c.Text == report.WithheldText && (n.Value == nil || *n.Value < 5):
						t.Errorf("%s: %q / %q reads withheld but is %q", where, rowLabel(pub, cells), pub.Columns[j], n.Text)
					case c.Text == report.WithheldText:
						withheld++
					}
				}
			}
			// Chart points show their cells' figures, hidden or not.
			for si, s := range pub.Series {
				for pi, p := range s.Points {
					if e := exact.Series[si].Points[pi]; !p.Suppressed && p.Value != e.Value {
						t.Errorf("%s: series %q point %q shows %v, exactly %v", where, s.Name, p.Label, p.Value, e.Value)
					}
				}
			}
			if state == nil || len(exact.Rows) == 0 {
				continue
			}
			lines, derived := state(exact)
			for _, l := range lines {
				var sum int64
				for _, p := range l.parts {
					sum += valueAt(t, exact, p)
				}
				if total := valueAt(t, exact, l.total); total != sum {
					t.Fatalf("%s: the test's sum is wrong: %v adds up to %d, not %q's %d", where, l.parts, sum, l.total.row, total)
				}
				var gone []at
				for _, k := range append([]at{l.total}, l.parts...) {
					if hidden(k) {
						gone = append(gone, k)
					}
				}
				if len(gone) == 1 {
					t.Errorf("%s: %q / %q is hidden, but its %s gives it back", where, gone[0].row, gone[0].col, describe(l))
				}
				sums++
			}
			for _, d := range derived {
				c, _ := cellAt(pub, d.figure.row, d.figure.col)
				if c.Value == nil {
					continue
				}
				for _, k := range d.from {
					if hidden(k) {
						t.Errorf("%s: %q / %q shows %s, giving back the hidden %q / %q", where, d.figure.row, d.figure.col, c.Text, k.row, k.col)
					}
				}
				if d.whole != (at{}) {
					if rest := valueAt(t, exact, d.whole) - valueAt(t, exact, d.part); rest > 0 && rest < 5 {
						t.Errorf("%s: %q / %q shows %s, giving back %v less %v: %d", where, d.figure.row, d.figure.col, c.Text, d.whole, d.part, rest)
					}
				}
			}
		}
	}
	if sums < 300 || withheld == 0 {
		t.Fatalf("only %d sums checked and %d counts withheld: the seed or the statements lost their data", sums, withheld)
	}
}

func describe(l sumOf) string {
	if len(l.parts) > 0 && l.parts[0].row == l.total.row {
		return fmt.Sprintf("row (its total %q and %d other cells)", l.total.col, len(l.parts)-1)
	}
	return fmt.Sprintf("column (its total in %q and %d other cells)", l.total.row, len(l.parts)-1)
}

// TestPublishedSeriesHaveNoFalseZeros: in JSON a suppressed chart point's
// value is null (and it says it is suppressed), as is a point with no
// figure, so a chart made from the export shows neither as 0; a shown
// zero stays 0.
func TestPublishedSeriesHaveNoFalseZeros(t *testing.T) {
	t.Parallel()
	env, rp := seededReports(t)
	ctx := context.Background()
	f := testFilter{from: "2025-06-15", to: "2026-11-20"}.filter()
	seen := map[string]int{}
	for _, spec := range report.List() {
		r, err := rp.Run(ctx, spec.Name, f, report.ViewerFor(env.Net.Coordinator).Published())
		if err != nil {
			t.Fatal(err)
		}
		b, err := json.Marshal(r)
		if err != nil {
			t.Fatal(err)
		}
		var doc struct {
			Series []struct {
				Points []map[string]any `json:"points"`
			} `json:"series"`
		}
		if err := json.Unmarshal(b, &doc); err != nil {
			t.Fatal(err)
		}
		for si, s := range doc.Series {
			for pi, p := range s.Points {
				pt := r.Series[si].Points[pi]
				v, hasValue := p["value"]
				switch {
				case !hasValue:
					t.Errorf("%s: point %v has no value at all; want null or a number", spec.Name, p)
				case pt.Suppressed:
					seen["suppressed"]++
					if v != nil || p["suppressed"] != true {
						t.Errorf("%s: suppressed point %v; want value null and suppressed true", spec.Name, p)
					}
				case !pt.HasValue():
					seen["no figure"]++
					if v != nil {
						t.Errorf("%s: point with no figure %v; want value null", spec.Name, p)
					}
				default:
					if v != pt.Value {
						t.Errorf("%s: point %v; want value %v", spec.Name, p, pt.Value)
					}
					if pt.Value == 0 {
						seen["zero"]++
					}
				}
			}
		}
	}
	if seen["suppressed"] == 0 || seen["no figure"] == 0 || seen["zero"] == 0 {
		t.Errorf("the data should give suppressed points, points with no figure and zeros: %v", seen)
	}
}
