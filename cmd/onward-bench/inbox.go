package main

import (
	"context"
	"fmt"
	"io"
	"math/rand/v2"
	"slices"
	"sync"
	"time"

	"github.com/onward-network/onward/core"
)

// The inbox benchmark: one agency with 5,000 open and 100,000 closed
// referrals; 32 connections ask for the inbox's first page, a filtered
// page and a reference search, as staff do all day.
const (
	benchInboxOpen    = 5_000
	benchInboxClosed  = 100_000
	benchInboxConns   = 32
	benchInboxQueries = 3_000
	benchInboxWarm    = 600 // queries before measuring: about 6 on each connection of each kind
)

func init() { registerBench("inbox", benchInbox) }

// sqlBenchInboxSeed writes the agency's referrals in one statement: open
// ones of every open status (one in fifty a crisis, due times spread so
// some are overdue: acknowledgements, contacts and waiting list reviews), closed ones of every closed status.
const sqlBenchInboxSeed = `
WITH c AS (
    INSERT INTO clients (name_enc, postcode_district, town, created_at, updated_at)
    VALUES ('\x00', 'KY1', 'Kirkcaldy', now(), now()) RETURNING id
), k AS (
    INSERT INTO consents (client_id, scope, wording_version, wording_sha256, channel, evidence, given_at)
    SELECT c.id, 'network', 'v1', '\x00', 'sms', 'bench', now() FROM c RETURNING id, client_id
)
INSERT INTO referrals (reference, client_id, consent_id, source, from_agency_id, to_agency_id, needs, postcode_district,
    crisis, status, reason, status_at, created_at, ack_due_at, follow_up_due_at, closed_at, outcome)
SELECT 'ONW-B' || lpad(g::text, 7, '0'), k.client_id, k.id,
    CASE WHEN g % 3 = 0 THEN 'staff' ELSE 'sms' END,
    CASE WHEN g % 3 = 0 THEN $2::bigint END, $1,
    CASE g % 4 WHEN 0 THEN '{debt}'::text[] WHEN 1 THEN '{benefits,debt}' WHEN 2 THEN '{housing}' ELSE '{food}' END,
    'KY1', g % 50 = 0,
    CASE WHEN g <= $3::int THEN (ARRAY['requested', 'accepted', 'in-progress', 'on-hold'])[1 + g % 4]
         ELSE (ARRAY['completed', 'rejected', 'failed', 'cancelled'])[1 + g % 4] END,
    CASE WHEN g > $3 AND g % 4 = 1 THEN 'other' END,
    now() - make_interval(mins => g), now() - make_interval(mins => g * 2),
    now() - make_interval(mins => g * 2) + interval '16 hours',
    now() - make_interval(mins => g) + interval '7 days',
    CASE WHEN g > $3 THEN now() - make_interval(mins => g) END,
    CASE WHEN g > $3 AND g % 4 = 0 THEN 'help-given' END
FROM k, generate_series(1, $3::int + $4::int) g`

func benchInbox(ctx context.Context, stdout io.Writer) error {
	env, err := openBenchEnv(ctx, benchInboxConns, 0)
	if err != nil {
		return err
	}
	defer env.Close()
	start := time.Now()
	if _, err := env.pool.Exec(ctx, sqlBenchInboxSeed, env.net.CAB, env.net.Welfare, benchInboxOpen, benchInboxClosed); err != nil {
		return fmt.Errorf("seed inbox referrals: %w", err)
	}
	if _, err := env.pool.Exec(ctx, `VACUUM ANALYZE referrals`); err != nil {
		return err
	}
	total := benchInboxOpen + benchInboxClosed
	fmt.Fprintf(stdout, "inbox: %d referrals for one agency written in %s\n", total, time.Since(start).Round(time.Millisecond))

	kinds := []struct {
		name  string
		query func(r *rand.Rand) core.ListQuery
	}{
		{"first page", func(*rand.Rand) core.ListQuery {
			return core.ListQuery{View: core.ViewInbox, Agency: env.net.CAB}
		}},
		{"filtered", func(r *rand.Rand) core.ListQuery {
			return core.ListQuery{View: core.ViewInbox, Agency: env.net.CAB, Need: core.NeedDebt,
				Urgency: core.UrgencyRoutine, Statuses: []core.Status{core.StatusRequested}, Page: 1 + r.IntN(3)}
		}},
		{"reference", func(r *rand.Rand) core.ListQuery {
			return core.ListQuery{View: core.ViewInbox, Agency: env.net.CAB, Reference: fmt.Sprintf("ONW-B%07d", 1+r.IntN(total))}
		}},
	}
	// run sends n queries, the kinds in turn, through 32 connections and
	// returns each one's time, all together and by kind.
	run := func(n int) (all []time.Duration, perKind map[string][]time.Duration, err error) {
		var (
			mu       sync.Mutex
			firstErr error
			wg       sync.WaitGroup
			next     = make(chan int)
		)
		perKind = map[string][]time.Duration{}
		for w := range benchInboxConns {
			wg.Add(1)
			go func() {
				defer wg.Done()
				r := rand.New(rand.NewPCG(uint64(w), 7))
				for i := range next {
					k := kinds[i%len(kinds)]
					t0 := time.Now()
					p, err := env.engine.List(ctx, k.query(r))
					d := time.Since(t0)
					mu.Lock()
					if err == nil && k.name == "first page" && len(p.Rows) == 0 {
						err = fmt.Errorf("the first page is empty")
					}
					if err != nil && firstErr == nil {
						firstErr = fmt.Errorf("inbox %s: %w", k.name, err)
					}
					all = append(all, d)
					perKind[k.name] = append(perKind[k.name], d)
					mu.Unlock()
				}
			}()
		}
		for i := range n {
			next <- i
		}
		close(next)
		wg.Wait()
		return all, perKind, firstErr
	}
	// Warm up as a running server is warm: every connection of the pool
	// open, and each query's plan and the catalogue cached in each
	// connection's backend. The first use of a new connection costs tens
	// of milliseconds, which a server pays once, not per page.
	if _, _, err := run(benchInboxWarm); err != nil {
		return err
	}
	start = time.Now()
	all, perKind, err := run(benchInboxQueries)
	if err != nil {
		return err
	}
	elapsed := time.Since(start)
	for _, k := range kinds {
		ds := perKind[k.name]
		slices.Sort(ds)
		fmt.Fprintf(stdout, "inbox %s: n=%d p50=%sms p99=%sms\n", k.name, len(ds), ms(percentile(ds, 50)), ms(percentile(ds, 99)))
	}
	slices.Sort(all)
	fmt.Fprintf(stdout, "inbox: %d queries at %d connections in %s\n", len(all), benchInboxConns, elapsed.Round(time.Millisecond))
	fmt.Fprintf(stdout, "inbox: referrals=%d p50=%sms p99=%sms\n", total, ms(percentile(all, 50)), ms(percentile(all, 99)))
	return nil
}
