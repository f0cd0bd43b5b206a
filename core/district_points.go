package core

import (
	"context"
	"fmt"

	"github.com/jackc/pgx/v5"
)

// DistrictPoint is where a postcode district sits, in WGS84 degrees: on
// the demand map, and as a Place that searches are measured from.
type DistrictPoint struct {
	District string
	Lat, Lon float64
}

const sqlSetDistrictPoint = `UPDATE postcode_districts SET latitude = $2, longitude = $3 WHERE district = $1`

// SetDistrictPoint records the point the network file gives a district
// (its centroid, or its main town's middle) for the demand map and for
// Engine.Place. The district must be one of the network's.
func (e *Engine) SetDistrictPoint(ctx context.Context, db DB, p DistrictPoint) error {
	if p.Lat < -90 || p.Lat > 90 || p.Lon < -180 || p.Lon > 180 {
		return &ValidationError{Fields: []FieldError{{Field: "lat, lon", Message: fmt.Sprintf(
			"%g, %g is not a WGS84 latitude (−90…90) and longitude (−180…180)", p.Lat, p.Lon)}}}
	}
	tag, err := db.Exec(ctx, sqlSetDistrictPoint, p.District, p.Lat, p.Lon)
	if err != nil {
		return fmt.Errorf("set the point of %s: %w", p.District, err)
	}
	if tag.RowsAffected() == 0 {
		return fmt.Errorf("set the point of %s: %w", p.District, ErrNotFound)
	}
	return nil
}

// The network file's point for a district wins; otherwise the middle of
// the district's postcodes in the postcode file. Districts outside the
// network's area that the postcode file knows have points too, since
// clients come from anywhere.
const sqlDistrictPoints = `
SELECT district, latitude, longitude FROM postcode_districts
WHERE district = ANY($1) AND latitude IS NOT NULL
UNION ALL
SELECT district, avg(latitude), avg(longitude) FROM postcodes p
WHERE district = ANY($1)
  AND NOT EXISTS (SELECT 1 FROM postcode_districts d WHERE d.district = p.district AND d.latitude IS NOT NULL)
GROUP BY district`

// DistrictPoints returns a point for each of the districts that has one,
// by district. It is the one definition of a district's point: the
// demand map draws it, and Engine.Place and DistrictPlaces put a
// district (and a town built from its districts) there.
func DistrictPoints(ctx context.Context, db DB, districts []string) (map[string]DistrictPoint, error) {
	rows, _ := db.Query(ctx, sqlDistrictPoints, districts)
	out := map[string]DistrictPoint{}
	var p DistrictPoint
	if _, err := pgx.ForEachRow(rows, []any{&p.District, &p.Lat, &p.Lon}, func() error {
		out[p.District] = p
		return nil
	}); err != nil {
		return nil, fmt.Errorf("read district points: %w", err)
	}
	return out, nil
}
