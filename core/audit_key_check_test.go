package core_test

import (
	"context"
	"errors"
	"testing"

	"github.com/onward-network/onward/core"
	"github.com/onward-network/onward/core/coretest"
)

// TestCheckAuditKey: a server checks its audit key against the log's
// checkpoints before writing events with it. Before any checkpoint any
// key does; then the key that signed the newest; a key that signed none
// is refused (ErrAuditKeyDiffers); and once another key has signed a
// checkpoint, the right key is told the log was altered since, naming
// the checkpoints.
func TestCheckAuditKey(t *testing.T) {
	t.Parallel()
	env := coretest.NewEnv(t)
	ctx := context.Background()
	right, wrong := core.NewAuditKey([]byte("the deployment's audit key, 32 b")), core.NewAuditKey([]byte("another key altogether, 32 bytes"))
	check := func(k core.AuditKey) error {
		env.Engine.UseAuditKey(k)
		return env.Engine.CheckAuditKey(ctx)
	}
	if err := check(wrong); err != nil {
		t.Fatalf("no checkpoint yet: %v", err)
	}
	env.Engine.UseAuditKey(right)
	if _, err := env.Engine.SelfRefer(ctx, coretest.SelfReferral("audit-key-1")); err != nil {
		t.Fatal(err)
	}
	if _, _, err := core.WriteCheckpoint(ctx, env.Pool, right, env.Clock.Now()); err != nil {
		t.Fatal(err)
	}
	if err := check(right); err != nil {
		t.Fatalf("the key that signed the newest checkpoint: %v", err)
	}
	if err := check(wrong); !errors.Is(err, core.ErrAuditKeyDiffers) {
		t.Fatalf("a key that signed none: %v, want ErrAuditKeyDiffers", err)
	}
	if _, err := env.Engine.SelfRefer(ctx, coretest.SelfReferral("audit-key-2")); err != nil {
		t.Fatal(err)
	}
	if _, _, err := core.WriteCheckpoint(ctx, env.Pool, wrong, env.Clock.Now()); err != nil {
		t.Fatal(err)
	}
	var altered *core.AuditLogAlteredError
	if err := check(right); !errors.As(err, &altered) || altered.LastSigned != 1 || altered.Newest != 2 {
		t.Fatalf("after another key signed checkpoint 2: %v, want the log altered since checkpoint 1", err)
	}
}
