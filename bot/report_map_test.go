package bot

import (
	"context"
	"encoding/xml"
	"fmt"
	"math"
	"strconv"
	"strings"
	"testing"

	"github.com/onward-network/onward/core"
	"github.com/onward-network/onward/core/report"
)

// svgMap is the demand map's SVG as the page sends it, read as XML.
type svgMap struct {
	Role       string `xml:"role,attr"`
	LabelledBy string `xml:"aria-labelledby,attr"`
	Titles     []struct {
		ID   string `xml:"id,attr"`
		Text string `xml:",chardata"`
	} `xml:"title"`
	Paths []struct {
		Class  string `xml:"class,attr"`
		D      string `xml:"d,attr"`
		Stroke string `xml:"stroke,attr"`
	} `xml:"path"`
	Groups []struct {
		Class    string   `xml:"class,attr"`
		District string   `xml:"data-district,attr"`
		Title    []string `xml:"title"`
		Circles  []struct {
			R      string `xml:"r,attr"`
			Stroke string `xml:"stroke,attr"`
			Dash   string `xml:"stroke-dasharray,attr"`
		} `xml:"circle"`
		Texts []svgText `xml:"text"`
	} `xml:"g"`
}

type svgText struct {
	District string `xml:"data-district,attr"`
	Fill     string `xml:"fill,attr"`
	Text     string `xml:",chardata"`
}

// demandMap finds the demand map on a page and parses it.
func demandMap(t *testing.T, body string) (svgMap, bool) {
	t.Helper()
	i := strings.Index(body, `<figure class="chart map">`)
	if i < 0 {
		return svgMap{}, false
	}
	rest := body[i:]
	start, end := strings.Index(rest, "<svg"), strings.Index(rest, "</svg>")
	if start < 0 || end < start {
		t.Fatalf("the map's figure has no whole SVG")
	}
	var m svgMap
	if err := xml.Unmarshal([]byte(rest[start:end+len("</svg>")]), &m); err != nil {
		t.Fatalf("the map's SVG is not well-formed XML: %v", err)
	}
	return m, true
}

func TestDemandMap(t *testing.T) {
	t.Parallel()
	tb := reportsBot(t) // 6 self-referrals from KY1, 3 with no postcode
	ctx := context.Background()
	c := tb.signedIn(tb.Net.Coordinator)

	// Without points for the districts: the bar chart and table, as before.
	_, body := c.get("/staff/reports/demand-district")
	if _, ok := demandMap(t, body); ok || !strings.Contains(body, `<title id="chart-title">`) {
		t.Fatal("without a postcode file the page should show the chart and no map")
	}

	// Two referrals from KY16 and one from KY11, which has no point.
	for i, pc := range []string{"KY16 9AJ", "KY16 8XX", "KY11 3XX"} {
		if _, err := tb.Engine.StaffRefer(ctx, core.StaffReferral{IdempotencyKey: fmt.Sprintf("map-%d", i),
			By: tb.Net.WelfareAdviser.Actor(), Client: core.ClientDetails{Name: "Iain Rennie", Phone: fmt.Sprintf("07700 900%03d", 800+i), Postcode: pc},
			Needs: []core.Need{core.NeedDebt}, ToAgency: tb.Net.CAB, ConsentConfirmed: true, WordingVersion: "v1"}); err != nil {
			t.Fatal(err)
		}
	}
	rp := report.New(tb.Engine.Pool(), tb.Engine.Clock())
	if _, err := rp.Refresh(ctx); err != nil {
		t.Fatal(err)
	}
	if _, err := tb.Engine.ImportPostcodes(ctx, strings.NewReader("pcds,lat,long\nKY1 1AB,56.112,-3.160\nKY1 2XX,56.115,-3.156\nKY16 9AJ,56.340,-2.795\n")); err != nil {
		t.Fatal(err)
	}
	if _, err := tb.Engine.ImportBoundaries(ctx, []byte(`{"type":"FeatureCollection","features":[
		{"type":"Feature","properties":{"LAD23NM":"Fife"},"geometry":{"type":"Polygon","coordinates":[[[-3.6,56.0],[-2.6,56.0],[-2.6,56.45],[-3.6,56.45],[-3.6,56.0]]]}}]}`)); err != nil {
		t.Fatal(err)
	}

	for _, who := range []struct {
		name   string
		staff  core.Staff
		labels map[string]string
	}{
		// Coordinators see the network's figures exactly, small ones
		// too, as the table shows them.
		{"coordinator", tb.Net.Coordinator, map[string]string{"KY1": "KY1 6", "KY16": "KY16 2"}},
		// Citizens Advice's own staff see their agency's figures exactly.
		{"adviser", tb.Net.Adviser, map[string]string{"KY1": "KY1 6", "KY16": "KY16 2"}},
	} {
		t.Run(who.name, func(t *testing.T) {
			_, body := tb.signedIn(who.staff).get("/staff/reports/demand-district")
			m, ok := demandMap(t, body)
			if !ok {
				t.Fatalf("no map on the page:\n%s", body)
			}
			if m.Role != "img" || m.LabelledBy != "map-title map-desc" || len(m.Titles) != 1 || m.Titles[0].ID != "map-title" ||
				!strings.Contains(m.Titles[0].Text, "Demand by postcode district") {
				t.Errorf("the map has no accessible name: role %q, labelled by %q, titles %+v", m.Role, m.LabelledBy, m.Titles)
			}
			if len(m.Paths) != 1 || m.Paths[0].Class != "boundary" || !strings.HasPrefix(m.Paths[0].D, "M") || !strings.HasSuffix(m.Paths[0].D, "Z") {
				t.Errorf("the boundary is not drawn: %+v", m.Paths)
			}
			// Exactly one labelled circle per district with referrals
			// and a point: KY11 has none, so it is in the table only.
			// Labels are a layer above all the circles.
			labels := map[string]svgText{}
			for _, g := range m.Groups {
				if g.Class == "labels" {
					for _, l := range g.Texts {
						if _, dup := labels[l.District]; dup {
							t.Errorf("%s has two labels", l.District)
						}
						labels[l.District] = l
					}
				}
			}
			got := map[string]string{}
			for _, g := range m.Groups {
				if g.Class != "district" {
					continue
				}
				if _, dup := got[g.District]; dup {
					t.Errorf("%s is drawn twice", g.District)
				}
				label, labelled := labels[g.District]
				if len(g.Circles) != 1 || len(g.Title) != 1 || !labelled {
					t.Fatalf("%s: %d circles, %d titles, labelled %v; want one of each", g.District, len(g.Circles), len(g.Title), labelled)
				}
				got[g.District] = label.Text
				if !strings.HasPrefix(g.Title[0], g.District+" (") || !strings.HasSuffix(g.Title[0], "new referrals") {
					t.Errorf("%s: title %q", g.District, g.Title[0])
				}
				if cr := contrast(t, g.Circles[0].Stroke, "#ffffff"); cr < 3 {
					t.Errorf("%s: the circle's outline has contrast %.1f:1 against the map, under 3:1", g.District, cr)
				}
				if cr := contrast(t, label.Fill, "#ffffff"); cr < 4.5 {
					t.Errorf("%s: the label has contrast %.1f:1, under 4.5:1", g.District, cr)
				}
				if suppressed := strings.Contains(label.Text, "<5"); suppressed != (g.Circles[0].Dash != "") {
					t.Errorf("%s: a suppressed count should be dashed, and only it", g.District)
				}
			}
			if fmt.Sprint(got) != fmt.Sprint(who.labels) || len(labels) != len(got) {
				t.Errorf("circles labelled %v; want %v", got, who.labels)
			}
			// Area ∝ count: KY1 (6) against KY16 (2) when both are shown.
			if who.labels["KY16"] == "KY16 2" {
				r := map[string]float64{}
				for _, g := range m.Groups {
					if g.Class == "district" {
						r[g.District], _ = strconv.ParseFloat(g.Circles[0].R, 64)
					}
				}
				if ratio := (r["KY1"] * r["KY1"]) / (r["KY16"] * r["KY16"]); math.Abs(ratio-3) > 0.1 {
					t.Errorf("circle areas KY1:KY16 = %.2f; want 3 (6 to 2 referrals)", ratio)
				}
			}
			// The table beneath backs the map, KY11 included.
			if !strings.Contains(body, "the figures of the map above") || !strings.Contains(body, `<th scope="row">KY11</th>`) {
				t.Error("the demand table should be beneath the map, with every district")
			}
			if i, j := strings.Index(body, `<figure class="chart map">`), strings.Index(body, `<table class="report">`); i < 0 || j < i {
				t.Error("the map should be above the table")
			}
			if strings.Contains(body, `<title id="chart-title">`) {
				t.Error("the map replaces the bar chart")
			}
			if !strings.Contains(body, "1 district has no point on the map") {
				t.Error("the map should say a district is in the table only")
			}
		})
	}
}
