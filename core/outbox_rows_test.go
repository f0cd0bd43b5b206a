package core_test

import (
	"context"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/onward-network/onward/core"
	"github.com/onward-network/onward/core/coretest"
)

// TestOutboxRowsOfOneChange: the rows a change writes travel in one
// statement and come out as they were queued: in order, each with its own
// kind, referral (or none), payload and due time, a repeated dedupe key
// written once, and a key already in the outbox left alone.
func TestOutboxRowsOfOneChange(t *testing.T) {
	t.Parallel()
	env := coretest.NewEnv(t)
	ctx := context.Background()
	res, err := env.Engine.SelfRefer(ctx, coretest.SelfReferral("rows"))
	if err != nil {
		t.Fatal(err)
	}
	ref := res.Referral.ID
	before := len(coretest.OutboxRows(t, env.Engine))
	later := env.Clock.Now().Add(3 * time.Hour).Truncate(time.Microsecond)
	rows := []core.OutboxRow{
		{Kind: core.OutboxAlert, Payload: core.OutboxPayload{Channel: "email"}, Dedupe: "rows:a"},
		{Kind: core.OutboxCard, Referral: ref, Payload: core.OutboxPayload{ReferralID: ref, Version: 2}, Dedupe: "rows:b", Available: later},
		{Kind: core.OutboxAlert, Payload: core.OutboxPayload{Channel: "again"}, Dedupe: "rows:a"},
	}
	write := func(rows []core.OutboxRow) {
		t.Helper()
		if err := pgx.BeginFunc(ctx, env.Pool, func(tx pgx.Tx) error { return env.Engine.Outbox().EnqueueAllTx(ctx, tx, rows) }); err != nil {
			t.Fatal(err)
		}
	}
	write(rows)
	write(rows[2:]) // the key is in the outbox now
	got := coretest.OutboxRows(t, env.Engine)
	if len(got) != before+2 {
		t.Fatalf("%d new rows, want 2: %+v", len(got)-before, got[before:])
	}
	byKind := map[core.OutboxKind]core.OutboxEntry{}
	for _, e := range got[before:] {
		byKind[e.Kind] = e
	}
	a, b := byKind[core.OutboxAlert], byKind[core.OutboxCard]
	if a.ReferralID != nil || a.Payload.Channel != "email" {
		t.Errorf("first row: referral %v payload %+v, want none and the first payload", a.ReferralID, a.Payload)
	}
	if b.ReferralID == nil || *b.ReferralID != ref || b.Payload.Version != 2 || !b.AvailableAt.Equal(later) {
		t.Errorf("second row: referral %v payload %+v due %s, want %d, version 2, due %s", b.ReferralID, b.Payload, b.AvailableAt, ref, later)
	}
	if a.ID >= b.ID {
		t.Errorf("rows written out of order: ids %d then %d", a.ID, b.ID)
	}
}
