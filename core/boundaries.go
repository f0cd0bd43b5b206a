package core

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"math"
	"strings"

	"github.com/jackc/pgx/v5"
	"github.com/paulmach/orb"
	"github.com/paulmach/orb/geojson"
)

// Boundary is an area the network supplies for the demand map (a council
// area, a ward, a locality), drawn under the map's circles.
type Boundary struct {
	// Position is the feature's index in the file it came from.
	Position int
	Name     string
	// Geometry is an orb.Polygon or orb.MultiPolygon in WGS84 longitude
	// (X) and latitude (Y).
	Geometry orb.Geometry
}

// BoundaryError says which feature of a boundaries file is wrong and why.
type BoundaryError struct {
	// Feature is the feature's index in the file's "features" (0 first);
	// -1 when the problem is the file as a whole.
	Feature int
	Reason  string
}

func (e *BoundaryError) Error() string {
	if e.Feature < 0 {
		return "boundaries file: " + e.Reason
	}
	return fmt.Sprintf("boundaries file: feature %d: %s", e.Feature, e.Reason)
}

// maxBoundaryPoints bounds a boundaries file: the map draws every point on
// every page view, so a full-resolution coastline should be simplified
// before it is imported.
const maxBoundaryPoints = 200_000

// ParseBoundaries reads a GeoJSON FeatureCollection (or one Feature) of
// Polygon and MultiPolygon features in WGS84 longitude/latitude, as the
// GeoJSON standard (RFC 7946) has them. It refuses, naming the feature and
// the reason: a file that is not GeoJSON, a feature that is not a polygon,
// a ring that is not closed or has fewer than four points, and coordinates
// outside longitude −180…180 and latitude −90…90 — which is what
// projected coordinates such as British National Grid eastings and
// northings look like — or a "crs" member naming another system.
func ParseBoundaries(data []byte) ([]Boundary, error) {
	var top struct {
		Type     string            `json:"type"`
		Features []json.RawMessage `json:"features"`
		CRS      json.RawMessage   `json:"crs"`
	}
	if err := json.Unmarshal(data, &top); err != nil {
		return nil, &BoundaryError{Feature: -1, Reason: "not valid JSON: " + err.Error()}
	}
	if err := checkCRS(top.CRS); err != nil {
		return nil, &BoundaryError{Feature: -1, Reason: err.Error()}
	}
	var raw []json.RawMessage
	switch top.Type {
	case "FeatureCollection":
		raw = top.Features
	case "Feature":
		raw = []json.RawMessage{data}
	default:
		return nil, &BoundaryError{Feature: -1, Reason: fmt.Sprintf("the top level must be a GeoJSON FeatureCollection or Feature, not %q", top.Type)}
	}
	if len(raw) == 0 {
		return nil, &BoundaryError{Feature: -1, Reason: "it has no features"}
	}
	out := make([]Boundary, 0, len(raw))
	points := 0
	for i, r := range raw {
		f, err := geojson.UnmarshalFeature(r)
		if err != nil {
			return nil, &BoundaryError{Feature: i, Reason: "not a valid GeoJSON feature: " + err.Error()}
		}
		if f.Geometry == nil {
			return nil, &BoundaryError{Feature: i, Reason: "it has no geometry"}
		}
		var polys orb.MultiPolygon
		switch g := f.Geometry.(type) {
		case orb.Polygon:
			polys = orb.MultiPolygon{g}
		case orb.MultiPolygon:
			polys = g
		default:
			return nil, &BoundaryError{Feature: i, Reason: fmt.Sprintf("its geometry is a %s; boundaries must be Polygon or MultiPolygon", f.Geometry.GeoJSONType())}
		}
		for j, poly := range polys {
			if len(poly) == 0 {
				return nil, &BoundaryError{Feature: i, Reason: fmt.Sprintf("polygon %d has no rings", j)}
			}
			for k, ring := range poly {
				if reason := checkRing(ring); reason != "" {
					return nil, &BoundaryError{Feature: i, Reason: fmt.Sprintf("polygon %d, ring %d: %s", j, k, reason)}
				}
				points += len(ring)
			}
		}
		if points > maxBoundaryPoints {
			return nil, &BoundaryError{Feature: i, Reason: fmt.Sprintf("the file has more than %d points; simplify the boundaries first (for example with mapshaper)", maxBoundaryPoints)}
		}
		out = append(out, Boundary{Position: i, Name: featureName(f.Properties), Geometry: f.Geometry})
	}
	return out, nil
}

// checkRing says what is wrong with a polygon ring, or "" when nothing is.
func checkRing(ring orb.Ring) string {
	if len(ring) < 4 {
		return fmt.Sprintf("a ring needs at least 4 positions (the first repeated last), it has %d", len(ring))
	}
	for p, pt := range ring {
		lon, lat := pt[0], pt[1]
		switch {
		case math.IsNaN(lon) || math.IsNaN(lat) || math.IsInf(lon, 0) || math.IsInf(lat, 0):
			return fmt.Sprintf("position %d is not a number", p)
		case math.Abs(lon) > 180 || math.Abs(lat) > 90:
			return fmt.Sprintf("position %d is [%g, %g], outside WGS84 longitude −180…180 and latitude −90…90: "+
				"these look like projected coordinates (eastings and northings, such as British National Grid); "+
				"convert the file to WGS84 (EPSG:4326) first", p, lon, lat)
		}
	}
	if !ring.Closed() {
		return "the ring is not closed: its last position must repeat its first"
	}
	return ""
}

// checkCRS refuses a "crs" member (from the 2008 GeoJSON draft) that names
// a system other than WGS84 longitude/latitude.
func checkCRS(raw json.RawMessage) error {
	if len(raw) == 0 || bytes.Equal(raw, []byte("null")) {
		return nil
	}
	var crs struct {
		Properties struct {
			Name string `json:"name"`
		} `json:"properties"`
	}
	_ = json.Unmarshal(raw, &crs)
	name := strings.ToUpper(crs.Properties.Name)
	for _, ok := range []string{"CRS84", "EPSG::4326", "EPSG:4326"} {
		if strings.HasSuffix(name, ok) {
			return nil
		}
	}
	return fmt.Errorf("its \"crs\" is %q; boundaries must be in WGS84 longitude/latitude (EPSG:4326), as GeoJSON requires", crs.Properties.Name)
}

// featureName is what a feature calls itself: its "name" property, or
// an ONS-style name column (LAD23NM, WD24NM and the like).
func featureName(p geojson.Properties) string {
	for k, v := range p {
		if s, ok := v.(string); ok && strings.EqualFold(k, "name") {
			return s
		}
	}
	for k, v := range p {
		if s, ok := v.(string); ok && strings.HasSuffix(strings.ToUpper(k), "NM") {
			return s
		}
	}
	return ""
}

const (
	sqlDeleteBoundaries = `DELETE FROM map_boundaries`
	sqlInsertBoundary   = `INSERT INTO map_boundaries (position, name, geometry, imported_at) VALUES ($1, $2, $3, $4)`
)

// ImportBoundaries reads a GeoJSON boundaries file (see ParseBoundaries)
// and replaces the boundaries the demand map draws, in one transaction.
// A file with any mistake writes nothing; the error is a *BoundaryError.
func (e *Engine) ImportBoundaries(ctx context.Context, data []byte) (int, error) {
	bs, err := ParseBoundaries(data)
	if err != nil {
		return 0, err
	}
	now := e.clock.Now()
	err = inTx(ctx, e.pool, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, sqlDeleteBoundaries); err != nil {
			return fmt.Errorf("replace boundaries: %w", err)
		}
		for _, b := range bs {
			g, err := geojson.NewGeometry(b.Geometry).MarshalJSON()
			if err != nil {
				return fmt.Errorf("boundary %d: %w", b.Position, err)
			}
			if _, err := tx.Exec(ctx, sqlInsertBoundary, b.Position, b.Name, g, now); err != nil {
				return fmt.Errorf("store boundary %d: %w", b.Position, err)
			}
		}
		return nil
	})
	if err != nil {
		return 0, err
	}
	return len(bs), nil
}

const sqlSelectBoundaries = `SELECT position, name, geometry FROM map_boundaries ORDER BY position`

// Boundaries returns the boundaries the network supplied for the demand
// map, in the file's order; none when it supplied none.
func Boundaries(ctx context.Context, db DB) ([]Boundary, error) {
	rows, _ := db.Query(ctx, sqlSelectBoundaries)
	var out []Boundary
	var b Boundary
	var raw []byte
	_, err := pgx.ForEachRow(rows, []any{&b.Position, &b.Name, &raw}, func() error {
		g, err := geojson.UnmarshalGeometry(raw)
		if err != nil {
			return fmt.Errorf("boundary %d: %w", b.Position, err)
		}
		b.Geometry = g.Geometry()
		out = append(out, b)
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("read boundaries: %w", err)
	}
	return out, nil
}
