package report

import (
	"context"
	"slices"

	"github.com/onward-network/onward/core"
)

// DemandMap is the demand-by-district report placed on a map: a place for
// each district with referrals that has a point (from the network file or
// the postcode file), and the boundaries the network supplied. Its counts
// are the report's cells, suppressed exactly as the report's table is.
type DemandMap struct {
	Places     []MapPlace
	Boundaries []core.Boundary
	// Unplaced counts the districts with referrals but no point; the
	// table beneath the map has them.
	Unplaced int
}

// MapPlace is one district on the demand map.
type MapPlace struct {
	District, Town string
	Count          Cell
	Lat, Lon       float64
}

// MapOf places a finished demand-district report on the map. ok is false
// when none of its districts has a point: then there is no map, only the
// table as before.
func (rp *Reports) MapOf(ctx context.Context, rep Report) (m DemandMap, ok bool, err error) {
	if rep.Name != "demand-district" {
		return m, false, nil
	}
	iDistrict, iTown, iCount := slices.Index(rep.Columns, "Postcode district"), slices.Index(rep.Columns, "Town"), slices.Index(rep.Columns, "New referrals")
	if iDistrict < 0 || iCount < 0 {
		return m, false, nil
	}
	type row struct {
		district, town string
		count          Cell
	}
	var rows []row
	var districts []string
	for _, r := range rep.Rows {
		d := r[iDistrict].Text
		// "Not known" and the total are not places.
		if _, err := core.ParseDistrict(d); err != nil {
			continue
		}
		town := ""
		if iTown >= 0 {
			town = r[iTown].Text
		}
		rows = append(rows, row{d, town, r[iCount]})
		districts = append(districts, d)
	}
	if len(rows) == 0 {
		return m, false, nil
	}
	points, err := core.DistrictPoints(ctx, rp.pool, districts)
	if err != nil {
		return m, false, err
	}
	for _, r := range rows {
		p, has := points[r.district]
		if !has {
			m.Unplaced++
			continue
		}
		m.Places = append(m.Places, MapPlace{District: r.district, Town: r.town, Count: r.count, Lat: p.Lat, Lon: p.Lon})
	}
	if len(m.Places) == 0 {
		return m, false, nil
	}
	if m.Boundaries, err = core.Boundaries(ctx, rp.pool); err != nil {
		return m, false, err
	}
	return m, true, nil
}
