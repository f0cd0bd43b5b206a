package coretest

import (
	"context"
	"net/url"
	"testing"

	"github.com/jackc/pgx/v5/pgxpool"
)

// PoolThroughProxy opens a pool on the database at dbURL through a Proxy
// the test can cut, hang or restore, standing in for a PostgreSQL that
// goes away; both close when the test ends.
func PoolThroughProxy(t testing.TB, dbURL string) (*pgxpool.Pool, *Proxy) {
	t.Helper()
	u, err := url.Parse(dbURL)
	if err != nil {
		t.Fatal(err)
	}
	p := NewProxy(t, u.Host)
	u.Host = p.Addr()
	pool, err := pgxpool.New(context.Background(), u.String())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(pool.Close)
	return pool, p
}
