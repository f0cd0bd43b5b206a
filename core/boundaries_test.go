package core_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/paulmach/orb"

	"github.com/onward-network/onward/core"
	"github.com/onward-network/onward/core/coretest"
)

// square is a closed ring around lon, lat.
func square(lon, lat float64) string {
	return fmt.Sprintf("[[%g,%g],[%g,%g],[%g,%g],[%g,%g],[%g,%g]]",
		lon, lat, lon+0.1, lat, lon+0.1, lat+0.1, lon, lat+0.1, lon, lat)
}

func feature(name, geometry string) string {
	return fmt.Sprintf(`{"type":"Feature","properties":{"name":%q},"geometry":%s}`, name, geometry)
}

func collection(features ...string) string {
	return `{"type":"FeatureCollection","features":[` + strings.Join(features, ",") + `]}`
}

func TestParseBoundaries(t *testing.T) {
	t.Parallel()
	kirkcaldy := feature("Kirkcaldy", `{"type":"Polygon","coordinates":[`+square(-3.2, 56.1)+`]}`)
	glenrothes := feature("Glenrothes", `{"type":"MultiPolygon","coordinates":[[`+square(-3.2, 56.2)+`],[`+square(-3.0, 56.2)+`]]}`)
	cases := []struct {
		name, file string
		feature    int    // the feature the error names; -1 the file
		reason     string // part of the reason
	}{
		{"valid", collection(kirkcaldy, glenrothes), 0, ""},
		{"one feature", kirkcaldy, 0, ""},
		{"crs84 named", `{"type":"FeatureCollection","crs":{"type":"name","properties":{"name":"urn:ogc:def:crs:OGC:1.3:CRS84"}},"features":[` + kirkcaldy + `]}`, 0, ""},
		{"not json", `{"type":"FeatureCollection",`, -1, "not valid JSON"},
		{"a bare geometry", `{"type":"Polygon","coordinates":[` + square(-3.2, 56.1) + `]}`, -1, "FeatureCollection or Feature"},
		{"no features", collection(), -1, "no features"},
		{"a point", collection(kirkcaldy, feature("Office", `{"type":"Point","coordinates":[-3.16,56.11]}`)), 1, "Point; boundaries must be Polygon or MultiPolygon"},
		{"a broken feature", collection(kirkcaldy, glenrothes, `{"type":"Feature","geometry":{"type":"Polygon","coordinates":"nonsense"}}`), 2, "not a valid GeoJSON feature"},
		{"no geometry", collection(`{"type":"Feature","properties":{},"geometry":null}`), 0, "no geometry"},
		{"eastings and northings", collection(kirkcaldy, feature("Fife", `{"type":"Polygon","coordinates":[[[327000,692000],[328000,692000],[328000,693000],[327000,692000]]]}`)), 1, "position 0 is [327000, 692000], outside WGS84"},
		{"ring not closed", collection(feature("Open", `{"type":"Polygon","coordinates":[[[-3.2,56.1],[-3.1,56.1],[-3.1,56.2],[-3.2,56.2]]]}`)), 0, "not closed"},
		{"ring too short", collection(kirkcaldy, glenrothes, feature("Line", `{"type":"Polygon","coordinates":[[[-3.2,56.1],[-3.1,56.1],[-3.2,56.1]]]}`)), 2, "at least 4 positions (the first repeated last), it has 3"},
		{"british national grid crs", `{"type":"FeatureCollection","crs":{"type":"name","properties":{"name":"urn:ogc:def:crs:EPSG::27700"}},"features":[` + kirkcaldy + `]}`, -1, "EPSG::27700"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			bs, err := core.ParseBoundaries([]byte(c.file))
			if c.reason == "" {
				if err != nil || len(bs) == 0 {
					t.Fatalf("ParseBoundaries: %d boundaries, %v; want them read", len(bs), err)
				}
				return
			}
			var be *core.BoundaryError
			if !errors.As(err, &be) {
				t.Fatalf("ParseBoundaries: %v; want a BoundaryError naming feature %d", err, c.feature)
			}
			if be.Feature != c.feature || !strings.Contains(be.Reason, c.reason) {
				t.Errorf("error %q names feature %d; want feature %d and a reason with %q", err, be.Feature, c.feature, c.reason)
			}
			if c.feature >= 0 && !strings.Contains(err.Error(), fmt.Sprintf("feature %d:", c.feature)) {
				t.Errorf("error %q does not say where the problem is", err)
			}
		})
	}
}

func TestImportBoundariesReplaces(t *testing.T) {
	t.Parallel()
	env := coretest.NewEnv(t)
	ctx := context.Background()
	first := collection(feature("Kirkcaldy", `{"type":"Polygon","coordinates":[`+square(-3.2, 56.1)+`]}`),
		feature("Glenrothes", `{"type":"MultiPolygon","coordinates":[[`+square(-3.2, 56.2)+`],[`+square(-3.0, 56.2)+`]]}`))
	if n, err := env.Engine.ImportBoundaries(ctx, []byte(first)); err != nil || n != 2 {
		t.Fatalf("import: %d, %v", n, err)
	}
	bs, err := core.Boundaries(ctx, env.Pool)
	if err != nil || len(bs) != 2 || bs[0].Name != "Kirkcaldy" || bs[1].Name != "Glenrothes" {
		t.Fatalf("stored boundaries %+v, %v", bs, err)
	}
	if mp, ok := bs[1].Geometry.(orb.MultiPolygon); !ok || len(mp) != 2 || mp[1][0][0] != (orb.Point{-3.0, 56.2}) {
		t.Errorf("Glenrothes came back as %#v", bs[1].Geometry)
	}
	// A bad file leaves what was there.
	if _, err := env.Engine.ImportBoundaries(ctx, []byte(collection(feature("Fife", `{"type":"Point","coordinates":[-3,56]}`)))); err == nil {
		t.Fatal("a point was imported as a boundary")
	}
	if bs, _ := core.Boundaries(ctx, env.Pool); len(bs) != 2 {
		t.Errorf("a refused file changed the boundaries: %d", len(bs))
	}
	// A good one replaces them.
	if _, err := env.Engine.ImportBoundaries(ctx, []byte(collection(feature("Fife", `{"type":"Polygon","coordinates":[`+square(-3.5, 56.0)+`]}`)))); err != nil {
		t.Fatal(err)
	}
	if bs, _ := core.Boundaries(ctx, env.Pool); len(bs) != 1 || bs[0].Name != "Fife" {
		t.Errorf("after re-import: %+v", bs)
	}
}

func TestDistrictPoints(t *testing.T) {
	t.Parallel()
	env := coretest.NewEnv(t)
	ctx := context.Background()
	if _, err := env.Engine.ImportPostcodes(ctx, strings.NewReader("pcds,lat,long\nKY1 1AB,56.10,-3.10\nKY1 2CD,56.12,-3.14\nKY2 5EF,56.2,-3.2\n")); err != nil {
		t.Fatal(err)
	}
	ds, err := env.Engine.Districts(ctx)
	if err != nil || len(ds) == 0 {
		t.Fatalf("districts %v, %v", ds, err)
	}
	if _, ok := ds["KY2"]; !ok {
		t.Fatal("the test network has no KY2")
	}
	if err := env.Engine.SetDistrictPoint(ctx, env.Pool, core.DistrictPoint{District: "KY2", Lat: 56.13, Lon: -3.18}); err != nil {
		t.Fatal(err)
	}
	if err := env.Engine.SetDistrictPoint(ctx, env.Pool, core.DistrictPoint{District: "KY2", Lat: 692000, Lon: 327000}); err == nil {
		t.Error("a northing was taken as a latitude")
	}
	ps, err := core.DistrictPoints(ctx, env.Pool, []string{"KY1", "KY2", "ZZ9"})
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]core.DistrictPoint{
		"KY1": {District: "KY1", Lat: 56.11, Lon: -3.12}, // the middle of its postcodes
		"KY2": {District: "KY2", Lat: 56.13, Lon: -3.18}, // the network file's point wins
	}
	if len(ps) != 2 {
		t.Fatalf("points %+v; want KY1 and KY2 only", ps)
	}
	for d, w := range want {
		g := ps[d]
		if d != g.District || abs(g.Lat-w.Lat) > 1e-9 || abs(g.Lon-w.Lon) > 1e-9 {
			t.Errorf("%s: %+v, want %+v", d, g, w)
		}
	}
}

func abs(f float64) float64 {
	if f < 0 {
		return -f
	}
	return f
}

// FuzzParseBoundaries: any file is either refused with a BoundaryError or
// read into polygons whose rings are closed and in WGS84 ranges.
func FuzzParseBoundaries(f *testing.F) {
	f.Add([]byte(collection(feature("Kirkcaldy", `{"type":"Polygon","coordinates":[`+square(-3.2, 56.1)+`]}`))))
	f.Add([]byte(`{"type":"Feature","geometry":{"type":"MultiPolygon","coordinates":[[[[0,0],[1,0],[1,1],[0,0]]]]}}`))
	f.Add([]byte(`{"type":"FeatureCollection","features":[{"type":"Feature","geometry":{"type":"Point","coordinates":[1,2]}}]}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		bs, err := core.ParseBoundaries(data)
		if err != nil {
			var be *core.BoundaryError
			if !errors.As(err, &be) {
				t.Fatalf("error %v is not a BoundaryError", err)
			}
			return
		}
		for _, b := range bs {
			var polys orb.MultiPolygon
			switch g := b.Geometry.(type) {
			case orb.Polygon:
				polys = orb.MultiPolygon{g}
			case orb.MultiPolygon:
				polys = g
			default:
				t.Fatalf("feature %d read as %T", b.Position, b.Geometry)
			}
			for _, p := range polys {
				for _, r := range p {
					if len(r) < 4 || !r.Closed() {
						t.Fatalf("feature %d: ring %v accepted", b.Position, r)
					}
					for _, pt := range r {
						if !(pt[0] >= -180 && pt[0] <= 180 && pt[1] >= -90 && pt[1] <= 90) {
							t.Fatalf("feature %d: position %v accepted", b.Position, pt)
						}
					}
				}
			}
		}
	})
}
