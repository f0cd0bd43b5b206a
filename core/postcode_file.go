package core

import (
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"

	"github.com/jackc/pgx/v5"
)

// Place is where a search is from: a postcode district, its council area,
// and a point when one is known: a full postcode's own from the postcode
// file, else the district's (DistrictPoints: the network file's point for
// it, or the middle of its postcodes).
type Place struct {
	District    string
	CouncilArea string
	Town        string
	Lat, Lon    *float64
}

const sqlPostcodePoint = `SELECT latitude, longitude FROM postcodes WHERE postcode = $1`

// Place reads a full postcode, a postcode district or a town of the
// network's area. A postcode or district outside the area is still a
// place (a national helpline's caller may be anywhere); words that are
// none of these are ErrDistrict. A full postcode is at its own point
// when the postcode file has it; otherwise, and for a district or a town,
// the place is at its district's point (DistrictPoints), so the point the
// network file gives a district is where Place puts it. A town spread
// over several districts is the first of them (as DistrictForTown has
// it); DistrictPlaces and SearchPlaces give them all.
func (e *Engine) Place(ctx context.Context, text string) (Place, error) {
	if pc, err := ParsePostcode(text); err == nil {
		// A full postcode is its own point when the postcode file has it:
		// one query, and the district's point only when it has not.
		ds, err := e.Districts(ctx)
		if err != nil {
			return Place{}, err
		}
		d := pc.District()
		p := Place{District: d, CouncilArea: ds[d].CouncilArea, Town: ds[d].Town}
		var lat, lon *float64
		err = e.pool.QueryRow(ctx, sqlPostcodePoint, string(pc)).Scan(&lat, &lon)
		if err != nil && !errors.Is(err, pgx.ErrNoRows) {
			return p, fmt.Errorf("place of %s: %w", d, err)
		}
		if lat != nil && lon != nil {
			p.Lat, p.Lon = lat, lon
			return p, nil
		}
	}
	ps, err := e.DistrictPlaces(ctx, text)
	if err != nil {
		return Place{}, err
	}
	return ps[0], nil
}

// SearchPlaces reads a full postcode, a postcode district or a town of
// the network's area as the places a search from it is from: one Place
// for a full postcode (Place: at its own point when known) or a
// district, and for a town every district that names it
// (DistrictPlaces). The Open Referral feed searches from them, keeping
// services that cover any of them and measuring each from the nearest
// (DirectoryQuery.Places).
func (e *Engine) SearchPlaces(ctx context.Context, text string) ([]Place, error) {
	if _, err := ParsePostcode(text); err != nil {
		return e.DistrictPlaces(ctx, text)
	}
	p, err := e.Place(ctx, text)
	if err != nil {
		return nil, err
	}
	return []Place{p}, nil
}

// DistrictPlaces reads a full postcode, a postcode district or a town of
// the network's area as the districts it names, each a Place at its
// district's point (DistrictPoints; never a postcode's own point): one
// for a postcode or a district, and for a town every district that names
// it, in natural order (Kirkcaldy: KY1 and KY2). Words that are none of
// these are ErrDistrict. The public directory searches a town in all of
// its districts and measures each service from the nearest of them.
func (e *Engine) DistrictPlaces(ctx context.Context, text string) ([]Place, error) {
	var names []string
	if pc, err := ParsePostcode(text); err == nil {
		names = []string{pc.District()}
	} else if d, err := ParseDistrict(text); err == nil {
		names = []string{d}
	} else {
		towns, err := e.DistrictsForTown(ctx, text)
		if err != nil {
			return nil, err
		}
		for _, t := range towns {
			names = append(names, t.District)
		}
	}
	if len(names) == 0 {
		return nil, ErrDistrict
	}
	return e.districtPlaces(ctx, names)
}

// districtPlaces is each of districts as a Place, in the order given:
// its council area and town when it is one of the network's, and its
// point when it has one (DistrictPoints: the network file's, else the
// middle of its postcodes in the postcode file).
func (e *Engine) districtPlaces(ctx context.Context, districts []string) ([]Place, error) {
	ds, err := e.Districts(ctx)
	if err != nil {
		return nil, err
	}
	points, err := DistrictPoints(ctx, e.pool, districts)
	if err != nil {
		return nil, fmt.Errorf("place of %s: %w", strings.Join(districts, ", "), err)
	}
	out := make([]Place, len(districts))
	for i, d := range districts {
		out[i] = Place{District: d, CouncilArea: ds[d].CouncilArea, Town: ds[d].Town}
		if pt, ok := points[d]; ok {
			lat, lon := pt.Lat, pt.Lon
			out[i].Lat, out[i].Lon = &lat, &lon
		}
	}
	return out, nil
}

// PostcodeImport is what `onward postcodes import` read.
type PostcodeImport struct {
	Rows      int // postcodes written
	Skipped   int // terminated postcodes, or without coordinates
	Districts int
	// Wards and SIMD count the postcodes written with a ward, and with a
	// SIMD rank (Scottish data zones only).
	Wards, SIMD int
}

// ImportPostcodes reads a postcode file with the ONS Postcode Directory's
// columns (a header row naming at least the postcode — pcds, pcd or
// postcode — lat or latitude, and long or longitude; oslaua or
// council_code is kept) and replaces the postcodes Onward knows, in one
// transaction. When the file has them it keeps each postcode's area
// facts too: its 2011 data zone (lsoa11), ward (osward) and, for a
// Scottish data zone (S01…), the data zone's SIMD rank (imd; for England
// and Wales that column holds their own indices' ranks, which are not
// kept). Terminated postcodes (doterm set) and ones without coordinates
// (the directory's 99.999999) are skipped; the directory's "no code"
// (S99999999) and a blank are no ward or data zone. A row that cannot be
// read — a ward or data zone not written as a GSS code, a rank that is
// not a number or, for a Scottish data zone, not 1 to 6976 — is named by
// its line and column and nothing is written. A postcode given twice
// keeps its last row.
func (e *Engine) ImportPostcodes(ctx context.Context, r io.Reader) (PostcodeImport, error) {
	var res PostcodeImport
	cr := csv.NewReader(r)
	cr.ReuseRecord = true
	cr.FieldsPerRecord = -1
	header, err := cr.Read()
	if err != nil {
		return res, fmt.Errorf("postcode file: read the header row: %w", err)
	}
	header = slices.Clone(header) // the reader reuses its record
	col := func(names ...string) int {
		for _, n := range names {
			for i, h := range header {
				if strings.EqualFold(strings.TrimSpace(strings.TrimPrefix(h, "\ufeff")), n) {
					return i
				}
			}
		}
		return -1
	}
	iPC, iLat, iLon := col("pcds", "postcode", "pcd", "pcd2"), col("lat", "latitude"), col("long", "longitude", "lon", "lng")
	iCouncil, iTerm := col("oslaua", "lad", "council_code", "laua"), col("doterm")
	// The 2011 data zones, not lsoa21's 2022 ones: SIMD 2020 ranks the
	// 2011 data zones.
	iZone, iWard, iIMD := col("lsoa11", "data_zone", "datazone"), col("osward", "ward_code", "ward"), col("imd", "simd_rank")
	var missing []string
	for name, i := range map[string]int{"postcode (pcds)": iPC, "latitude (lat)": iLat, "longitude (long)": iLon} {
		if i < 0 {
			missing = append(missing, name)
		}
	}
	if len(missing) > 0 {
		return res, fmt.Errorf("postcode file: the header row has no column for %s", strings.Join(missing, ", "))
	}
	districts := map[string]bool{}
	err = inTx(ctx, e.pool, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `CREATE TEMP TABLE postcodes_in (LIKE postcodes, line int NOT NULL) ON COMMIT DROP`); err != nil {
			return fmt.Errorf("postcode file: %w", err)
		}
		line := 1
		var readErr error
		refuse := func(i int, format string, args ...any) ([]any, error) {
			readErr = fmt.Errorf("postcode file line %d, column %s: "+format, append([]any{line, header[i]}, args...)...)
			return nil, readErr
		}
		src := pgx.CopyFromFunc(func() ([]any, error) {
			for {
				rec, err := cr.Read()
				line++
				if err == io.EOF {
					return nil, nil
				}
				if err != nil {
					readErr = fmt.Errorf("postcode file line %d: %w", line, err)
					return nil, readErr
				}
				field := func(i int) string {
					if i < 0 || i >= len(rec) {
						return ""
					}
					return strings.TrimSpace(rec[i])
				}
				if field(iTerm) != "" {
					res.Skipped++
					continue
				}
				pc, err := ParsePostcode(field(iPC))
				if err != nil {
					readErr = fmt.Errorf("postcode file line %d: %q is not a postcode", line, field(iPC))
					return nil, readErr
				}
				lat, err1 := strconv.ParseFloat(field(iLat), 64)
				lon, err2 := strconv.ParseFloat(field(iLon), 64)
				if err1 != nil || err2 != nil {
					readErr = fmt.Errorf("postcode file line %d: latitude %q and longitude %q are not numbers", line, field(iLat), field(iLon))
					return nil, readErr
				}
				if lat > 90 || (lat == 0 && lon == 0) { // the directory's 99.999999: no coordinates
					res.Skipped++
					continue
				}
				if lat < -90 || lon < -180 || lon > 180 {
					readErr = fmt.Errorf("postcode file line %d: latitude %q and longitude %q are not a place on the map", line, field(iLat), field(iLon))
					return nil, readErr
				}
				zone, ward := strings.ToUpper(field(iZone)), strings.ToUpper(field(iWard))
				if pseudoCode(zone) {
					zone = ""
				}
				if pseudoCode(ward) {
					ward = ""
				}
				if zone != "" && !IsGSSCode(zone) {
					return refuse(iZone, "%q is not a data zone code (a letter and 8 digits, like S01006506)", field(iZone))
				}
				if ward != "" && !IsGSSCode(ward) {
					return refuse(iWard, "%q is not a ward code (a letter and 8 digits, like S13002881)", field(iWard))
				}
				var rank, decile *int
				if s := field(iIMD); s != "" {
					n, err := strconv.Atoi(s)
					if err != nil {
						return refuse(iIMD, "%q is not a rank (a whole number)", s)
					}
					if scottishDataZone(zone) {
						d := SIMDDecile(n)
						if d == 0 {
							return refuse(iIMD, "%q is not a SIMD rank (1 to %d) for data zone %s", s, SIMDDataZones, zone)
						}
						rank, decile = &n, &d
					}
				}
				res.Rows++
				if ward != "" {
					res.Wards++
				}
				if rank != nil {
					res.SIMD++
				}
				districts[pc.District()] = true
				return []any{string(pc), lat, lon, pc.District(), field(iCouncil), zone, ward, rank, decile, line}, nil
			}
		})
		if _, err := tx.CopyFrom(ctx, pgx.Identifier{"postcodes_in"}, append(slices.Clone(postcodeColumns), "line"), src); err != nil {
			if readErr != nil {
				return readErr
			}
			return fmt.Errorf("postcode file: %w", err)
		}
		if _, err := tx.Exec(ctx, `DELETE FROM postcodes`); err != nil {
			return fmt.Errorf("postcode file: %w", err)
		}
		cols := strings.Join(postcodeColumns, ", ")
		if _, err := tx.Exec(ctx, `INSERT INTO postcodes (`+cols+`) SELECT DISTINCT ON (postcode) `+cols+
			` FROM postcodes_in ORDER BY postcode, line DESC`); err != nil {
			return fmt.Errorf("postcode file: %w", err)
		}
		return nil
	})
	res.Districts = len(districts)
	if err != nil {
		return PostcodeImport{}, err
	}
	return res, nil
}

// postcodeColumns are the postcodes table's columns an import writes.
var postcodeColumns = []string{"postcode", "latitude", "longitude", "district", "council_code",
	"data_zone", "ward_code", "simd_rank", "simd_decile"}
