package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"

	"github.com/onward-network/onward/core"
	"github.com/onward-network/onward/core/report"
)

const postcodesUsage = `Usage: onward postcodes import [--ward-names WARDS.csv] FILE.csv
       onward postcodes fill-referrals

import reads a postcode file with the columns of the ONS Postcode
Directory (ONSPD, from the ONS Open Geography Portal, or the part of it
for your area): a header row naming the postcode (pcds, pcd or
postcode), latitude (lat) and longitude (long), and optionally the
council code (oslaua), termination date (doterm; terminated postcodes are
skipped), ward (osward), 2011 data zone (lsoa11) and SIMD rank (imd,
kept for Scottish data zones only: for England and Wales it is their own
index's rank). It replaces the postcodes Onward knows, in one
transaction; a row it cannot read is named by its line and column and
nothing is written. With them, the directory and its Open Referral feed
measure distances and list nearest first (without them, searches match
by postcode district), and each new referral keeps the SIMD decile and
ward of the client's postcode for the demand-simd and demand-ward
reports. --ward-names also reads the ONS "Ward names and codes" file
(columns WD24CD and WD24NM, or code and name) so reports name wards.

fill-referrals gives referrals made before the postcode file had ward and
SIMD columns the facts of the postcode given with each. The full
postcode is kept only encrypted, so it opens each referral's details in
this process (nothing is printed or logged; the audit log records the
run and its counts); erased clients' referrals stay "not known". The
reports are rebuilt on their next refresh.

Needs ONWARD_DATABASE_URL (and ONWARD_ENCRYPTION_KEY for fill-referrals).
`

func init() {
	register(command{name: "postcodes", subs: []string{"import", "fill-referrals"},
		summary: "import a postcode file (ONS Postcode Directory columns) for distances, wards and SIMD", run: runPostcodes})
}

func runPostcodes(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("postcodes", postcodesUsage, stdout, stderr)
	wardNames := fs.String("ward-names", "", "the ONS ward names and codes file (WD24CD, WD24NM) to import with the postcodes")
	say := errors.New("say `onward postcodes import FILE.csv` or `onward postcodes fill-referrals`")
	if len(args) == 0 || (args[0] != "import" && args[0] != "fill-referrals") {
		fs.Usage()
		return say
	}
	sub := args[0]
	if err := fs.Parse(args[1:]); err != nil {
		return err
	}
	if sub == "fill-referrals" {
		if fs.NArg() != 0 || *wardNames != "" {
			fs.Usage()
			return say
		}
		return fillReferralAreas(ctx, stdout)
	}
	if fs.NArg() != 1 {
		fs.Usage()
		return say
	}
	f, err := os.Open(fs.Arg(0))
	if err != nil {
		return fmt.Errorf("postcode file: %w", err)
	}
	defer f.Close()
	// The ward names file is small (a few thousand wards): read and
	// checked before the postcodes are replaced, so a bad one changes
	// nothing.
	var wards []byte
	if *wardNames != "" {
		if wards, err = os.ReadFile(*wardNames); err != nil {
			return fmt.Errorf("ward names file: %w", err)
		}
		if _, err := core.ParseWardNames(bytes.NewReader(wards)); err != nil {
			return err
		}
	}
	eng, closeEng, err := openCLIEngine(ctx)
	if err != nil {
		return err
	}
	defer closeEng()
	res, err := eng.ImportPostcodes(ctx, f)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "%d postcodes in %d districts imported (%d skipped: terminated or without coordinates); %d with a ward, %d with a SIMD rank\n",
		res.Rows, res.Districts, res.Skipped, res.Wards, res.SIMD)
	if wards != nil {
		w, err := eng.ImportWardNames(ctx, bytes.NewReader(wards))
		if err != nil {
			return err
		}
		fmt.Fprintf(stdout, "%d ward names imported\n", w.Wards)
	}
	if res.Wards+res.SIMD > 0 {
		fmt.Fprintln(stdout, "Referrals made from now on keep their postcode's ward and SIMD decile; `onward postcodes fill-referrals` gives them to earlier ones.")
	}
	return nil
}

// fillReferralAreas fills earlier referrals' area facts and has the
// report rollups rebuilt, since filling changes no referral's status
// time (which is how the refresher finds changes).
func fillReferralAreas(ctx context.Context, stdout io.Writer) error {
	eng, closeEng, err := openCLIEngine(ctx)
	if err != nil {
		return err
	}
	defer closeEng()
	res, err := eng.FillReferralAreas(ctx)
	if err != nil {
		return err
	}
	if res.Filled > 0 {
		if err := report.Invalidate(ctx, eng.Pool()); err != nil {
			return err
		}
	}
	fmt.Fprintf(stdout, "%d referrals looked at, %d given their postcode's ward and SIMD decile (the others have no postcode, or one the postcode file does not have)\n",
		res.Looked, res.Filled)
	return nil
}
