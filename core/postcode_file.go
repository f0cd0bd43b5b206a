package core

import (
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/jackc/pgx/v5"
)

// Place is where a search is from: a postcode district, its council area,
// and a point when the network's postcode file knows one (the postcode's
// own, or the middle of the district's).
type Place struct {
	District    string
	CouncilArea string
	Town        string
	Lat, Lon    *float64
}

const (
	sqlPostcodePoint = `SELECT latitude, longitude FROM postcodes WHERE postcode = $1`
	sqlDistrictPoint = `SELECT avg(latitude), avg(longitude) FROM postcodes WHERE district = $1`
)

// Place reads a full postcode, a postcode district or a town of the
// network's area. A postcode or district outside the area is still a
// place (a national helpline's caller may be anywhere); words that are
// none of these are ErrDistrict.
func (e *Engine) Place(ctx context.Context, text string) (Place, error) {
	var p Place
	pc, pcErr := ParsePostcode(text)
	switch {
	case pcErr == nil:
		p.District = pc.District()
	default:
		if d, err := ParseDistrict(text); err == nil {
			p.District = d
		} else if t, ok, err := e.DistrictForTown(ctx, text); err != nil {
			return p, err
		} else if ok {
			p.District = t.District
		} else {
			return p, ErrDistrict
		}
	}
	ds, err := e.Districts(ctx)
	if err != nil {
		return p, err
	}
	p.CouncilArea, p.Town = ds[p.District].CouncilArea, ds[p.District].Town
	var lat, lon *float64
	if pcErr == nil {
		err = e.pool.QueryRow(ctx, sqlPostcodePoint, string(pc)).Scan(&lat, &lon)
		if errors.Is(err, pgx.ErrNoRows) {
			err = nil
		}
	}
	if err == nil && lat == nil {
		err = e.pool.QueryRow(ctx, sqlDistrictPoint, p.District).Scan(&lat, &lon)
	}
	if err != nil {
		return p, fmt.Errorf("place of %s: %w", p.District, err)
	}
	p.Lat, p.Lon = lat, lon
	return p, nil
}

// PostcodeImport is what `onward postcodes import` read.
type PostcodeImport struct {
	Rows      int // postcodes written
	Skipped   int // terminated postcodes, or without coordinates
	Districts int
}

// ImportPostcodes reads a postcode file with the ONS Postcode Directory's
// columns (a header row naming at least the postcode — pcds, pcd or
// postcode — lat or latitude, and long or longitude; oslaua or
// council_code is kept) and replaces the postcodes Onward knows, in one
// transaction. Terminated postcodes (doterm set) and ones without
// coordinates (the directory's 99.999999) are skipped; a row that cannot
// be read is named by its line and nothing is written.
func (e *Engine) ImportPostcodes(ctx context.Context, r io.Reader) (PostcodeImport, error) {
	var res PostcodeImport
	cr := csv.NewReader(r)
	cr.ReuseRecord = true
	cr.FieldsPerRecord = -1
	header, err := cr.Read()
	if err != nil {
		return res, fmt.Errorf("postcode file: read the header row: %w", err)
	}
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
		if _, err := tx.Exec(ctx, `CREATE TEMP TABLE postcodes_in (LIKE postcodes) ON COMMIT DROP`); err != nil {
			return fmt.Errorf("postcode file: %w", err)
		}
		line := 1
		var readErr error
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
				res.Rows++
				districts[pc.District()] = true
				return []any{string(pc), lat, lon, pc.District(), field(iCouncil)}, nil
			}
		})
		if _, err := tx.CopyFrom(ctx, pgx.Identifier{"postcodes_in"}, []string{"postcode", "latitude", "longitude", "district", "council_code"}, src); err != nil {
			if readErr != nil {
				return readErr
			}
			return fmt.Errorf("postcode file: %w", err)
		}
		if _, err := tx.Exec(ctx, `DELETE FROM postcodes`); err != nil {
			return fmt.Errorf("postcode file: %w", err)
		}
		if _, err := tx.Exec(ctx, `INSERT INTO postcodes SELECT DISTINCT ON (postcode) * FROM postcodes_in ORDER BY postcode`); err != nil {
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
