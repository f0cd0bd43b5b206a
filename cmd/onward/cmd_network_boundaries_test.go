package main

import (
	"bytes"
	"context"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/onward-network/onward/core"
	"github.com/onward-network/onward/core/coretest"
)

func TestNetworkBoundariesAndDistrictPoints(t *testing.T) {
	ctx := context.Background()
	url := coretest.NewDatabase(t)
	t.Setenv("ONWARD_DATABASE_URL", url)
	t.Setenv("ONWARD_ENV", "dev") // the test engines chain events with the stand-in audit key
	dir := t.TempDir()
	write := func(name, body string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(body), 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	pool, err := pgxpool.New(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	defer pool.Close()
	stored := func() []core.Boundary {
		bs, err := core.Boundaries(ctx, pool)
		if err != nil {
			t.Fatal(err)
		}
		return bs
	}

	good := write("fife.geojson", `{"type":"FeatureCollection","features":[
 {"type":"Feature","properties":{"name":"Kirkcaldy"},"geometry":{"type":"Polygon","coordinates":[[[-3.25,56.08],[-3.1,56.08],[-3.1,56.16],[-3.25,56.08]]]}},
 {"type":"Feature","properties":{"name":"Glenrothes"},"geometry":{"type":"Polygon","coordinates":[[[-3.25,56.17],[-3.1,56.17],[-3.1,56.23],[-3.25,56.17]]]}}]}`)
	var out bytes.Buffer
	if err := runNetwork(ctx, []string{"boundaries", good}, &out, io.Discard); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out.String(), "Imported 2 boundaries") {
		t.Errorf("summary: %s", out.String())
	}
	if bs := stored(); len(bs) != 2 || bs[1].Name != "Glenrothes" {
		t.Fatalf("stored %+v", bs)
	}

	// British National Grid eastings and northings are refused, naming
	// the feature, and what was there stays.
	projected := write("bng.geojson", `{"type":"FeatureCollection","features":[
 {"type":"Feature","properties":{"name":"Kirkcaldy"},"geometry":{"type":"Polygon","coordinates":[[[-3.25,56.08],[-3.1,56.08],[-3.1,56.16],[-3.25,56.08]]]}},
 {"type":"Feature","properties":{"name":"Fife"},"geometry":{"type":"Polygon","coordinates":[[[327000,692000],[328000,692000],[328000,693000],[327000,692000]]]}}]}`)
	err = runNetwork(ctx, []string{"boundaries", projected}, io.Discard, io.Discard)
	if err == nil || !strings.Contains(err.Error(), "bng.geojson: boundaries file: feature 1: polygon 0, ring 0: position 0 is [327000, 692000]") ||
		!strings.Contains(err.Error(), "WGS84") || !strings.Contains(err.Error(), "nothing was imported") {
		t.Errorf("projected file: %v", err)
	}
	lines := write("roads.geojson", `{"type":"FeatureCollection","features":[{"type":"Feature","properties":{},"geometry":{"type":"LineString","coordinates":[[-3.2,56.1],[-3.1,56.1]]}}]}`)
	if err := runNetwork(ctx, []string{"boundaries", lines}, io.Discard, io.Discard); err == nil || !strings.Contains(err.Error(), "feature 0: its geometry is a LineString") {
		t.Errorf("line file: %v", err)
	}
	if bs := stored(); len(bs) != 2 {
		t.Errorf("a refused file changed the boundaries: %+v", bs)
	}

	// Importing again replaces.
	one := write("one.geojson", `{"type":"Feature","properties":{"name":"Fife"},"geometry":{"type":"Polygon","coordinates":[[[-3.6,56.0],[-2.6,56.0],[-2.6,56.45],[-3.6,56.0]]]}}`)
	if err := runNetwork(ctx, []string{"boundaries", one}, io.Discard, io.Discard); err != nil {
		t.Fatal(err)
	}
	if bs := stored(); len(bs) != 1 || bs[0].Name != "Fife" {
		t.Errorf("after re-import: %+v", bs)
	}

	// The example network file gives EH1 a point on the map.
	var example bytes.Buffer
	if err := runNetwork(ctx, []string{"example"}, &example, io.Discard); err != nil {
		t.Fatal(err)
	}
	if err := runNetwork(ctx, []string{"import", write("network.yaml", example.String())}, io.Discard, io.Discard); err != nil {
		t.Fatal(err)
	}
	ps, err := core.DistrictPoints(ctx, pool, []string{"EH1", "EH2"})
	if err != nil || len(ps) != 1 || ps["EH1"].Lat != 55.9521 || ps["EH1"].Lon != -3.19 {
		t.Errorf("district points after import: %+v, %v", ps, err)
	}
	half := strings.Replace(example.String(), "lat: 55.9521, lon: -3.1900", "lat: 55.9521", 1)
	err = runNetwork(ctx, []string{"import", write("half.yaml", half)}, io.Discard, io.Discard)
	if err == nil || !strings.Contains(err.Error(), "districts: the 1st district (EH1): give both lat and lon") {
		t.Errorf("a latitude without a longitude: %v", err)
	}
}
