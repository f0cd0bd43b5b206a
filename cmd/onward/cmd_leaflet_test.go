package main

import (
	"bytes"
	"context"
	"image/png"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/onward-network/onward/core/coretest"
	"github.com/onward-network/onward/intake/leaflet"
)

func TestLeafletNewCommand(t *testing.T) {
	env := coretest.NewEnv(t)
	ctx := context.Background()
	t.Setenv("ONWARD_DATABASE_URL", env.URL)
	t.Setenv("ONWARD_PUBLIC_URL", "https://help.example.org/")
	dir := filepath.Join(t.TempDir(), "print")
	var out bytes.Buffer
	// The name first, flags after it, as people type it.
	if err := runLeaflet(ctx, []string{"new", "GP surgeries spring 2026", "--area", "ky1", "--out", dir}, &out, io.Discard); err != nil {
		t.Fatal(err)
	}
	m := regexp.MustCompile(`link: https://help\.example\.org/r/([a-z0-9]{6})\n`).FindStringSubmatch(out.String())
	if m == nil {
		t.Fatalf("output has no link:\n%s", out.String())
	}
	l, err := leaflet.ByCode(ctx, env.Pool, m[1])
	if err != nil || l.Campaign != "GP surgeries spring 2026" || l.Area != "KY1" {
		t.Fatalf("leaflet %+v, %v", l, err)
	}
	f, err := os.Open(filepath.Join(dir, "leaflet-"+l.Code+".png"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if _, err := png.Decode(f); err != nil {
		t.Errorf("PNG: %v", err)
	}
	svg, err := os.ReadFile(filepath.Join(dir, "leaflet-"+l.Code+".svg"))
	if err != nil || !strings.Contains(string(svg), "https://help.example.org/r/"+l.Code) {
		t.Errorf("SVG: %v", err)
	}
	out.Reset()
	if err := runLeaflet(ctx, []string{"list"}, &out, io.Discard); err != nil || !strings.Contains(out.String(), l.Code) {
		t.Errorf("list = %v:\n%s", err, out.String())
	}
	// A leaflet in Polish keeps its language: list prints the link its
	// QR code carries, for a reprint.
	out.Reset()
	if err := runLeaflet(ctx, []string{"new", "Polish centre", "--lang", "pl", "--out", dir}, &out, io.Discard); err != nil {
		t.Fatal(err)
	}
	pl := regexp.MustCompile(`link: (https://help\.example\.org/r/[a-z0-9]{6}\?lang=pl)\n`).FindStringSubmatch(out.String())
	if pl == nil {
		t.Fatalf("the Polish leaflet's output has no link with its language:\n%s", out.String())
	}
	out.Reset()
	if err := runLeaflet(ctx, []string{"list"}, &out, io.Discard); err != nil || !strings.Contains(out.String(), pl[1]+"\n") {
		t.Errorf("list = %v:\n%s\nwant the Polish leaflet's link %s", err, out.String(), pl[1])
	}
	if err := runLeaflet(ctx, []string{"new"}, io.Discard, io.Discard); err == nil {
		t.Error("new without a name succeeded")
	}
	if err := runLeaflet(ctx, []string{"new", "  "}, io.Discard, io.Discard); err == nil || !strings.Contains(err.Error(), "name") {
		t.Errorf("new with a blank name: %v", err)
	}
}
