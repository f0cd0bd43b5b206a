package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
)

const postcodesUsage = `Usage: onward postcodes import FILE.csv

Reads a postcode file with the columns of the ONS Postcode Directory
(ONSPD, from the ONS Open Geography Portal, or the part of it for your
area): a header row naming the postcode (pcds, pcd or postcode), latitude
(lat) and longitude (long), and optionally the council code (oslaua) and
termination date (doterm; terminated postcodes are skipped). It replaces
the postcodes Onward knows, in one transaction. With them, the directory
and its Open Referral feed measure distances and list nearest first;
without them, searches match by postcode district.

Needs ONWARD_DATABASE_URL.
`

func init() {
	register(command{name: "postcodes", subs: []string{"import"}, summary: "import a postcode file (ONS Postcode Directory columns) for distances", run: runPostcodes})
}

func runPostcodes(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("postcodes", postcodesUsage, stdout, stderr)
	if len(args) == 0 || args[0] != "import" {
		fs.Usage()
		return errors.New("say `onward postcodes import FILE.csv`")
	}
	if err := fs.Parse(args[1:]); err != nil {
		return err
	}
	if fs.NArg() != 1 {
		fs.Usage()
		return errors.New("say `onward postcodes import FILE.csv`")
	}
	f, err := os.Open(fs.Arg(0))
	if err != nil {
		return fmt.Errorf("postcode file: %w", err)
	}
	defer f.Close()
	eng, closeEng, err := openCLIEngine(ctx)
	if err != nil {
		return err
	}
	defer closeEng()
	res, err := eng.ImportPostcodes(ctx, f)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "%d postcodes in %d districts imported (%d skipped: terminated or without coordinates)\n", res.Rows, res.Districts, res.Skipped)
	return nil
}
