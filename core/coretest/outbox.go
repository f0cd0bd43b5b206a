package coretest

import (
	"testing"

	"github.com/jackc/pgx/v5/pgxpool"
)

// MarkOutboxSent marks every outbox row not yet sent as sent, so a test
// that set a network up counts only the rows it causes itself. It is a
// fixture, not a delivery: no status or provider id is recorded. (Every
// statement production code runs on the outbox is core.Outbox's.)
func MarkOutboxSent(t testing.TB, pool *pgxpool.Pool) {
	t.Helper()
	if _, err := pool.Exec(t.Context(), `UPDATE outbox SET sent_at = now() WHERE sent_at IS NULL`); err != nil {
		t.Fatal(err)
	}
}
