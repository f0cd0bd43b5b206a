package main

import (
	"bytes"
	"context"
	"encoding/base64"
	"io"
	"strings"
	"testing"

	"github.com/onward-network/onward/core"
	"github.com/onward-network/onward/core/config"
	"github.com/onward-network/onward/core/coretest"
)

// `onward keys`: hash-key prints the key phone lookups use today; rotate
// refuses to run without ONWARD_HASH_KEY when old keys are set, counts in
// a dry run, re-seals with progress, and has nothing to do the second time.
func TestKeysCommand(t *testing.T) {
	env := coretest.NewEnv(t)
	ctx := context.Background()
	if _, err := env.Engine.SelfRefer(ctx, coretest.SelfReferral("keys-1")); err != nil {
		t.Fatal(err)
	}
	oldKey := base64.StdEncoding.EncodeToString(coretest.TestKey)
	t.Setenv("ONWARD_DATABASE_URL", env.URL)
	t.Setenv("ONWARD_ENCRYPTION_KEY", oldKey)
	t.Setenv("ONWARD_ENV", "dev") // the test engines chain events with the stand-in audit key
	var out bytes.Buffer
	if err := runKeys(ctx, []string{"hash-key"}, &out, io.Discard); err != nil {
		t.Fatal(err)
	}
	if want := base64.StdEncoding.EncodeToString(core.DerivedHashKey(coretest.TestKey)); strings.TrimSpace(out.String()) != want {
		t.Errorf("hash-key printed %q, want %q", out.String(), want)
	}

	t.Setenv("ONWARD_ENCRYPTION_KEY", config.NewKey())
	t.Setenv("ONWARD_ENCRYPTION_OLD_KEYS", oldKey)
	if err := runKeys(ctx, []string{"rotate"}, io.Discard, io.Discard); err == nil || !strings.Contains(err.Error(), "ONWARD_HASH_KEY is not") {
		t.Fatalf("rotate without a hash key: %v", err)
	}
	t.Setenv("ONWARD_HASH_KEY", config.NewKey())
	out.Reset()
	if err := runKeys(ctx, []string{"rotate", "--dry-run"}, &out, io.Discard); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out.String(), "clients: 1 rows to re-seal") || !strings.Contains(out.String(), "done: 1 rows to re-seal") {
		t.Errorf("dry run said:\n%s", out.String())
	}
	out.Reset()
	if err := runKeys(ctx, []string{"rotate", "--batch", "1"}, &out, io.Discard); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out.String(), "clients: 1 rows re-sealed") || !strings.Contains(out.String(), "done: 1 rows re-sealed") {
		t.Errorf("rotate said:\n%s", out.String())
	}
	out.Reset()
	if err := runKeys(ctx, []string{"rotate"}, &out, io.Discard); err != nil || !strings.Contains(out.String(), "done: 0 rows re-sealed") {
		t.Errorf("second rotate: %v\n%s", err, out.String())
	}
	if err := runKeys(ctx, []string{"rotate", "--batch", "0"}, io.Discard, io.Discard); err == nil {
		t.Error("--batch 0 accepted")
	}
}
