package main

import (
	"bytes"
	"context"
	"io"
	"strconv"
	"strings"
	"testing"

	"github.com/onward-network/onward/core/coretest"
)

// An import records each change in the audit log, with the feed's file
// and who ran it, in the import's own transaction: a dry run and a
// refused import leave no event behind.
func TestDirectoryImportIsAudited(t *testing.T) {
	ctx := context.Background()
	env := coretest.NewEnv(t)
	t.Setenv("ONWARD_DATABASE_URL", env.URL)
	t.Setenv("ONWARD_ENV", "dev") // the test engines chain events with the stand-in audit key
	const file = "../../intake/openreferral/testdata/oruk-3.0/examples/service_full.json"
	events := func() (n int, actors string) {
		t.Helper()
		if err := env.Pool.QueryRow(ctx, `SELECT count(*), coalesce(string_agg(DISTINCT actor_kind || ':' || coalesce(actor_id::text, '-'), ','), '')
			FROM events WHERE data->>'import' = $1`, file).Scan(&n, &actors); err != nil {
			t.Fatal(err)
		}
		return n, actors
	}

	var out bytes.Buffer
	if err := runDirectory(ctx, []string{"import", "--dry-run", file}, &out, io.Discard); err != nil {
		t.Fatal(err)
	}
	if n, _ := events(); n != 0 || !strings.Contains(out.String(), "dry run, nothing written") {
		t.Fatalf("a dry run left %d events: %s", n, out.String())
	}
	err := runDirectory(ctx, []string{"import", "--by", "ailsa@cab.example", file}, io.Discard, io.Discard)
	if err == nil || !strings.Contains(err.Error(), "only coordinators") {
		t.Errorf("an adviser's import: %v", err)
	}
	if n, _ := events(); n != 0 {
		t.Fatalf("a refused import left %d events", n)
	}

	out.Reset()
	if err := runDirectory(ctx, []string{"import", "--by", "morven@network.example", file}, &out, io.Discard); err != nil {
		t.Fatal(err)
	}
	changes := strings.Count(out.String(), "\nadd ") + strings.Count(out.String(), "\nchange ")
	if strings.HasPrefix(out.String(), "add ") {
		changes++
	}
	n, actors := events()
	if changes == 0 || n != changes || actors != "staff:"+strconv.FormatInt(int64(env.Net.Coordinator.ID), 10) {
		t.Errorf("%d changes, %d events by %s:\n%s", changes, n, actors, out.String())
	}
	var service, org int
	if err := env.Pool.QueryRow(ctx, `SELECT count(*) FILTER (WHERE kind = 'directory.service-changed' AND data->>'action' = 'add'),
		count(*) FILTER (WHERE kind = 'agency.details-changed' AND data->>'action' = 'add') FROM events WHERE data->>'import' = $1`, file).Scan(&service, &org); err != nil || service != 1 || org != 1 {
		t.Errorf("events: %d service added, %d organization added (%v)", service, org, err)
	}
}

func TestFeedSourceKeepsNoKey(t *testing.T) {
	for in, want := range map[string]string{
		"-":               "standard input",
		"feeds/fife.json": "feeds/fife.json",
		"https://user:pw@api.example.org/openreferral?api_key=secret#x": "https://api.example.org/openreferral",
	} {
		if got := feedSource(in); got != want {
			t.Errorf("feedSource(%q) = %q, want %q", in, got, want)
		}
	}
}
