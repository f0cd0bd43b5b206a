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

	"github.com/onward-network/onward/core/coretest"
)

// `onward postcodes import --ward-names` keeps the postcodes' wards and
// SIMD ranks and the wards' names, and says how many; a bad ward names
// file is refused naming its line. fill-referrals runs on a network with
// no referrals yet.
func TestPostcodesImportWithAreas(t *testing.T) {
	ctx := context.Background()
	url := coretest.NewDatabase(t)
	t.Setenv("ONWARD_DATABASE_URL", url)
	t.Setenv("ONWARD_ENV", "dev")
	dir := t.TempDir()
	write := func(name, body string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(body), 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	postcodes := write("onspd.csv", "pcds,oslaua,osward,lsoa11,imd,lat,long\n"+
		"KY1 1AB,S12000047,S13002881,S01009001,140,56.1120,-3.1600\n"+
		"TD15 1AA,E06000057,E05008979,E01027505,30123,55.7700,-2.0000\n")
	wards := write("wards.csv", "WD24CD,WD24NM\nS13002881,Kirkton Central\n")
	var out bytes.Buffer
	if err := runPostcodes(ctx, []string{"import", "--ward-names", wards, postcodes}, &out, io.Discard); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"2 postcodes in 2 districts imported", "2 with a ward, 1 with a SIMD rank", "1 ward names imported", "fill-referrals"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("output %q does not say %q", out.String(), want)
		}
	}
	pool, err := pgxpool.New(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	defer pool.Close()
	var name string
	if err := pool.QueryRow(ctx, `SELECT w.name FROM postcodes p JOIN wards w ON w.code = p.ward_code WHERE p.postcode = 'KY1 1AB' AND p.simd_decile = 1`).Scan(&name); err != nil || name != "Kirkton Central" {
		t.Errorf("KY1 1AB's ward is %q (%v)", name, err)
	}
	// A bad ward names file is refused before the postcodes are replaced.
	bad := write("bad-wards.csv", "WD24CD,WD24NM\nS13002881,Kirkton Central\nward 2,Balgarvie\n")
	other := write("other.csv", "pcds,lat,long\nKY2 1AB,56.1,-3.1\n")
	if err := runPostcodes(ctx, []string{"import", "--ward-names", bad, other}, io.Discard, io.Discard); err == nil || !strings.Contains(err.Error(), "line 3, column WD24CD") {
		t.Errorf("a bad ward names file: %v", err)
	}
	if n := coretest.CountRows(t, pool, "postcodes"); n != 2 {
		t.Errorf("after a bad ward names file, %d postcodes, want the 2 imported before", n)
	}
	out.Reset()
	if err := runPostcodes(ctx, []string{"fill-referrals"}, &out, io.Discard); err != nil || !strings.Contains(out.String(), "0 referrals looked at") {
		t.Errorf("fill-referrals: %q, %v", out.String(), err)
	}
}
