package coretest

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/onward-network/onward/core"
)

// MarkOutboxSent marks every outbox row not yet sent as sent, so a test
// that set a network up counts only the rows it causes itself. It is a
// fixture, not a delivery: no status or provider id is recorded. (Every
// statement production code runs on the outbox is core.Outbox's.)
func MarkOutboxSent(t testing.TB, pool *pgxpool.Pool) {
	t.Helper()
	if err := MarkAllOutboxSent(t.Context(), pool); err != nil {
		t.Fatal(err)
	}
}

// MarkAllOutboxSent is MarkOutboxSent for callers without a testing.TB
// (the benchmarks): every row not yet sent, scheduled ones included, is
// marked sent without being delivered.
func MarkAllOutboxSent(ctx context.Context, pool *pgxpool.Pool) error {
	if _, err := pool.Exec(ctx, `UPDATE outbox SET sent_at = now() WHERE sent_at IS NULL`); err != nil {
		return fmt.Errorf("mark outbox rows sent: %w", err)
	}
	return nil
}

// OutboxRows lists every outbox row, oldest first, through core.Outbox:
// tests filter it in Go rather than querying the table.
func OutboxRows(t testing.TB, eng *core.Engine) []core.OutboxEntry {
	t.Helper()
	es, err := eng.Outbox().List(context.Background(), core.OutboxFilter{State: core.OutboxAll, Limit: 1_000_000})
	if err != nil {
		t.Fatal(err)
	}
	return es
}

// SentSMS records a client text as sent by the provider under providerID,
// the way notify does: the row is enqueued, claimed and marked sent
// through core.Outbox, with no delivery status yet (as if no callback has
// arrived). The row is about no referral; dedupe must be new.
func SentSMS(t testing.TB, eng *core.Engine, dedupe, providerID string) {
	t.Helper()
	c := claimNewSMS(t, eng, dedupe)
	if err := eng.Outbox().MarkSent(context.Background(), c, eng.Clock().Now(), providerID, core.DeliveryPending, nil); err != nil {
		t.Fatal(err)
	}
}

// claimNewSMS enqueues a client text about no referral under a new
// dedupe key and claims it. Due since the epoch, the row is the first any
// claim takes.
func claimNewSMS(t testing.TB, eng *core.Engine, dedupe string) core.OutboxClaim {
	t.Helper()
	ctx := context.Background()
	o := eng.Outbox()
	due := time.Unix(0, 0).UTC()
	if err := o.Enqueue(ctx, core.OutboxClientSMS, 0, core.OutboxPayload{}, dedupe, due); err != nil {
		t.Fatal(err)
	}
	cs, err := o.Claim(ctx, due, time.Minute, 1)
	if err != nil {
		t.Fatal(err)
	}
	if len(cs) != 1 || cs[0].DedupeKey != dedupe {
		t.Fatalf("SMS fixture %q: claimed %+v, want the new row", dedupe, cs)
	}
	return cs[0]
}

// Delivery is the delivery status and error code recorded on the outbox row
// with a provider id (a Twilio MessageSid); the test fails when none has it.
func Delivery(t testing.TB, eng *core.Engine, providerID string) (status, errorCode string) {
	t.Helper()
	for _, e := range OutboxRows(t, eng) {
		if e.ProviderID == providerID {
			return string(e.DeliveryStatus), e.DeliveryError
		}
	}
	t.Fatalf("no outbox row with provider id %s", providerID)
	return "", ""
}

// SendingSMS leaves a client text the way a worker that died mid-send
// does: enqueued, claimed and marked "sending", with no provider id. The
// row is about no referral; dedupe must be new. It returns the claim.
func SendingSMS(t testing.TB, eng *core.Engine, dedupe string) core.OutboxClaim {
	t.Helper()
	c := claimNewSMS(t, eng, dedupe)
	if err := eng.Outbox().MarkSending(context.Background(), c); err != nil {
		t.Fatal(err)
	}
	return c
}
