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

// Audit D finding 10: a server started with another ONWARD_ENCRYPTION_KEY
// (or ONWARD_HASH_KEY) than the one the database was written with reported
// ready, then failed each withdrawal, opt-out and "View details". CheckKeys
// opens the newest client's key and details and checks their phone's hash,
// so serve and worker can refuse to start; an empty database passes, and
// so does a rotation that keeps the old key.
func TestCheckKeysFindsAWrongKeyAtStart(t *testing.T) {
	t.Parallel()
	env := coretest.NewEnv(t)
	ctx := context.Background()
	if err := env.Engine.CheckKeys(ctx); err != nil {
		t.Fatalf("a database with no client: %v, want it to pass", err)
	}
	if _, err := env.Engine.SelfRefer(ctx, coretest.SelfReferral("check-keys")); err != nil {
		t.Fatal(err)
	}
	if err := env.Engine.CheckKeys(ctx); err != nil {
		t.Fatalf("the right keys: %v", err)
	}
	if err := engineWithKeys(t, env, newMasterKey).CheckKeys(ctx); !errors.Is(err, core.ErrKeysDoNotOpen) {
		t.Errorf("another encryption key: %v, want ErrKeysDoNotOpen", err)
	}
	if err := engineWithKeys(t, env, newMasterKey, coretest.TestKey).CheckKeys(ctx); err != nil {
		t.Errorf("a rotated key with the old one kept: %v, want it to pass", err)
	}
	crypt, err := core.NewCrypter(coretest.TestKey, nil, []byte("another-hash-key"))
	if err != nil {
		t.Fatal(err)
	}
	otherHash := core.NewEngine(env.Pool, crypt, env.Clock, env.IDs, slog.New(slog.NewTextHandler(io.Discard, nil)))
	t.Cleanup(otherHash.Close)
	if err := otherHash.CheckKeys(ctx); !errors.Is(err, core.ErrHashKeyDiffers) {
		t.Errorf("another lookup hash key: %v, want ErrHashKeyDiffers", err)
	}
}
