package core

import (
	"fmt"
	"math"
	"slices"
	"strings"
)

// A directory search can be from several places at once (a town is every
// postcode district it spans, DistrictPlaces): a service is kept when it
// covers any of them, and a location is as far away as the nearest of
// them. One place is the same search with one of each.

// searchPlaces is every place q searches from: its Places, and the one
// its District, CouncilArea, Lat and Lon make.
func (q DirectoryQuery) searchPlaces() []Place {
	ps := q.Places
	if q.District != "" || q.CouncilArea != "" || q.Lat != nil && q.Lon != nil {
		ps = append(slices.Clip(ps), Place{District: q.District, CouncilArea: q.CouncilArea, Lat: q.Lat, Lon: q.Lon})
	}
	return ps
}

// covers keeps the services whose area covers one of q's places: their
// postcode districts hold its district, or their council areas its
// council area.
func (q DirectoryQuery) covers(b *queryBuilder) {
	var districts, councils []string
	for _, p := range q.searchPlaces() {
		if p.District != "" && !slices.Contains(districts, p.District) {
			districts = append(districts, p.District)
		}
		if p.CouncilArea != "" && !slices.Contains(councils, p.CouncilArea) {
			councils = append(councils, p.CouncilArea)
		}
	}
	if len(districts) == 0 && len(councils) == 0 {
		return
	}
	b.where(`(s.postcode_districts && ` + b.arg(nonNil(districts)) + `::text[] OR s.council_areas && ` + b.arg(nonNil(councils)) + `::text[])`)
}

// metresPerRadian is the Earth's mean radius, as sqlDistance measures.
const metresPerRadian = 6371008.8

// within narrows a search of locations to q.Proximity metres of one of
// its points and returns the SQL of the distance to order by, from the
// nearest of them; "" when q has no point. Around each point a box of
// latitudes and longitudes that holds the circle is tested first: plain
// comparisons that leave the distance's trigonometry to the few
// locations inside it, and never drop one the distance would keep (a 1%
// margin covers rounding).
func (q DirectoryQuery) within(b *queryBuilder) string {
	var dists, near []string
	for _, p := range q.searchPlaces() {
		if p.Lat == nil || p.Lon == nil {
			continue
		}
		lat, lon := *p.Lat, *p.Lon
		dist := fmt.Sprintf(sqlDistance, b.arg(lat), b.arg(lon))
		dists = append(dists, dist)
		if q.Proximity <= 0 {
			continue
		}
		d := q.Proximity / metresPerRadian
		dLat := d * 1.01 * 180 / math.Pi
		conds := []string{`coalesce(l.latitude, p.latitude) BETWEEN ` + b.arg(lat-dLat) + ` AND ` + b.arg(lat+dLat)}
		// The widest longitude a point within d reaches (Matuschek's
		// bounding box); no bound when the circle holds a pole.
		if c := math.Cos(lat * math.Pi / 180); math.Sin(d) < c {
			dLon := math.Asin(math.Sin(d)/c) * 1.01 * 180 / math.Pi
			if lon-dLon > -180 && lon+dLon < 180 {
				conds = append(conds, `coalesce(l.longitude, p.longitude) BETWEEN `+b.arg(lon-dLon)+` AND `+b.arg(lon+dLon))
			}
		}
		conds = append(conds, dist+` <= `+b.arg(q.Proximity))
		near = append(near, `(`+strings.Join(conds, ` AND `)+`)`)
	}
	switch len(near) {
	case 0:
	case 1:
		b.where(near[0])
	default:
		b.where(`(` + strings.Join(near, ` OR `) + `)`)
	}
	switch len(dists) {
	case 0:
		return ""
	case 1:
		return dists[0]
	}
	// LEAST passes over NULLs, and a location with no point is NULL from
	// every place, so it still sorts last.
	return `LEAST(` + strings.Join(dists, `, `) + `)`
}
