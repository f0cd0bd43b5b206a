package coretest

import (
	"context"
	"testing"

	"github.com/jackc/pgx/v5/pgxpool"
)

// CountRows returns how many rows a table holds, failing the test if it
// cannot be read: the channels' tests use it to check what a request
// wrote (a referral, a consent) or left unwritten. table is the test's own
// constant, never outside input.
func CountRows(t testing.TB, pool *pgxpool.Pool, table string) int {
	t.Helper()
	var n int
	if err := pool.QueryRow(context.Background(), "SELECT count(*) FROM "+table).Scan(&n); err != nil {
		t.Fatalf("count the rows of %s: %v", table, err)
	}
	return n
}
