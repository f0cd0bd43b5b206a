package bot

import (
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"

	"github.com/paulmach/orb"

	"github.com/onward-network/onward/core/report"
)

// The demand map is drawn on the server as SVG, like the charts: no tiles,
// no script, no network. Each postcode district with referrals is a circle
// whose area is proportional to its count, at the district's point,
// labelled with the district and the count (suppressed as the report's
// table is), over the boundaries the network supplied. The projection is
// equirectangular with longitude scaled by the cosine of the middle
// latitude: for a council area the distortion is far below what a reader
// of circles can see. The markup is in templates/html/staff/report_map.html.

const (
	mapWidth     = 760.0
	mapMaxHeight = 620.0
	mapPad       = 48.0 // room for circles and labels at the edges
	mapMaxR      = 34.0 // the largest count's radius
	mapMinR      = 4.0  // no circle is drawn smaller than this
	// mapSmallValue sizes a suppressed count ("<5") without telling its
	// true value: every suppressed circle is the same size, dashed.
	mapSmallValue = 2.5
)

// mapView is the demand map ready for its template.
type mapView struct {
	Width, Height float64
	Title, Desc   string
	Boundaries    []mapBoundary
	Circles       []mapCircle
	Unplaced      int
}

type mapBoundary struct {
	Name string
	Path string // SVG path data
}

type mapCircle struct {
	District   string
	X, Y, R    float64
	Label      string // "KY1 123" or "KY1 <5"
	LabelX     float64
	LabelY     float64
	Title      string
	Suppressed bool
}

// projection maps WGS84 longitude/latitude to SVG coordinates.
type projection struct {
	minX, maxY, kx, scale, offX, offY float64
}

func (p projection) xy(lon, lat float64) (float64, float64) {
	return round1(p.offX + (lon*p.kx-p.minX)*p.scale), round1(p.offY + (p.maxY-lat)*p.scale)
}

func round1(v float64) float64 { return math.Round(v*10) / 10 }

// fitProjection fits the bound to the map's width (and at most its
// greatest height), keeping the padding free, and returns the projection
// and the map's height.
func fitProjection(b orb.Bound) (projection, float64) {
	// A lone district (or all at one point) still needs an area to show.
	if b.Max[0]-b.Min[0] < 0.02 && b.Max[1]-b.Min[1] < 0.02 {
		b = b.Pad(0.05)
	}
	mid := (b.Min[1] + b.Max[1]) / 2
	kx := math.Cos(mid * math.Pi / 180)
	w, h := (b.Max[0]-b.Min[0])*kx, b.Max[1]-b.Min[1]
	scale := (mapWidth - 2*mapPad) / max(w, 1e-9)
	if h*scale > mapMaxHeight-2*mapPad {
		scale = (mapMaxHeight - 2*mapPad) / max(h, 1e-9)
	}
	p := projection{minX: b.Min[0] * kx, maxY: b.Max[1], kx: kx, scale: scale}
	p.offX = (mapWidth - w*scale) / 2
	p.offY = mapPad
	return p, math.Ceil(h*scale + 2*mapPad)
}

// mapFor draws a demand map.
func mapFor(title string, m report.DemandMap) *mapView {
	var b orb.Bound
	first := true
	extend := func(pt orb.Point) {
		if first {
			b, first = pt.Bound(), false
			return
		}
		b = b.Extend(pt)
	}
	for _, pl := range m.Places {
		extend(orb.Point{pl.Lon, pl.Lat})
	}
	for _, bd := range m.Boundaries {
		gb := bd.Geometry.Bound()
		extend(gb.Min)
		extend(gb.Max)
	}
	proj, height := fitProjection(b)
	v := &mapView{Width: mapWidth, Height: height, Title: title, Unplaced: m.Unplaced}
	for _, bd := range m.Boundaries {
		v.Boundaries = append(v.Boundaries, mapBoundary{Name: bd.Name, Path: svgPath(proj, bd.Geometry)})
	}
	peak := mapSmallValue
	for _, pl := range m.Places {
		if pl.Count.Value != nil {
			peak = max(peak, *pl.Count.Value)
		}
	}
	for _, pl := range m.Places {
		value, suppressed := mapSmallValue, pl.Count.Suppressed || pl.Count.Value == nil
		if !suppressed {
			value = *pl.Count.Value
		}
		x, y := proj.xy(pl.Lon, pl.Lat)
		r := round1(max(mapMinR, mapMaxR*math.Sqrt(value/peak)))
		place := pl.District
		if pl.Town != "" {
			place += " (" + pl.Town + ")"
		}
		v.Circles = append(v.Circles, mapCircle{
			District: pl.District, X: x, Y: y, R: r, Suppressed: suppressed,
			Label:  pl.District + " " + pl.Count.Text,
			LabelX: round1(x + r + 3), LabelY: round1(y + 4),
			Title: fmt.Sprintf("%s: %s new referrals", place, pl.Count.Text),
		})
	}
	// Large circles first, so a small one beside a large one stays on top.
	slices.SortStableFunc(v.Circles, func(a, b mapCircle) int {
		switch {
		case a.R > b.R:
			return -1
		case a.R < b.R:
			return 1
		}
		return strings.Compare(a.District, b.District)
	})
	placeLabels(v.Circles, v.Width, v.Height)
	v.Desc = mapDesc(v)
	return v
}

// placeLabels puts each circle's label beside it — right, left, above or
// below, the first that overlaps no label placed before and stays on the
// map — so neighbouring districts' labels stay readable. Labels are drawn
// after every circle, so a circle never hides one.
func placeLabels(cs []mapCircle, width, height float64) {
	const charW, textH = 7.0, 12.0
	type box struct{ x0, y0, x1, y1 float64 }
	var placed []box
	clear := func(b box) bool {
		if b.x0 < 0 || b.y0 < 0 || b.x1 > width || b.y1 > height {
			return false
		}
		for _, p := range placed {
			if b.x0 < p.x1 && p.x0 < b.x1 && b.y0 < p.y1 && p.y0 < b.y1 {
				return false
			}
		}
		return true
	}
	for i := range cs {
		c := &cs[i]
		w := charW * float64(len([]rune(c.Label)))
		spots := [][2]float64{
			{c.X + c.R + 3, c.Y + 4},       // right
			{c.X - c.R - 3 - w, c.Y + 4},   // left
			{c.X - w/2, c.Y - c.R - 4},     // above
			{c.X - w/2, c.Y + c.R + textH}, // below
			{c.X + c.R*0.7, c.Y - c.R*0.7}, // above right
			{c.X + c.R*0.7, c.Y + c.R + 6}, // below right
		}
		chosen := spots[0]
		for _, s := range spots {
			if clear(box{s[0], s[1] - textH + 2, s[0] + w, s[1] + 3}) {
				chosen = s
				break
			}
		}
		c.LabelX, c.LabelY = round1(chosen[0]), round1(chosen[1])
		placed = append(placed, box{chosen[0], chosen[1] - textH + 2, chosen[0] + w, chosen[1] + 3})
	}
}

// mapDesc says in words what the map shows, for its accessible description.
func mapDesc(v *mapView) string {
	var sb strings.Builder
	fmt.Fprintf(&sb, "Map of new referrals by postcode district: %d districts drawn as circles, the area of each proportional to its count", len(v.Circles))
	if slices.ContainsFunc(v.Circles, func(c mapCircle) bool { return c.Suppressed }) {
		sb.WriteString("; dashed circles are fewer than 5 referrals, shown at one small size")
	}
	if len(v.Boundaries) > 0 {
		sb.WriteString(", over the boundaries the network supplied")
	}
	sb.WriteString(". The table below has the same figures.")
	switch {
	case v.Unplaced == 1:
		sb.WriteString(" 1 district has no point on the map and is in the table only.")
	case v.Unplaced > 1:
		fmt.Fprintf(&sb, " %d districts have no point on the map and are in the table only.", v.Unplaced)
	}
	return sb.String()
}

// svgPath draws a polygon or multipolygon as SVG path data, each ring a
// closed sub-path (holes drawn with the even-odd rule).
func svgPath(p projection, g orb.Geometry) string {
	var polys orb.MultiPolygon
	switch t := g.(type) {
	case orb.Polygon:
		polys = orb.MultiPolygon{t}
	case orb.MultiPolygon:
		polys = t
	}
	var sb strings.Builder
	for _, poly := range polys {
		for _, ring := range poly {
			for i, pt := range ring {
				x, y := p.xy(pt[0], pt[1])
				if i == 0 {
					sb.WriteByte('M')
				} else {
					sb.WriteByte('L')
				}
				sb.WriteString(strconv.FormatFloat(x, 'f', -1, 64))
				sb.WriteByte(' ')
				sb.WriteString(strconv.FormatFloat(y, 'f', -1, 64))
			}
			sb.WriteByte('Z')
		}
	}
	return sb.String()
}
