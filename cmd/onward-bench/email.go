package main

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"log/slog"
	"net/mail"
	"strings"
	"sync/atomic"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/onward-network/onward/core"
	"github.com/onward-network/onward/core/config"
	"github.com/onward-network/onward/core/coretest"
	"github.com/onward-network/onward/notify"
	"github.com/onward-network/onward/notify/smtpfake"
)

// The email benchmark sends benchEmailRows notification emails (new
// referral, to a member of staff) through the outbox and a real worker
// with the real go-mail client to the in-process SMTP server. A producer
// commits small batches at a steady offered rate, as core does; latency
// runs from each row's commit to the server accepting its DATA.
const (
	benchEmailRows  = 10000
	benchEmailBatch = 10
	benchEmailEvery = 5 * time.Millisecond // 2,000 rows/s offered
)

func init() { registerBench("email", benchEmail) }

func benchEmail(ctx context.Context, stdout io.Writer) error {
	pcfg, drop, err := benchPoolConfig(ctx, 24)
	if err != nil {
		return err
	}
	defer drop()
	// The producer commits through a pool of its own, so the round trips
	// counted on the engine's pool are the worker's.
	producer, err := pgxpool.NewWithConfig(ctx, pcfg.Copy())
	if err != nil {
		return err
	}
	defer producer.Close()
	trips := &roundTrips{}
	pcfg.ConnConfig.Tracer = trips
	pool, err := pgxpool.NewWithConfig(ctx, pcfg)
	if err != nil {
		return err
	}
	defer pool.Close()
	quiet := slog.New(slog.DiscardHandler)
	eng, err := benchEngine(pool, quiet)
	if err != nil {
		return err
	}
	defer eng.Close()
	netw, err := coretest.SeedNetwork(ctx, eng, pool)
	if err != nil {
		return fmt.Errorf("seed bench network: %w", err)
	}
	fmt.Fprintf(stdout, "email: making %d referrals…\n", benchNotifyReferrals)
	refs, err := benchReferrals(ctx, eng)
	if err != nil {
		return err
	}
	if err := coretest.MarkAllOutboxSent(ctx, pool); err != nil {
		return err
	}

	rep := &benchReporter{}
	d := newDeliveries(benchEmailRows, rep)
	srv, err := smtpfake.Start(smtpfake.Options{OnMessage: func(m smtpfake.Message) {
		msg, err := mail.ReadMessage(bytes.NewReader(m.Data))
		if err != nil {
			rep.Errorf("message does not parse: %v", err)
			return
		}
		id := strings.Trim(msg.Header.Get("Message-Id"), "<>")
		_, hash, _ := strings.Cut(strings.SplitN(id, "@", 2)[0], ".")
		d.receive(hash, id, m.At)
	}})
	if err != nil {
		return err
	}
	defer srv.Close()
	cfg := config.Config{PublicURL: "http://localhost:8080", SMTPURL: srv.URL(), MailFrom: "Onward <onward@localhost>",
		SessionSecret: "bench", WorkerBatch: 50, WorkerMaxAttempts: 8, WorkerPoll: 10 * time.Second}
	sender, err := notify.NewSMTPSender(cfg, notify.SMTPOptions{Dial: smtpfake.Guard(rep, srv.Addr()), Conns: 64})
	if err != nil {
		return err
	}
	defer sender.Close()
	w, err := notify.New(notify.Options{Engine: eng, Config: cfg, Log: quiet, Mail: sender, DisableDigest: true})
	if err != nil {
		return err
	}
	stopWorker := runWorker(ctx, w)
	defer stopWorker()

	staff := []core.StaffID{netw.Adviser.ID, netw.Adviser2.ID, netw.WelfareAdviser.ID, netw.HousingAdviser.ID, netw.Coordinator.ID}
	tick := time.NewTicker(benchEmailEvery)
	defer tick.Stop()
	start := time.Now()
	tripsBefore := trips.n.Load()
	for first := 0; first < benchEmailRows; first += benchEmailBatch {
		var keys []string
		var rows []core.OutboxRow
		for i := first; i < min(first+benchEmailBatch, benchEmailRows); i++ {
			r := refs[i%len(refs)]
			dedupe := fmt.Sprintf("bench-mail:%d", i)
			rows = append(rows, core.OutboxRow{Kind: core.OutboxEmailSend, Dedupe: dedupe,
				Payload: core.OutboxPayload{ReferralID: r.ID, Email: core.EmailNewReferral, StaffID: staff[i%len(staff)]}})
			h := sha256.Sum256([]byte(dedupe))
			keys = append(keys, hex.EncodeToString(h[:6]))
		}
		// Written in one round trip in the transaction, as core writes a
		// change's outbox rows.
		err := pgx.BeginFunc(ctx, producer, func(tx pgx.Tx) error { return eng.Outbox().EnqueueAllTx(ctx, tx, rows) })
		if err != nil {
			return fmt.Errorf("queue bench emails: %w", err)
		}
		eng.WakeWorkers()
		d.commit(keys, time.Now())
		select {
		case <-tick.C:
		case <-ctx.Done():
			return ctx.Err()
		}
	}
	produced := time.Since(start)
	if err := d.wait(ctx, 3*time.Minute, "emails"); err != nil {
		return err
	}
	end := time.Now()
	workerTrips := trips.n.Load() - tripsBefore
	if err := stopWorker(); err != nil {
		return err
	}
	if err := rep.err("the mail server"); err != nil {
		return err
	}
	lat, err := d.latencies("the mail server")
	if err != nil {
		return err
	}
	rate := float64(len(lat)) / end.Sub(start).Seconds()
	fmt.Fprintf(stdout, "email: offered %d emails/s in commits of %d; committed %.0f/s\n", int(time.Second/benchEmailEvery)*benchEmailBatch, benchEmailBatch,
		float64(benchEmailRows)/produced.Seconds())
	fmt.Fprintf(stdout, "email: %.1f database round trips per email in the worker (claims, reads and marks)\n", float64(workerTrips)/float64(len(lat)))
	fmt.Fprintf(stdout, "email: n=%d rate=%.0f/s p50=%sms p99=%sms\n", len(lat), rate, ms(percentile(lat, 50)), ms(percentile(lat, 99)))
	return nil
}

// roundTrips counts the statements and batches sent on a pool: each is
// one round trip to the database.
type roundTrips struct{ n atomic.Int64 }

func (t *roundTrips) TraceQueryStart(ctx context.Context, _ *pgx.Conn, _ pgx.TraceQueryStartData) context.Context {
	t.n.Add(1)
	return ctx
}

func (t *roundTrips) TraceQueryEnd(context.Context, *pgx.Conn, pgx.TraceQueryEndData) {}

func (t *roundTrips) TraceBatchStart(ctx context.Context, _ *pgx.Conn, _ pgx.TraceBatchStartData) context.Context {
	t.n.Add(1)
	return ctx
}

func (t *roundTrips) TraceBatchQuery(context.Context, *pgx.Conn, pgx.TraceBatchQueryData) {}

func (t *roundTrips) TraceBatchEnd(context.Context, *pgx.Conn, pgx.TraceBatchEndData) {}
