package core

import (
	"context"
	"crypto/rand"
	"log/slog"
	"strings"
	"sync"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
)

// Clock tells the time. Core never calls time.Now directly, so tests can
// pin it.
type Clock interface{ Now() time.Time }

// SystemClock is the real clock.
type SystemClock struct{}

// Now returns the current time, rounded to the microsecond Postgres stores.
func (SystemClock) Now() time.Time { return time.Now().UTC().Truncate(time.Microsecond) }

// IDSource makes the identifiers people see, such as referral references.
// Tests pass a deterministic one.
type IDSource interface {
	// Reference returns a new referral reference like ReferenceExample.
	Reference() string
}

// referenceAlphabet leaves out 0/O, 1/I/L and U so references read aloud
// over the phone without confusion.
const referenceAlphabet = "23456789ABCDEFGHJKMNPQRSTVWXYZ"

// ReferenceExample is the reference pages and messages show as an example
// ("a reference, like ONW-7K3M9PQ"): shaped like those RandomIDs makes.
const ReferenceExample = "ONW-7K3M9PQ"

// ShapedAsIssued reports whether ref (as NormaliseReference gives it)
// has the shape of the references RandomIDs issues: "ONW-" and seven
// characters of referenceAlphabet. A name read as a reference ("Smith",
// "John Smith") has not.
func ShapedAsIssued(ref string) bool {
	body, ok := strings.CutPrefix(ref, "ONW-")
	return ok && len(body) == 7 && strings.Trim(body, referenceAlphabet) == ""
}

// RandomIDs makes references from crypto/rand.
type RandomIDs struct{}

// Reference returns "ONW-" and seven characters: 30^7 ≈ 2.2e10 values, so a
// collision is rare and is retried by the unique index.
func (RandomIDs) Reference() string {
	b := make([]byte, 7)
	if _, err := rand.Read(b); err != nil {
		panic(err)
	}
	for i := range b {
		b[i] = referenceAlphabet[int(b[i])%len(referenceAlphabet)]
	}
	return "ONW-" + string(b)
}

// Engine is the referral engine: every change to referrals, clients and
// consent goes through it, in one transaction with its events and outbox
// rows.
type Engine struct {
	pool  *pgxpool.Pool
	crypt *Crypter
	clock Clock
	ids   IDSource
	log   *slog.Logger

	notifyMu sync.Mutex
	notifyCh chan struct{}
	closed   bool

	cache engineCache

	outbox *Outbox

	audit AuditKey // chains the events; see UseAuditKey

	webTextsPerDay int // see SetWebTextsPerDay

	noSlack bool // Onward is not connected to Slack; see UseSlack

	sent *SentTexts

	readers   *Readers         // see UseReaders
	receivers WebhookReceivers // see UseWebhookReceivers

	forget func(ctx context.Context, phoneHash []byte) error // see OnErase
}

// NewEngine wires an Engine. Call Close when done to stop its outbox
// notifier.
func NewEngine(pool *pgxpool.Pool, crypt *Crypter, clock Clock, ids IDSource, log *slog.Logger) *Engine {
	e := &Engine{pool: pool, crypt: crypt, clock: clock, ids: ids, log: log, notifyCh: make(chan struct{}, 1)}
	e.outbox = &Outbox{pool: pool, clock: clock, wake: e.wakeWorkers}
	e.sent = &SentTexts{e: e, pending: map[sentKey]sentCount{}}
	e.readers = NewReaders(pool, nil, 0)
	go e.runNotifier()
	return e
}

// Pool is the engine's connection pool, for the edges' own read queries
// (leaflets, the directory, digests' counts). Writes go through the
// engine's methods and its Outbox, never straight to the pool.
func (e *Engine) Pool() *pgxpool.Pool { return e.pool }

// UseReaders makes the public directory's and the Open Referral feed's
// reads go through r, so they can come from a read replica. Without it
// they read from the primary.
func (e *Engine) UseReaders(r *Readers) { e.readers = r }

// OnErase gives the engine what removes copies of an erased client's
// texts kept outside PostgreSQL (Redis's conversation state and stored
// replies, by the keyed hash of the phone), called after an erasure
// commits (EraseClient; retention's erasures leave those copies to their
// own expiry, see ApplyRetention). Its failure does not undo the erasure:
// it is logged, and those copies then go with their own expiry.
func (e *Engine) OnErase(forget func(ctx context.Context, phoneHash []byte) error) { e.forget = forget }

// Readers hands out the pool for reads that may come from a replica
// (reports, the public directory); never for anything read-your-writes.
func (e *Engine) Readers() *Readers { return e.readers }

// Crypter is the engine's personal-data Crypter.
func (e *Engine) Crypter() *Crypter { return e.crypt }

// Clock is the engine's clock.
func (e *Engine) Clock() Clock { return e.clock }

// Close stops the background notifier.
func (e *Engine) Close() {
	e.notifyMu.Lock()
	defer e.notifyMu.Unlock()
	if !e.closed {
		e.closed = true
		close(e.notifyCh)
	}
}

// OutboxChannel is the Postgres NOTIFY channel that wakes outbox workers.
const OutboxChannel = "onward_outbox"

// wakeWorkers asks the notifier to NOTIFY after a commit that wrote outbox
// rows. Notifying after commit, coalesced, keeps NOTIFY's commit-time
// global lock out of every referral transaction; a lost wake-up only costs
// the worker's slow poll.
func (e *Engine) wakeWorkers() {
	e.notifyMu.Lock()
	defer e.notifyMu.Unlock()
	if e.closed {
		return
	}
	select {
	case e.notifyCh <- struct{}{}:
	default:
	}
}

// notifyEvery bounds NOTIFYs to one per window: under load every commit
// would otherwise add a transaction of its own, and a worker woken once
// claims everything committed in the window anyway.
const notifyEvery = 10 * time.Millisecond

func (e *Engine) runNotifier() {
	for range e.notifyCh {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		if _, err := e.pool.Exec(ctx, sqlNotifyOutbox, OutboxChannel); err != nil {
			e.log.Warn("notify outbox workers", "err", err)
		}
		cancel()
		time.Sleep(notifyEvery)
	}
}
