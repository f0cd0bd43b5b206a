package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"

	"github.com/onward-network/onward/core"
)

// importBoundaries is `onward network boundaries FILE.geojson`: it stores
// the areas the demand map draws, replacing any stored before.
func importBoundaries(ctx context.Context, path string, stdout io.Writer) error {
	raw, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	// Checked before connecting, so a wrong file is told at once.
	if _, err := core.ParseBoundaries(raw); err != nil {
		return fmt.Errorf("%s: %w (nothing was imported)", path, err)
	}
	eng, closeEng, err := openMigratingEngine(ctx)
	if err != nil {
		return err
	}
	defer closeEng()
	n, err := eng.ImportBoundaries(ctx, raw)
	if err != nil {
		return fmt.Errorf("%s: %w (nothing was imported)", path, err)
	}
	fmt.Fprintf(stdout, "Imported %d boundaries from %s; the demand map draws them (any imported before are replaced).\n", n, path)
	return nil
}

// importDistrictPoint records a district's point on the demand map when
// the network file gives one; both lat and lon, or neither.
func importDistrictPoint(ctx context.Context, eng *core.Engine, db core.DB, district string, lat, lon *float64) error {
	switch {
	case lat == nil && lon == nil:
		return nil
	case lat == nil || lon == nil:
		return errors.New("give both lat and lon for the district's point on the demand map, or neither")
	}
	return eng.SetDistrictPoint(ctx, db, core.DistrictPoint{District: district, Lat: *lat, Lon: *lon})
}
