package main

import (
	"bytes"
	"context"
	"io"
	"regexp"
	"strings"
	"testing"

	"github.com/onward-network/onward/core/coretest"
	"github.com/onward-network/onward/intake/leaflet"
)

// Audit F finding 12: `onward leaflet new` run without the server's
// ONWARD_PUBLIC_URL printed http://localhost:8080 into QR codes meant for
// print. Outside dev it now refuses, and writes no leaflet; in dev it
// warns. --lang puts the language in the link, as the web form reads it.
func TestLeafletNewRefusesALocalLinkAndTakesALanguage(t *testing.T) {
	env := coretest.NewEnv(t)
	ctx := context.Background()
	t.Setenv("ONWARD_DATABASE_URL", env.URL)
	t.Setenv("ONWARD_ENV", "")
	for _, public := range []string{"", "http://help.example.org"} {
		t.Setenv("ONWARD_PUBLIC_URL", public)
		err := runLeaflet(ctx, []string{"new", "Library", "--out", t.TempDir()}, io.Discard, io.Discard)
		if err == nil || !strings.Contains(err.Error(), "ONWARD_PUBLIC_URL must be the https address") {
			t.Errorf("ONWARD_PUBLIC_URL=%q: %v, want a refusal naming the setting", public, err)
		}
	}
	if ls, err := leaflet.List(ctx, env.Pool, 10); err != nil || len(ls) != 0 {
		t.Fatalf("refused leaflets were recorded: %+v, %v", ls, err)
	}

	t.Setenv("ONWARD_ENV", "dev")
	t.Setenv("ONWARD_PUBLIC_URL", "")
	var warned bytes.Buffer
	if err := runLeaflet(ctx, []string{"new", "Dev try", "--out", t.TempDir()}, io.Discard, &warned); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(warned.String(), "warning: ONWARD_ENV=dev: this leaflet links to http://localhost:8080") {
		t.Errorf("a dev leaflet on localhost: no warning, got %q", warned.String())
	}

	t.Setenv("ONWARD_ENV", "")
	t.Setenv("ONWARD_PUBLIC_URL", "https://help.example.org")
	for tag, want := range map[string]string{"pl": "pl", "PL": "pl", "pl-PL": "pl"} {
		var out bytes.Buffer
		if err := runLeaflet(ctx, []string{"new", "Polish centre", "--lang", tag, "--out", t.TempDir()}, &out, io.Discard); err != nil {
			t.Fatal(err)
		}
		if !regexp.MustCompile(`link: https://help\.example\.org/r/[a-z0-9]{6}\?lang=` + want + `\n`).MatchString(out.String()) {
			t.Errorf("--lang %s: %s, want a link ending ?lang=%s", tag, out.String(), want)
		}
	}
	err := runLeaflet(ctx, []string{"new", "Nowhere", "--lang", "xx", "--out", t.TempDir()}, io.Discard, io.Discard)
	if err == nil || !strings.Contains(err.Error(), `--lang "xx" is not a language the form is written in`) || !strings.Contains(err.Error(), "pl") {
		t.Errorf("--lang xx: %v, want a refusal listing the languages", err)
	}
}
