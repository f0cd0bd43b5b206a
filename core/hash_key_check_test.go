package core_test

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"testing"

	"github.com/onward-network/onward/core"
	"github.com/onward-network/onward/core/coretest"
)

// TestCheckHashKey: the database keeps a check value of the lookup hash
// key, so a wrong ONWARD_HASH_KEY is refused at start even when no
// client's row could show it. On a database from before check values the
// key is first checked against the newest client with a proven phone
// (not merely the newest client, who may have none), and a wrong key
// writes no check value.
func TestCheckHashKey(t *testing.T) {
	t.Parallel()
	env := coretest.NewEnv(t)
	ctx := context.Background()
	otherHash := func() *core.Engine {
		crypt, err := core.NewCrypter(coretest.TestKey, nil, []byte("another-hash-key"))
		if err != nil {
			t.Fatal(err)
		}
		eng := core.NewEngine(env.Pool, crypt, env.Clock, env.IDs, slog.New(slog.NewTextHandler(io.Discard, nil)))
		t.Cleanup(eng.Close)
		return eng
	}()
	checkValues := func() int {
		t.Helper()
		var n int
		if err := env.Pool.QueryRow(ctx, "SELECT count(*) FROM key_checks WHERE name = 'hash-key'").Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}
	for i, phone := range []string{"07700 900123", "07700 900124"} {
		r := coretest.SelfReferral([]string{"hash-check-1", "hash-check-2"}[i])
		r.Client.Phone = phone
		if _, err := env.Engine.SelfRefer(ctx, r); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := env.Pool.Exec(ctx, "UPDATE clients SET phone_hash = NULL WHERE id = (SELECT max(id) FROM clients)"); err != nil {
		t.Fatal(err)
	}
	if err := otherHash.CheckHashKey(ctx); !errors.Is(err, core.ErrHashKeyDiffers) {
		t.Fatalf("another hash key, newest client without a proven phone: %v, want ErrHashKeyDiffers", err)
	}
	if n := checkValues(); n != 0 {
		t.Fatalf("a refused key left %d check values, want none", n)
	}
	if err := env.Engine.CheckHashKey(ctx); err != nil {
		t.Fatalf("the right hash key: %v", err)
	}
	if n := checkValues(); n != 1 {
		t.Fatalf("after the right key: %d check values, want one", n)
	}
	if err := env.Engine.CheckHashKey(ctx); err != nil {
		t.Fatalf("the right hash key against its check value: %v", err)
	}
	if _, err := env.Pool.Exec(ctx, "UPDATE clients SET phone_hash = NULL"); err != nil {
		t.Fatal(err)
	}
	if err := otherHash.CheckHashKey(ctx); !errors.Is(err, core.ErrHashKeyDiffers) {
		t.Errorf("another hash key, no proven phone left: %v, want ErrHashKeyDiffers from the check value", err)
	}
}

// TestCheckHashKeyOnAnEmptyDatabase: the first start on a database with
// no client writes the check value with whatever key it has.
func TestCheckHashKeyOnAnEmptyDatabase(t *testing.T) {
	t.Parallel()
	env := coretest.NewEnv(t)
	if err := env.Engine.CheckHashKey(context.Background()); err != nil {
		t.Fatalf("a database with no client: %v, want it to pass", err)
	}
}
