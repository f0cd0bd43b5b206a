package main

import (
	"context"
	"crypto/rand"
	"fmt"
	"io"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/onward-network/onward/core"
	"github.com/onward-network/onward/core/coretest"
)

// The core benchmark compares the engine's paths with a baseline that
// writes the same rows with plain INSERTs in one transaction, in the same
// run on the same database, so the ratio shows what the engine's logic
// (validation, matching, encryption, hash chain, version checks) costs.
const (
	benchCoreWorkers  = 8
	benchCoreDuration = 10 * time.Second
	benchCoreRounds   = 5 // engine and baseline alternate, so neither gets the emptier tables
)

func init() { registerBench("core", benchCore) }

type coreBench struct {
	pool   *pgxpool.Pool
	engine *core.Engine
	net    coretest.Network
	seq    atomic.Int64
	meter  *cpuMeter

	mu               sync.Mutex
	engineReferrals  []core.ReferralID
	baseReferrals    []core.ReferralID
	engineAcceptNext int
	baseAcceptNext   int
}

func benchCore(ctx context.Context, stdout io.Writer) error {
	cfg, drop, err := benchPoolConfig(ctx, benchCoreWorkers+4)
	if err != nil {
		return err
	}
	defer drop()
	meter := &cpuMeter{}
	cfg.AfterConnect = meter.afterConnect
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return err
	}
	defer pool.Close()
	eng, err := benchEngine(pool, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		return err
	}
	defer eng.Close()
	net, err := coretest.SeedNetwork(ctx, eng, pool)
	if err != nil {
		return fmt.Errorf("seed bench network: %w", err)
	}
	b := &coreBench{pool: pool, engine: eng, net: net, meter: meter}

	fmt.Fprintf(stdout, "core: %d workers, %s per side, self-referral path then accept path\n", benchCoreWorkers, benchCoreDuration)
	create, err := b.alternate(ctx, b.engineCreate, b.baselineCreate)
	if err != nil {
		return err
	}
	accept, err := b.alternate(ctx, b.engineAccept, b.baselineAccept)
	if err != nil {
		return err
	}
	// CPU per operation first, the rates (the summary) last.
	for _, l := range []struct {
		name  string
		sides [2]benchSide
	}{{"core-create", create}, {"core-accept", accept}} {
		fmt.Fprintf(stdout, "%s cpu per op: engine %s, baseline %s\n", l.name,
			l.sides[0].cpu.perOp(l.sides[0].n), l.sides[1].cpu.perOp(l.sides[1].n))
	}
	fmt.Fprintf(stdout, "core-create: engine=%.0f/s baseline=%.0f/s ratio=%.2f\n", create[0].rate(), create[1].rate(), create[0].rate()/create[1].rate())
	fmt.Fprintf(stdout, "core-accept: engine=%.0f/s baseline=%.0f/s ratio=%.2f\n", accept[0].rate(), accept[1].rate(), accept[0].rate()/accept[1].rate())
	return nil
}

// benchSide is what one side of a comparison did: operations, time, and
// the CPU they used here and in PostgreSQL.
type benchSide struct {
	n       int64
	elapsed time.Duration
	cpu     cpuTimes
}

func (s benchSide) rate() float64 { return float64(s.n) / s.elapsed.Seconds() }

// alternate runs the two operations in rounds, each with the same workers
// and time, and returns what each side did.
func (b *coreBench) alternate(ctx context.Context, engine, baseline func(context.Context) (bool, error)) ([2]benchSide, error) {
	var sides [2]benchSide
	sides[0].cpu, sides[1].cpu = knownCPU(), knownCPU()
	slice := benchCoreDuration / benchCoreRounds
	for round := 0; round < benchCoreRounds; round++ {
		for side, op := range []func(context.Context) (bool, error){engine, baseline} {
			before := b.meter.read()
			n, elapsed, err := hammer(ctx, op, slice)
			if err != nil {
				return sides, err
			}
			sides[side].n += n
			sides[side].elapsed += elapsed
			sides[side].cpu = sides[side].cpu.add(b.meter.read().sub(before))
		}
	}
	return sides, nil
}

// hammer runs op from benchCoreWorkers goroutines for d, or until op says
// it has no more work, and counts successes.
func hammer(ctx context.Context, op func(context.Context) (bool, error), d time.Duration) (int64, time.Duration, error) {
	var n atomic.Int64
	var firstErr error
	var once sync.Once
	deadline := time.Now().Add(d)
	start := time.Now()
	var wg sync.WaitGroup
	for w := 0; w < benchCoreWorkers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for time.Now().Before(deadline) && ctx.Err() == nil {
				more, err := op(ctx)
				if err != nil {
					once.Do(func() { firstErr = err })
					return
				}
				if !more {
					return
				}
				n.Add(1)
			}
		}()
	}
	wg.Wait()
	return n.Load(), time.Since(start), firstErr
}

func (b *coreBench) engineCreate(ctx context.Context) (bool, error) {
	i := b.seq.Add(1)
	in := coretest.SelfReferral(fmt.Sprintf("bench-%d", i))
	in.Client.Phone = fmt.Sprintf("+4479%08d", i)
	res, err := b.engine.SelfRefer(ctx, in)
	if err != nil {
		return false, err
	}
	b.mu.Lock()
	b.engineReferrals = append(b.engineReferrals, res.Referral.ID)
	b.mu.Unlock()
	return true, nil
}

// The baseline writes what a self-referral to an agency writes — client,
// consent, referral, two events, and six outbox rows (the card, the
// new-referral email, the acknowledgement reminder and escalation and
// their emails) — as plain statements in one transaction, one per row.
// The rows carry what the engine's carry: ciphertexts of the same sizes
// (the client's name, phone and postcode, their wrapped key, the
// referral's notes and details as given), the referral's acknowledgement
// deadline, and events whose data is the engine's; the outbox rows are
// written by core.Outbox.EnqueueTx, which owns every statement on that
// table.
const (
	sqlBaseClient = `INSERT INTO clients (phone_hash, name_enc, phone_enc, postcode_enc, key_wrapped, postcode_district, preferred_contact, contact_time, language, phone_proven_at, created_at, updated_at)
		VALUES ($1, $2, $3, $4, $5, 'KY1', 'text', 'mornings', 'en', $6, $6, $6) RETURNING id`
	sqlBaseConsent = `INSERT INTO consents (client_id, scope, wording_version, wording_sha256, channel, evidence, given_at, language)
		VALUES ($1, 'network', 'v1', $2, 'sms', $3, $4, 'en') RETURNING id`
	sqlBaseReferral = `INSERT INTO referrals (reference, client_id, consent_id, source, to_agency_id, needs, postcode_district, status, notes_enc, status_at, idempotency_key, created_at, ack_due_at, details_enc)
		VALUES ($1, $2, $3, 'sms', $4, '{debt}', 'KY1', 'requested', $5, $6, $7, $6, $8, $9) RETURNING id`
	sqlBaseEvent = `INSERT INTO events (stream, stream_seq, kind, referral_id, client_id, actor_kind, to_status, data, created_at, prev_hash, hash, agency_id)
		VALUES ($1, $2, $3, $4, $5, 'client', $6, $10, $7, $8, $9, $11)`
)

func randomBytes(n int) []byte {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return b
}

func (b *coreBench) baselineCreate(ctx context.Context) (bool, error) {
	i := b.seq.Add(1)
	now := time.Now()
	ackDue := now.Add(96 * time.Hour)
	var id core.ReferralID
	err := pgx.BeginFunc(ctx, b.pool, func(tx pgx.Tx) error {
		var client, consent int64
		if err := tx.QueryRow(ctx, sqlBaseClient, randomBytes(32), randomBytes(40), randomBytes(42), randomBytes(36), randomBytes(65), now).Scan(&client); err != nil {
			return err
		}
		evidence := fmt.Sprintf("SMbase-%d", i)
		if err := tx.QueryRow(ctx, sqlBaseConsent, client, randomBytes(32), evidence, now).Scan(&consent); err != nil {
			return err
		}
		if err := tx.QueryRow(ctx, sqlBaseReferral, fmt.Sprintf("ONW-B%07d", i), client, consent, b.net.CAB, randomBytes(66), now, fmt.Sprintf("base-%d", i), ackDue, randomBytes(166)).Scan(&id); err != nil {
			return err
		}
		consentData := map[string]any{"channel": "sms", "consent_id": consent, "evidence": evidence, "scope": "network", "wording_version": "v1"}
		if _, err := tx.Exec(ctx, sqlBaseEvent, fmt.Sprintf("client:%d", client), 1, "consent.given", nil, client, "", now, []byte{}, randomBytes(32), consentData, nil); err != nil {
			return err
		}
		createdData := map[string]any{"source": "sms", "version": 1, "leaflet": "", "triage_reason": ""}
		if _, err := tx.Exec(ctx, sqlBaseEvent, fmt.Sprintf("referral:%d", id), 1, "referral.created", id, client, "requested", now, []byte{}, randomBytes(32), createdData, b.net.CAB); err != nil {
			return err
		}
		for _, kind := range []string{"card.sync", "email.new", "reminder.ack", "email.ack", "reminder.ack.escalation", "email.escalation"} {
			if err := b.engine.Outbox().EnqueueTx(ctx, tx, core.OutboxKind(kind), id, core.OutboxPayload{ReferralID: id, Version: 1}, fmt.Sprintf("base:%s:%d", kind, id), now); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return false, fmt.Errorf("baseline create: %w", err)
	}
	b.mu.Lock()
	b.baseReferrals = append(b.baseReferrals, id)
	b.mu.Unlock()
	return true, nil
}

func (b *coreBench) next(engine bool) (core.ReferralID, bool) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if engine {
		if b.engineAcceptNext >= len(b.engineReferrals) {
			return 0, false
		}
		b.engineAcceptNext++
		return b.engineReferrals[b.engineAcceptNext-1], true
	}
	if b.baseAcceptNext >= len(b.baseReferrals) {
		return 0, false
	}
	b.baseAcceptNext++
	return b.baseReferrals[b.baseAcceptNext-1], true
}

func (b *coreBench) engineAccept(ctx context.Context) (bool, error) {
	id, ok := b.next(true)
	if !ok {
		return false, nil
	}
	_, err := b.engine.Act(ctx, core.TransitionRequest{Referral: id, Action: core.ActionAccept, Actor: b.net.Adviser.Actor(), ExpectedVersion: 1})
	return err == nil, err
}

// The accept baseline writes what an accept writes: the status update, one
// event and five outbox rows (card, status text, contact check, and the
// agency's contact reminder in Slack and by email).
const sqlBaseAccept = `UPDATE referrals SET status = 'accepted', version = version + 1, acknowledged_at = $2, status_by = $3, status_at = $2
	WHERE id = $1 AND version = 1 RETURNING client_id`

func (b *coreBench) baselineAccept(ctx context.Context) (bool, error) {
	id, ok := b.next(false)
	if !ok {
		return false, nil
	}
	now := time.Now()
	acceptData := map[string]any{"action": "accept", "version": 2, "actor_agency_id": int64(b.net.CAB)}
	err := pgx.BeginFunc(ctx, b.pool, func(tx pgx.Tx) error {
		var client int64
		if err := tx.QueryRow(ctx, sqlBaseAccept, id, now, b.net.Adviser.ID).Scan(&client); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, sqlBaseEvent, fmt.Sprintf("referral:%d", id), 2, "referral.transition", id, client, "accepted", now, randomBytes(32), randomBytes(32), acceptData, b.net.CAB); err != nil {
			return err
		}
		for _, kind := range []string{"card.sync", "sms.client", "sms.client.check", "reminder.contact", "email.notify"} {
			if err := b.engine.Outbox().EnqueueTx(ctx, tx, core.OutboxKind(kind), id, core.OutboxPayload{}, fmt.Sprintf("base-accept:%s:%d", kind, id), now); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return false, fmt.Errorf("baseline accept: %w", err)
	}
	return true, nil
}
