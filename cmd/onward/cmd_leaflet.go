package main

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/onward-network/onward/core"
	"github.com/onward-network/onward/core/config"
	"github.com/onward-network/onward/intake/leaflet"
)

const leafletUsage = `Usage: onward leaflet new NAME [--area KY1] [--out DIR]
       onward leaflet list

new   records a leaflet campaign called NAME with a fresh short code, prints
      its link (ONWARD_PUBLIC_URL/r/CODE) and writes its QR code for print
      as DIR/leaflet-CODE.png and DIR/leaflet-CODE.svg. Self-referrals that
      arrive through the link record the leaflet as their source.
list  prints the newest leaflets and their links.

Flags:
`

func init() {
	register(command{name: "leaflet", summary: "make a leaflet's short link and QR code; list leaflets", run: runLeaflet})
}

func runLeaflet(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("leaflet", leafletUsage, stdout, stderr)
	area := fs.String("area", "", "where the leaflet is handed out: a postcode district (KY1) or a place name")
	out := fs.String("out", ".", "folder to write the QR code images into")
	// Flags may come before or after NAME: parse around the words.
	var words []string
	for rest := args; ; {
		if err := fs.Parse(rest); err != nil {
			return err
		}
		if fs.NArg() == 0 {
			break
		}
		words = append(words, fs.Arg(0))
		rest = fs.Args()[1:]
	}
	if len(words) == 0 || (words[0] != "new" && words[0] != "list") || (words[0] == "new" && len(words) != 2) || (words[0] == "list" && len(words) != 1) {
		fmt.Fprint(stderr, leafletUsage)
		return errors.New(`say "onward leaflet new NAME" (quote a NAME with spaces) or "onward leaflet list"`)
	}
	cfg, err := loadDBConfig()
	if err != nil {
		return err
	}
	pool, err := openDB(ctx, cfg)
	if err != nil {
		return err
	}
	defer pool.Close()
	if words[0] == "list" {
		ls, err := leaflet.List(ctx, pool, 50)
		if err != nil {
			return err
		}
		if len(ls) == 0 {
			fmt.Fprintln(stdout, "no leaflets yet: onward leaflet new NAME --area KY1")
		}
		for _, l := range ls {
			fmt.Fprintf(stdout, "%s  %-30s %-10s %s\n", l.Code, l.Campaign, l.Area, leaflet.URL(cfg.PublicURL, l.Code))
		}
		return nil
	}
	return newLeaflet(ctx, pool, cfg, words[1], *area, *out, stdout)
}

// newLeaflet records the leaflet, then writes its QR code images. The
// folder is made if missing; existing files of the same code are replaced.
func newLeaflet(ctx context.Context, db core.DB, cfg config.Config, name, area, dir string, stdout io.Writer) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("make %s: %w", dir, err)
	}
	l, err := leaflet.Create(ctx, db, core.SystemClock{}.Now(), rand.Reader, name, area)
	var ve *core.ValidationError
	if errors.As(err, &ve) {
		msgs := make([]string, len(ve.Fields))
		for i, f := range ve.Fields {
			msgs[i] = f.Message
		}
		return errors.New(strings.Join(msgs, "; "))
	}
	if err != nil {
		return err
	}
	link := leaflet.URL(cfg.PublicURL, l.Code)
	qr, err := leaflet.NewQR(link)
	if err != nil {
		return err
	}
	pngPath := filepath.Join(dir, "leaflet-"+l.Code+".png")
	svgPath := filepath.Join(dir, "leaflet-"+l.Code+".svg")
	if err := os.WriteFile(pngPath, qr.PNG, 0o644); err != nil {
		return fmt.Errorf("write %s: %w", pngPath, err)
	}
	if err := os.WriteFile(svgPath, qr.SVG, 0o644); err != nil {
		return fmt.Errorf("write %s: %w", svgPath, err)
	}
	fmt.Fprintf(stdout, "leaflet %q (%s): code %s\nlink: %s\nQR code: %s\n         %s\n", l.Campaign, orNone(l.Area), l.Code, link, pngPath, svgPath)
	return nil
}

func orNone(s string) string {
	if s == "" {
		return "no area"
	}
	return s
}
