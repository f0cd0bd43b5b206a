package bot

import (
	"net/http"
	"strings"
	"testing"
)

// TestReportPagesPeriods: a coordinator chooses a quarter or financial
// year in place of working out its dates; the page says which period it
// shows and its days, "so far" when it is not over, its links and
// downloads keep the period, the download's file name carries it, and the
// figures are those of the same dates typed.
func TestReportPagesPeriods(t *testing.T) {
	t.Parallel()
	tb := reportsBot(t) // the day is 23 November 2026
	c := tb.signedIn(tb.Net.Coordinator)
	for _, tc := range []struct{ query, line, selected string }{
		{"period=2026-27+Q2", "2026-27 Q2 (1 July – 30 September 2026)", "2026-27 Q2"},
		{"period=this+quarter", "2026-27 Q3 so far (1 October – 23 November 2026)", "this quarter"},
		{"period=2025%2F26", "2025-26 (1 April 2025 – 31 March 2026)", "2025-26"},
		{"period=2019-20+q4", "2019-20 Q4 (1 January – 31 March 2020)", "2019-20 Q4"},
		// A period chosen is used in place of the dates beside it.
		{"period=last+month&from=2026-01-01&to=2026-02-01", "October 2026 (1 – 31 October 2026)", "last month"},
		{"from=2026-01-01&to=2026-11-23", "1 January – 23 November 2026", ""},
	} {
		resp, body := c.get("/staff/reports/outcomes?" + tc.query)
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("%s: %d %s", tc.query, resp.StatusCode, body)
		}
		if !strings.Contains(body, `<p class="scope">`+tc.line+` · the whole network`) {
			t.Errorf("%s: the page does not say it shows %q", tc.query, tc.line)
		}
		if tc.selected != "" && !strings.Contains(body, `<option value="`+tc.selected+`" selected>`) {
			t.Errorf("%s: %q is not the period chosen in the form", tc.query, tc.selected)
		}
	}
	_, body := c.get("/staff/reports?period=this+quarter")
	if !strings.Contains(body, `href="/staff/reports/outcomes?period=this&#43;quarter"`) ||
		!strings.Contains(body, "The reports below count 2026-27 Q3 so far (1 October – 23 November 2026).") {
		t.Errorf("the index should link on with the period and say what it counts")
	}
	// The 2026-27 Q4 has not begun, so is not offered; Q3 is.
	if strings.Contains(body, `value="2026-27 Q4"`) || !strings.Contains(body, `value="2026-27 Q3"`) ||
		!strings.Contains(body, `<option value="this quarter" selected>This quarter: 2026-27 Q3</option>`) ||
		!strings.Contains(body, `<option value="2025-26 Q4">2025-26 Q4 (1 January – 31 March 2026)</option>`) {
		t.Errorf("the periods offered are not the quarters begun")
	}

	// Downloads carry the period in their name: "so far" to the day.
	for _, tc := range []struct{ query, file string }{
		{"period=2025-26", "onward-partners-2025-26.csv"},
		{"period=this+quarter", "onward-partners-2026-27-Q3-to-2026-11-23.csv"},
		{"period=2025-26&publish=1", "onward-partners-2025-26-for-publication.csv"},
		{"from=2026-10-01&to=2026-11-23", "onward-partners-2026-10-01-to-2026-11-23.csv"},
	} {
		resp, _ := c.get("/staff/reports/partners/csv?" + tc.query)
		if want := `attachment; filename="` + tc.file + `"`; resp.StatusCode != http.StatusOK || resp.Header.Get("Content-Disposition") != want {
			t.Errorf("%s: %d %q, want %q", tc.query, resp.StatusCode, resp.Header.Get("Content-Disposition"), want)
		}
	}
	// The preset's figures are the same dates'.
	_, byPreset := c.get("/staff/reports/partners/csv?period=this+quarter")
	_, byDates := c.get("/staff/reports/partners/csv?from=2026-10-01&to=2026-11-23")
	if byPreset != byDates || !strings.Contains(byPreset, "Total,9,9") {
		t.Errorf("this quarter's CSV:\n%s\nthe same dates':\n%s", byPreset, byDates)
	}

	// A period that cannot be read, or has not begun, is explained.
	for _, tc := range []struct{ query, words string }{
		{"period=2026-27+Q5", `there is no quarter &#34;Q5&#34;`},
		{"period=next+year", `is not a period`},
		{"period=2027-28", `2027-28 has not begun: it starts on 1 April 2027.`},
	} {
		for _, path := range []string{"/staff/reports/outcomes?", "/staff/reports?"} {
			resp, body := c.get(path + tc.query)
			if resp.StatusCode != http.StatusBadRequest || !strings.Contains(body, tc.words) {
				t.Errorf("%s%s: %d, want 400 saying %s", path, tc.query, resp.StatusCode, tc.words)
			}
			if tc.words == "is not a period" && !strings.Contains(body, `like &#34;2026-27 Q3&#34;`) {
				t.Errorf("%s%s: no example of a quarter's name", path, tc.query)
			}
		}
		if resp, body := c.get("/staff/reports/outcomes/csv?" + tc.query); resp.StatusCode != http.StatusBadRequest ||
			!strings.Contains(body, strings.ReplaceAll(tc.words, "&#34;", `"`)) {
			t.Errorf("CSV %s: %d %s", tc.query, resp.StatusCode, body)
		}
	}
}
