package core_test

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/onward-network/onward/core"
	"github.com/onward-network/onward/core/coretest"
)

// insertEvent writes an event straight into the log (its chain is not
// what these tests read), done by actor kind and id with data, at.
func insertEvent(t *testing.T, env *coretest.Env, kind core.EventKind, actorKind string, actorID int64, data string, at time.Time) {
	t.Helper()
	var actor *int64
	if actorID != 0 {
		actor = &actorID
	}
	if _, err := env.Pool.Exec(context.Background(), `
INSERT INTO events (stream, stream_seq, kind, actor_kind, actor_id, data, created_at, prev_hash, hash)
VALUES ('test:' || gen_random_uuid(), 1, $1, $2, $3, $4::jsonb, $5, '\x', '\x')`, string(kind), actorKind, actor, data, at); err != nil {
		t.Fatal(err)
	}
}

// TestAuditSearchByAgencyIsTheAgencyActedFor: the agency filter finds
// exactly the events whose "Agency" column names that agency: the agency
// an event recorded its actor acting for (a member of staff since moved
// stays with the agency they were at), else its member of staff's or
// partner system's own; never the client's, Onward's or a network-wide
// partner system's. (The filter is written to be served by indexes, apart
// from the join that shows the column; this holds the two to one rule.)
func TestAuditSearchByAgencyIsTheAgencyActedFor(t *testing.T) {
	t.Parallel()
	env := coretest.NewEnv(t)
	ctx := context.Background()
	n := env.Net
	coord := n.Coordinator.Actor()
	housingSystem, err := env.Engine.AddPartner(ctx, core.NewPartner{Name: "Housing casework", AgencyID: n.Housing,
		Scopes: []core.PartnerScope{core.ScopeRead}}, coord)
	if err != nil {
		t.Fatal(err)
	}
	networkSystem, err := env.Engine.AddPartner(ctx, core.NewPartner{Name: "Network casework",
		Scopes: []core.PartnerScope{core.ScopeRead}}, coord)
	if err != nil {
		t.Fatal(err)
	}
	at := time.Date(2027, 5, 3, 9, 0, 0, 0, time.UTC)
	for i, e := range []struct {
		actorKind string
		actor     int64
		data      string
	}{
		{"staff", int64(n.Adviser.ID), fmt.Sprintf(`{"agency_id": %d, "via": "web"}`, n.CAB)},     // CAB, recorded
		{"staff", int64(n.Adviser.ID), fmt.Sprintf(`{"agency_id": %d, "via": "web"}`, n.Welfare)}, // Welfare: recorded before a move
		{"staff", int64(n.Adviser.ID), `{}`},                                                      // CAB, their own
		{"staff", int64(n.HousingAdviser.ID), `{"agency_id": 0}`},                                 // Housing, their own
		{"staff", int64(n.WelfareAdviser.ID), `{"agency_id": "0"}`},
		{"partner", int64(housingSystem.Partner.ID), `{}`}, // Housing, its own
		{"partner", int64(housingSystem.Partner.ID), fmt.Sprintf(`{"agency_id": %d}`, n.FoodBank)},
		{"partner", int64(networkSystem.Partner.ID), `{}`},     // none
		{"client", 0, fmt.Sprintf(`{"agency_id": %d}`, n.CAB)}, // none: the client acts for no agency
		{"system", 0, `{}`},
		{"staff", int64(n.Coordinator.ID), `{}`}, // the network team
	} {
		insertEvent(t, env, core.EventDisclosed, e.actorKind, e.actor, e.data, at.Add(time.Duration(i)*time.Minute))
	}
	all, err := env.Engine.SearchAudit(ctx, core.AuditQuery{Kind: "disclosed", Limit: 500}, coord)
	if err != nil {
		t.Fatal(err)
	}
	agencies, err := env.Engine.Agencies(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for _, a := range agencies {
		var want []core.EventID
		for _, e := range all.Entries {
			if e.Agency == a.Name {
				want = append(want, e.ID)
			}
		}
		page, err := env.Engine.SearchAudit(ctx, core.AuditQuery{Kind: "disclosed", AgencySlug: a.Slug, Limit: 500}, coord)
		if err != nil {
			t.Fatal(err)
		}
		var got []core.EventID
		for _, e := range page.Entries {
			got = append(got, e.ID)
		}
		if !slices.Equal(got, want) {
			t.Errorf("%s: the agency filter found events %v, want those its column names, %v", a.Slug, got, want)
		}
	}
}

// TestAuditSearchByAgencyUsesItsIndexes: on a log of 20,000 events by
// the staff of forty agencies, a page of a new agency's few events is
// read through the indexes that serve the agency filter (migration 050's
// on the agency an event recorded, 046's on its actor), not by walking
// the log newest first until the page is full. And the search is planned
// for each search's own values, never run by a cached generic plan
// (which, chosen for an average agency, walks the whole log for a new
// one): after many searches no prepared statement holds it.
func TestAuditSearchByAgencyUsesItsIndexes(t *testing.T) {
	t.Parallel()
	env := coretest.NewEnv(t)
	ctx := context.Background()
	for i := range 40 {
		id, err := env.Engine.AddAgency(ctx, env.Pool, core.NewAgency{Slug: fmt.Sprintf("advice-point-%02d", i),
			Name: fmt.Sprintf("Advice Point %02d", i), AckTargetHours: 24})
		if err != nil {
			t.Fatal(err)
		}
		for j := range 10 {
			if _, err := env.Engine.AddStaff(ctx, env.Pool, core.NewStaff{AgencyID: id, Name: "Adviser", Role: core.RoleAdviser,
				Email: fmt.Sprintf("adviser%d.%d@advice-point.example", i, j)}); err != nil {
				t.Fatal(err)
			}
		}
	}
	// A third of the staff's events record the agency they acted for, as
	// a view of a client's details does.
	if _, err := env.Pool.Exec(ctx, `
WITH st AS (SELECT array_agg(id ORDER BY id) AS ids FROM staff WHERE email LIKE '%@advice-point.example')
INSERT INTO events (stream, stream_seq, kind, actor_kind, actor_id, data, created_at, prev_hash, hash)
SELECT 'test:' || n, 1, 'referral.transition', CASE WHEN n % 5 = 0 THEN 'system' ELSE 'staff' END,
       CASE WHEN n % 5 <> 0 THEN st.ids[1 + n % cardinality(st.ids)] END,
       CASE WHEN n % 3 = 0 AND n % 5 <> 0 THEN jsonb_build_object('agency_id', (SELECT agency_id FROM staff WHERE id = st.ids[1 + n % cardinality(st.ids)]))
            ELSE '{}'::jsonb END,
       timestamptz '2027-01-01' + n * interval '10 minutes', '\x', '\x'
FROM generate_series(1, 20000) n, st`); err != nil {
		t.Fatal(err)
	}
	newID, err := env.Engine.AddAgency(ctx, env.Pool, core.NewAgency{Slug: "new-advice-point", Name: "New Advice Point", AckTargetHours: 24})
	if err != nil {
		t.Fatal(err)
	}
	adviser, err := env.Engine.AddStaff(ctx, env.Pool, core.NewStaff{AgencyID: newID, Name: "New adviser", Role: core.RoleAdviser,
		Email: "adviser@new-advice-point.example"})
	if err != nil {
		t.Fatal(err)
	}
	for i := range 3 {
		insertEvent(t, env, core.EventDisclosed, "staff", int64(adviser), fmt.Sprintf(`{"agency_id": %d}`, newID*core.AgencyID(i%2)),
			time.Date(2027, 1, 2+i, 9, 0, 0, 0, time.UTC))
	}
	if _, err := env.Pool.Exec(ctx, `ANALYZE events`); err != nil {
		t.Fatal(err)
	}

	q := core.AuditQuery{AgencySlug: "new-advice-point"}
	sql, args, err := env.Engine.AuditPageSQL(ctx, q)
	if err != nil {
		t.Fatal(err)
	}
	rows, err := env.Pool.Query(ctx, "EXPLAIN (COSTS OFF) "+sql, args...)
	if err != nil {
		t.Fatal(err)
	}
	var plan []string
	for rows.Next() {
		var line string
		if err := rows.Scan(&line); err != nil {
			t.Fatal(err)
		}
		plan = append(plan, line)
	}
	if rows.Err() != nil {
		t.Fatal(rows.Err())
	}
	text := strings.Join(plan, "\n")
	if !strings.Contains(text, "events_actor_agency_idx") || !strings.Contains(text, "events_actor_idx") {
		t.Errorf("a page of a new agency's events is not read through its indexes:\n%s", text)
	}

	// One connection, so every search runs on the connection asked after.
	cfg, err := pgxpool.ParseConfig(env.URL)
	if err != nil {
		t.Fatal(err)
	}
	cfg.MaxConns = 1
	one, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		t.Fatal(err)
	}
	defer one.Close()
	eng, _, _, _ := coretest.NewEngine(t, one)
	for range 8 {
		page, err := eng.SearchAudit(ctx, q, env.Net.Coordinator.Actor())
		if err != nil {
			t.Fatal(err)
		}
		if len(page.Entries) != 3 {
			t.Fatalf("the new agency's page holds %d events, want its 3", len(page.Entries))
		}
	}
	rows, _ = one.Query(ctx, `SELECT statement FROM pg_prepared_statements WHERE statement LIKE '%FROM events ev%' AND statement NOT LIKE '%pg_prepared_statements%'`)
	prepared, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		t.Fatal(err)
	}
	if len(prepared) != 0 {
		t.Errorf("%d prepared statements hold the audit search, which would run by a generic plan after five searches:\n%s", len(prepared), strings.Join(prepared, "\n---\n"))
	}
}
