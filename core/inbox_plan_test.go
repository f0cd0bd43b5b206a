package core_test

import (
	"context"
	"testing"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/onward-network/onward/core"
	"github.com/onward-network/onward/core/coretest"
)

// TestListRunsOnTheGenericPlan: the staff lists are planned once per
// connection, not afresh for every page (left to choose, PostgreSQL plans
// them every time and planning costs as much as running), and the setting
// that asks for it ends with the list's own transaction.
func TestListRunsOnTheGenericPlan(t *testing.T) {
	t.Parallel()
	env := coretest.NewEnv(t)
	ctx := context.Background()
	cfg, err := pgxpool.ParseConfig(env.URL)
	if err != nil {
		t.Fatal(err)
	}
	cfg.MaxConns = 1 // every list and the look-ups below on one connection
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		t.Fatal(err)
	}
	defer pool.Close()
	eng, _, _, _ := coretest.NewEngine(t, pool)
	if _, err := eng.SelfRefer(ctx, coretest.SelfReferral("plan")); err != nil {
		t.Fatal(err)
	}
	const lists = 7 // past the five custom plans PostgreSQL tries first
	for i := 0; i < lists; i++ {
		p, err := eng.List(ctx, core.ListQuery{View: core.ViewInbox, Agency: env.Net.CAB, Page: 1 + i%2})
		if err != nil {
			t.Fatal(err)
		}
		if p.Total != 1 {
			t.Fatalf("list %d counted %d referrals, want 1", i, p.Total)
		}
	}
	var generic, custom int64
	if err := pool.QueryRow(ctx, `SELECT coalesce(sum(generic_plans), 0), coalesce(sum(custom_plans), 0) FROM pg_prepared_statements
		WHERE statement LIKE '%WITH page AS%' AND statement NOT LIKE '%pg_prepared_statements%'`).Scan(&generic, &custom); err != nil {
		t.Fatal(err)
	}
	if custom != 0 || generic < lists {
		t.Errorf("the list was planned %d times afresh and ran %d times on its generic plan, want 0 and at least %d", custom, generic, lists)
	}
	var mode string
	if err := pool.QueryRow(ctx, `SHOW plan_cache_mode`).Scan(&mode); err != nil {
		t.Fatal(err)
	}
	if mode != "auto" {
		t.Errorf("after a list the connection's plan_cache_mode is %q, want it back to auto", mode)
	}
}
