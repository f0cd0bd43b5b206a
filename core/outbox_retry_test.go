package core_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/onward-network/onward/core"
	"github.com/onward-network/onward/core/coretest"
)

// Audit D finding 11: `onward outbox retry` on a row that is merely
// scheduled (a reminder due in two days) would send it at once. Only a
// dead letter is retried; any other waiting row is refused with when it
// is due, and left as it was.
func TestOutboxRetryRefusesARowThatIsNotDead(t *testing.T) {
	t.Parallel()
	env := coretest.NewEnv(t)
	o := env.Engine.Outbox()
	ctx := context.Background()
	coretest.MarkOutboxSent(t, env.Pool)
	due := env.Clock.Now().Add(48 * time.Hour).Truncate(time.Microsecond)
	if err := o.Enqueue(ctx, core.OutboxAlert, 0, core.OutboxPayload{Text: "reminder"}, "retry-scheduled", due); err != nil {
		t.Fatal(err)
	}
	waiting, err := o.List(ctx, core.OutboxFilter{State: core.OutboxPending})
	if err != nil || len(waiting) != 1 {
		t.Fatalf("waiting rows: %+v, %v", waiting, err)
	}
	row := waiting[0]
	err = o.Retry(ctx, row.ID)
	var nd *core.NotDeadLetterError
	if !errors.Is(err, core.ErrNotDeadLetter) || !errors.As(err, &nd) || !nd.Due.Equal(due) || nd.ID != row.ID {
		t.Fatalf("retry of a row due in two days: %v, want ErrNotDeadLetter saying it is due %s", err, due)
	}
	if after := entry(t, o, row.ID); !after.AvailableAt.Equal(due) || after.State() != core.OutboxPending {
		t.Errorf("the refused retry changed the row: due %s, state %s", after.AvailableAt, after.State())
	}
	if c, err := o.Claim(ctx, env.Clock.Now(), time.Minute, 10); err != nil || len(c) != 0 {
		t.Errorf("a worker could claim %d rows after the refused retry (%v), want none before the row is due", len(c), err)
	}
	if err := o.Retry(ctx, 999999); !errors.Is(err, core.ErrNotFound) {
		t.Errorf("retry of a row that does not exist: %v, want ErrNotFound", err)
	}
}
