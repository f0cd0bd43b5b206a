package main

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"

	"github.com/onward-network/onward/core"
	"github.com/onward-network/onward/core/config"
	"github.com/onward-network/onward/core/lang"
	"github.com/onward-network/onward/intake/leaflet"
	"github.com/onward-network/onward/templates"
)

const leafletUsage = `Usage: onward leaflet new NAME [--area KY1] [--lang CODE] [--out DIR]
       onward leaflet list

new   records a leaflet campaign called NAME with a fresh short code, prints
      its link (ONWARD_PUBLIC_URL/r/CODE) and writes its QR code for print
      as DIR/leaflet-CODE.png and DIR/leaflet-CODE.svg. Self-referrals that
      arrive through the link record the leaflet as their source. With
      --lang (pl, say) the link opens the form in that language.
      ONWARD_PUBLIC_URL must be the server's public https address (run it
      with the server's settings): a printed code cannot be changed.
list  prints the newest leaflets and their links.

Flags:
`

func init() {
	register(command{name: "leaflet", subs: []string{"new", "list"}, summary: "make a leaflet's short link and QR code; list leaflets", run: runLeaflet})
}

func runLeaflet(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("leaflet", leafletUsage, stdout, stderr)
	area := fs.String("area", "", "where the leaflet is handed out: a postcode district (KY1) or a place name")
	out := fs.String("out", ".", "folder to write the QR code images into")
	langTag := fs.String("lang", "", "the language the link opens the form in, like pl (default: the reader's browser's)")
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
	lang := ""
	if words[0] == "new" {
		if err := leafletPublicURL(cfg, stderr); err != nil {
			return err
		}
		if lang, err = leafletLanguage(*langTag); err != nil {
			return err
		}
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
			fmt.Fprintf(stdout, "%s  %-30s %-10s %s\n", l.Code, l.Campaign, l.Area, l.Link(cfg.PublicURL))
		}
		return nil
	}
	return newLeaflet(ctx, pool, cfg, words[1], *area, lang, *out, stdout)
}

// leafletPublicURL refuses, outside dev, to print codes for a public
// address that is not the server's (the default http://localhost:8080
// when the command runs without the server's settings), and warns in dev:
// a QR code on paper cannot be mended.
func leafletPublicURL(cfg config.Config, stderr io.Writer) error {
	if err := cfg.ValidatePublicURL(); err != nil {
		return fmt.Errorf("a printed leaflet's link cannot be changed, so %w", err)
	}
	if !cfg.Dev() {
		return nil
	}
	asDeployed := cfg
	asDeployed.Env = "production"
	if asDeployed.ValidatePublicURL() != nil {
		fmt.Fprintf(stderr, "warning: ONWARD_ENV=dev: this leaflet links to %s, which is not a public https address; do not print it\n", cfg.PublicURL)
	}
	return nil
}

// leafletLanguage is the shipped language --lang names ("" for none), as
// the web form reads ?lang=.
func leafletLanguage(tag string) (string, error) {
	if tag == "" {
		return "", nil
	}
	cat, err := lang.Load(templates.FS, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		return "", err
	}
	code, ok := cat.Chosen(tag)
	if !ok {
		var codes []string
		for _, l := range cat.Languages() {
			codes = append(codes, l.Code)
		}
		return "", fmt.Errorf("--lang %q is not a language the form is written in: say one of %s", tag, strings.Join(codes, ", "))
	}
	return code, nil
}

// newLeaflet records the leaflet, then writes its QR code images; with
// lang, the link opens the form in that language. The folder is made if
// missing; existing files of the same code are replaced.
func newLeaflet(ctx context.Context, db core.DB, cfg config.Config, name, area, lang, dir string, stdout io.Writer) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("make %s: %w", dir, err)
	}
	l, err := leaflet.Create(ctx, db, core.SystemClock{}.Now(), rand.Reader, name, area, lang)
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
	link := l.Link(cfg.PublicURL)
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
