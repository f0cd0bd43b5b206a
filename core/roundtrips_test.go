package core_test

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/onward-network/onward/core"
	"github.com/onward-network/onward/core/coretest"
)

// tripCounter records every round trip a pool makes: one per query, one
// per batch however many statements it carries.
type tripCounter struct {
	mu    sync.Mutex
	on    bool
	trips []string
	stmts []string // every statement, batched or not
}

func (c *tripCounter) add(s string) {
	if strings.Contains(s, "pg_notify") {
		return // the engine's notifier, coalesced and off the operation's path
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.on {
		c.trips = append(c.trips, strings.Join(strings.Fields(s), " "))
		if !strings.HasPrefix(s, "batch of ") {
			c.stmts = append(c.stmts, s)
		}
	}
}

func (c *tripCounter) TraceQueryStart(ctx context.Context, _ *pgx.Conn, d pgx.TraceQueryStartData) context.Context {
	c.add(d.SQL)
	return ctx
}

func (c *tripCounter) TraceQueryEnd(context.Context, *pgx.Conn, pgx.TraceQueryEndData) {}

func (c *tripCounter) TraceBatchStart(ctx context.Context, _ *pgx.Conn, d pgx.TraceBatchStartData) context.Context {
	c.add(fmt.Sprintf("batch of %d", d.Batch.Len()))
	return ctx
}

func (c *tripCounter) TraceBatchQuery(_ context.Context, _ *pgx.Conn, d pgx.TraceBatchQueryData) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.on {
		c.stmts = append(c.stmts, d.SQL)
	}
}

func (c *tripCounter) TraceBatchEnd(context.Context, *pgx.Conn, pgx.TraceBatchEndData) {}

// count runs fn and returns the round trips it made.
func (c *tripCounter) count(t *testing.T, fn func()) []string {
	t.Helper()
	c.mu.Lock()
	c.on, c.trips, c.stmts = true, nil, nil
	c.mu.Unlock()
	fn()
	c.mu.Lock()
	defer c.mu.Unlock()
	c.on = false
	return c.trips
}

// tracedEnv is a seeded environment whose pool counts its round trips.
func tracedEnv(t *testing.T) (*coretest.Env, *tripCounter) {
	t.Helper()
	env := coretest.NewEnv(t)
	cfg, err := pgxpool.ParseConfig(env.URL)
	if err != nil {
		t.Fatal(err)
	}
	trips := &tripCounter{}
	cfg.ConnConfig.Tracer = trips
	pool, err := pgxpool.NewWithConfig(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(pool.Close)
	eng, clock, ids, crypt := coretest.NewEngine(t, pool)
	return &coretest.Env{Pool: pool, URL: env.URL, Engine: eng, Clock: clock, IDs: ids, Crypt: crypt, Net: env.Net}, trips
}

// The engine's hot paths are held to a number of round trips to
// PostgreSQL, counted once its caches are warm: a self-referral, in its
// transaction, reads the directory to route it and finds or inserts the
// client (both with the BEGIN), inserts consent and referral, and sends
// one batch (the client's details, events, outbox rows, and the COMMIT); an
// accept reads the referral (with the BEGIN), updates it and sends one
// batch (with the COMMIT); a referral between agencies (staff, partner
// systems) reads the receiving agency and writes the client with the
// BEGIN, then inserts consent and referral and sends one batch. Each
// trip costs the server as much as a small statement, and both sides a
// wait.
func TestRoundTripsPerOperation(t *testing.T) {
	t.Parallel()
	env, trips := tracedEnv(t)
	ctx := context.Background()
	// Warm the caches (calendar, districts, directory, wording).
	if _, err := env.Engine.SelfRefer(ctx, coretest.SelfReferral("warm")); err != nil {
		t.Fatal(err)
	}

	var created core.SelfReferralResult
	got := trips.count(t, func() {
		in := coretest.SelfReferral("trips-new")
		in.Client.Phone = "+447900900901"
		var err error
		if created, err = env.Engine.SelfRefer(ctx, in); err != nil {
			t.Fatal(err)
		}
	})
	if created.Agency == nil {
		t.Fatal("the test referral went to triage: it must reach an agency to count the routed path")
	}
	check(t, "a self-referral from a new phone", got, 3)

	got = trips.count(t, func() {
		in := coretest.SelfReferral("trips-again")
		in.Client.Phone = "+447900900901"
		if _, err := env.Engine.SelfRefer(ctx, in); err != nil {
			t.Fatal(err)
		}
	})
	check(t, "a self-referral from a known phone", got, 3)

	got = trips.count(t, func() {
		if _, err := env.Engine.Act(ctx, core.TransitionRequest{Referral: created.Referral.ID, Action: core.ActionAccept,
			Actor: env.Net.Adviser.Actor(), ExpectedVersion: created.Referral.Version}); err != nil {
			t.Fatal(err)
		}
	})
	check(t, "accepting a referral", got, 3)

	got = trips.count(t, func() {
		if _, err := env.Engine.StaffRefer(ctx, core.StaffReferral{IdempotencyKey: "trips-staff", By: env.Net.WelfareAdviser.Actor(),
			Client: core.ClientDetails{Name: "Duncan Urquhart", Phone: "07700 900456", Postcode: "KY2 5XY"},
			Needs:  []core.Need{core.NeedDebt}, ToAgency: env.Net.CAB, ConsentConfirmed: true, WordingVersion: "v1"}); err != nil {
			t.Fatal(err)
		}
	})
	check(t, "a referral between agencies", got, 3)
}

// TestCaseIDsOfAPageInOneRoundTrip: the partner API's and FHIR's lists
// read the case ids of a whole page in one query, not one per referral.
func TestCaseIDsOfAPageInOneRoundTrip(t *testing.T) {
	t.Parallel()
	env, trips := tracedEnv(t)
	ctx := context.Background()
	creds, err := env.Engine.AddPartner(ctx, core.NewPartner{Name: "Casework", AgencyID: env.Net.Welfare,
		Scopes: []core.PartnerScope{core.ScopeRead, core.ScopeRefer}}, core.SystemActor)
	if err != nil {
		t.Fatal(err)
	}
	by := creds.Partner.Actor()
	want := map[core.ReferralID]string{}
	for i := range 4 {
		r, err := env.Engine.PartnerRefer(ctx, core.PartnerReferral{IdempotencyKey: fmt.Sprintf("page-%d", i), By: by,
			CaseID: fmt.Sprintf("CASE-%d", i), Client: core.ClientDetails{Name: "Eilidh Fictional", Phone: "07700 900321", Postcode: "KY1 1AB"},
			Needs: []core.Need{core.NeedDebt}, ToAgency: env.Net.CAB,
			Consent: core.PartnerConsent{WordingVersion: "v1", Scope: core.ScopeNetwork, WitnessedBy: "Isla Moffat"}})
		if err != nil {
			t.Fatal(err)
		}
		want[r.ID] = fmt.Sprintf("CASE-%d", i)
	}
	// A referral no partner made is on the page too, without a case id.
	staff, err := env.Engine.StaffRefer(ctx, core.StaffReferral{IdempotencyKey: "page-staff", By: env.Net.WelfareAdviser.Actor(),
		Client: core.ClientDetails{Name: "Duncan Urquhart", Phone: "07700 900456", Postcode: "KY2 5XY"},
		Needs:  []core.Need{core.NeedDebt}, ToAgency: env.Net.CAB, ConsentConfirmed: true, WordingVersion: "v1"})
	if err != nil {
		t.Fatal(err)
	}
	page, _, err := env.Engine.ListVisibleReferrals(ctx, by, core.ReferralPage{Limit: 50})
	if err != nil {
		t.Fatal(err)
	}
	if len(page) != 5 {
		t.Fatalf("the page holds %d referrals, want the 5 the partner's agency sent", len(page))
	}
	var got map[core.ReferralID]core.ReferralLinks
	check(t, "the links of a page of 5", trips.count(t, func() {
		if got, err = env.Engine.ReferralLinks(ctx, page); err != nil {
			t.Fatal(err)
		}
	}), 1)
	for id, caseID := range want {
		if got[id].CaseID != caseID {
			t.Errorf("referral %d: case id %q, want %q", id, got[id].CaseID, caseID)
		}
	}
	if l, ok := got[staff.ID]; !ok || l.CaseID != "" {
		t.Errorf("the staff referral's links are %+v (listed: %v), want no case id", l, ok)
	}
}

func check(t *testing.T, what string, trips []string, most int) {
	t.Helper()
	if len(trips) > most {
		t.Errorf("%s took %d round trips, want at most %d:\n  %s", what, len(trips), most, strings.Join(trips, "\n  "))
	} else {
		t.Logf("%s: %d round trips:\n  %s", what, len(trips), strings.Join(trips, "\n  "))
	}
}
