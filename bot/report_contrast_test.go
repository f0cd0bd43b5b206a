package bot

import (
	"math"
	"regexp"
	"strconv"
	"testing"

	"github.com/onward-network/onward/templates"
)

// luminance is a colour's WCAG 2.x relative luminance ("#rrggbb" or
// "#fff").
func luminance(t *testing.T, hex string) float64 {
	t.Helper()
	if len(hex) == 4 {
		hex = "#" + string([]byte{hex[1], hex[1], hex[2], hex[2], hex[3], hex[3]})
	}
	var l float64
	for i, w := range []float64{0.2126, 0.7152, 0.0722} {
		v, err := strconv.ParseUint(hex[1+2*i:3+2*i], 16, 8)
		if err != nil {
			t.Fatalf("colour %q: %v", hex, err)
		}
		c := float64(v) / 255
		if c <= 0.03928 {
			c /= 12.92
		} else {
			c = math.Pow((c+0.055)/1.055, 2.4)
		}
		l += w * c
	}
	return l
}

func contrast(t *testing.T, a, b string) float64 {
	x, y := luminance(t, a), luminance(t, b)
	return (max(x, y) + 0.05) / (min(x, y) + 0.05)
}

// TestReportColoursContrast pins every colour the report pages draw
// with: chart series and axes at least 4.5:1 on the white chart (text
// needs 4.5, marks 3), and each heat level's text at least 4.5:1 on its
// shade — whatever the data, so a level the test data never reaches is
// checked too (level 4 was 3.4:1).
func TestReportColoursContrast(t *testing.T) {
	t.Parallel()
	for _, c := range append(seriesColours, chartInk, chartMuted, chartFrame) {
		if r := contrast(t, c, chartBackground); r < 4.5 {
			t.Errorf("chart colour %s is %.2f:1 on white, want 4.5", c, r)
		}
	}
	css, err := templates.FS.ReadFile("html/staff/reports.css")
	if err != nil {
		t.Fatal(err)
	}
	levels := map[string][2]string{}
	re := regexp.MustCompile(`table\.heat td\.heat-(\d) \{ background: (#[0-9a-f]+);(?: color: (#[0-9a-f]+);)? \}`)
	for _, m := range re.FindAllStringSubmatch(string(css), -1) {
		fg := m[3]
		if fg == "" {
			fg = "#1b1b1b" // the page's ink
		}
		levels[m[1]] = [2]string{m[2], fg}
	}
	if len(levels) != 6 {
		t.Fatalf("found %d heat levels in reports.css, want 6: %v", len(levels), levels)
	}
	for l, c := range levels {
		if r := contrast(t, c[1], c[0]); r < 4.5 {
			t.Errorf("heat level %s: text %s on %s is %.2f:1, want 4.5", l, c[1], c[0], r)
		}
	}
}
