package core

import (
	"bytes"
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
)

// EventKind names what happened, as stored in the audit log.
type EventKind string

// Event kinds.
const (
	EventCreated          EventKind = "referral.created"
	EventTransition       EventKind = "referral.transition"
	EventAssigned         EventKind = "referral.assigned"
	EventClaimed          EventKind = "referral.claimed"
	EventDisclosed        EventKind = "referral.details-disclosed"
	EventAccessDenied     EventKind = "access.denied"
	EventConsentGiven     EventKind = "consent.given"
	EventConsentWithdrawn EventKind = "consent.withdrawn"
	EventCapacityChanged  EventKind = "agency.capacity-changed"
	EventChannelChanged   EventKind = "agency.slack-channel-changed"
	// EventNotificationsChanged records where an agency's email
	// notifications go (its shared address and staff email setting).
	EventNotificationsChanged EventKind = "agency.notifications-changed"
	EventStaffAdded           EventKind = "staff.added"
	EventServiceChanged       EventKind = "directory.service-changed"
	EventAgencyChanged        EventKind = "agency.details-changed"
	EventOutcomeRecorded      EventKind = "referral.outcome-recorded"
)

// Event is one entry of the append-only audit log.
type Event struct {
	ID         EventID        `db:"id"`
	Stream     string         `db:"stream"`
	StreamSeq  int            `db:"stream_seq"`
	Kind       EventKind      `db:"kind"`
	ReferralID *ReferralID    `db:"referral_id"`
	AgencyID   *AgencyID      `db:"agency_id"`
	ClientID   *ClientID      `db:"client_id"`
	ActorKind  ActorKind      `db:"actor_kind"`
	ActorID    *StaffID       `db:"actor_id"`
	FromStatus Status         `db:"from_status"`
	ToStatus   Status         `db:"to_status"`
	Data       map[string]any `db:"data"`
	CreatedAt  time.Time      `db:"created_at"`
}

// newEvent describes an event to append; the stream follows from what it
// is about: a referral, else a client, else an agency.
type newEvent struct {
	kind     EventKind
	referral ReferralID
	agency   AgencyID
	client   ClientID
	actor    Actor
	from, to Status
	data     map[string]any
}

func (ev newEvent) stream() string {
	switch {
	case ev.referral != 0:
		return fmt.Sprintf("referral:%d", ev.referral)
	case ev.client != 0:
		return fmt.Sprintf("client:%d", ev.client)
	default:
		return fmt.Sprintf("agency:%d", ev.agency)
	}
}

func nullID[T ~int64](id T) *T {
	if id == 0 {
		return nil
	}
	return &id
}

const sqlAppendEvent = `SELECT append_event($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)`

// queueEvent adds the event's append to a batch, so a transition's event and
// outbox rows travel to Postgres in one round trip.
func (e *Engine) queueEvent(b *pgx.Batch, ev newEvent, at time.Time) {
	b.Queue(sqlAppendEvent, e.eventArgs(ev, at)...)
}

// eventArgs are the parameters of sqlAppendEvent and sqlFirstEvent, in
// their order: the event's fields, then the padded audit key.
func (e *Engine) eventArgs(ev newEvent, at time.Time) []any {
	data := ev.data
	if data == nil {
		data = map[string]any{}
	}
	return []any{ev.stream(), ev.kind, nullID(ev.referral), nullID(ev.agency), nullID(ev.client),
		ev.actor.kindOrSystem(), ev.actor.eventActorID(), string(ev.from), string(ev.to), data, at, e.auditKey().ipad, e.auditKey().opad}
}

// sqlFirstEvent starts a stream that cannot exist yet — a referral's or a
// client's, in the transaction that inserts the row — with its first event,
// chained and keyed exactly as append_event would, without append_event's
// lock and look-up of the stream's head. Should the stream have an event
// after all, the unique (stream, stream_seq) index refuses the insert and
// the transaction, so the chain cannot fork.
const sqlFirstEvent = `
INSERT INTO events (stream, stream_seq, kind, referral_id, agency_id, client_id,
        actor_kind, actor_id, from_status, to_status, data, created_at, prev_hash, hash, keyed)
VALUES ($1, 1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, '\x',
    event_mac($12, $13, '\x', $1, 1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11), true)`

// queueFirstEvent adds the first event of a stream created in the same
// transaction to a batch (see sqlFirstEvent).
func (e *Engine) queueFirstEvent(b *pgx.Batch, ev newEvent, at time.Time) {
	b.Queue(sqlFirstEvent, e.eventArgs(ev, at)...)
}

// queueClientEvent adds an event on a client's stream to a batch: as the
// stream's first when the client was inserted in this transaction
// (fresh), else appended after the stream's head.
func (e *Engine) queueClientEvent(b *pgx.Batch, ev newEvent, fresh bool, at time.Time) {
	if fresh {
		e.queueFirstEvent(b, ev, at)
		return
	}
	e.queueEvent(b, ev, at)
}

func (a Actor) kindOrSystem() ActorKind {
	if a.Kind == "" {
		return ActorSystem
	}
	return a.Kind
}

// appendEvent writes one event now, outside any batch.
func (e *Engine) appendEvent(ctx context.Context, db DB, ev newEvent) error {
	_, err := db.Exec(ctx, sqlAppendEvent, e.eventArgs(ev, e.clock.Now())...)
	if err != nil {
		return fmt.Errorf("append %s event: %w", ev.kind, err)
	}
	return nil
}

const sqlReferralEvents = `
SELECT id, stream, stream_seq, kind, referral_id, agency_id, client_id, actor_kind, actor_id,
       from_status, to_status, data, created_at
FROM events WHERE referral_id = $1 ORDER BY id`

// ReferralEvents returns a referral's audit trail, oldest first.
func (e *Engine) ReferralEvents(ctx context.Context, id ReferralID) ([]Event, error) {
	rows, _ := e.pool.Query(ctx, sqlReferralEvents, id)
	evs, err := pgx.CollectRows(rows, pgx.RowToStructByName[Event])
	if err != nil {
		return nil, fmt.Errorf("events of referral %d: %w", id, err)
	}
	return evs, nil
}

// ChainBreak is a place the audit log does not hold: an event whose hash
// is wrong, a missing event, a chain shorter than a checkpoint saw, or a
// checkpoint that is not what was signed. Stream names the chain.
type ChainBreak struct {
	EventID EventID
	Stream  string
	Seq     int
	Problem string
}

func (b ChainBreak) Error() string {
	if b.EventID == 0 {
		return fmt.Sprintf("audit log broken in chain %s: %s", b.Stream, b.Problem)
	}
	return fmt.Sprintf("audit log broken in chain %s at event %d (#%d): %s", b.Stream, b.EventID, b.Seq, b.Problem)
}

// VerifyResult says how much of the log was checked and where, if anywhere,
// it is broken. Break is the first problem; Problems lists every one found
// (the first broken link of the chains, then what the checkpoints show).
type VerifyResult struct {
	Events      int
	Streams     int
	Checkpoints int
	Break       *ChainBreak
	Problems    []ChainBreak
}

const sqlVerifyEvents = `
SELECT e.id, e.stream, e.stream_seq, e.prev_hash, e.hash,
       e.keyed AND e.id >= (SELECT keyed_from FROM audit_log_start) OR NOT e.keyed AND u.id IS NOT NULL,
       CASE WHEN e.keyed THEN event_mac($1, $2, e.prev_hash, e.stream, e.stream_seq, e.kind, e.referral_id, e.agency_id, e.client_id,
                  e.actor_kind, e.actor_id, e.from_status, e.to_status, e.data, e.created_at)
            ELSE event_hash(e.prev_hash, e.stream, e.stream_seq, e.kind, e.referral_id, e.agency_id, e.client_id,
                  e.actor_kind, e.actor_id, e.from_status, e.to_status, e.data, e.created_at) END AS recomputed
FROM events e LEFT JOIN audit_unkeyed_events u ON u.id = e.id
ORDER BY e.stream, e.stream_seq`

// VerifyAuditLog recomputes every event's keyed hash from its contents and
// its predecessor's hash, and checks the chains against every signed
// checkpoint (those the worker stored and any given WithCheckpoint). It
// names the chain of each problem: an edited event, a missing one, one out
// of sequence, a deleted tail, a deleted chain, a rewritten and rehashed
// chain, or an altered checkpoint.
func VerifyAuditLog(ctx context.Context, db DB, opts ...VerifyOption) (VerifyResult, error) {
	var o verifyOpts
	for _, f := range opts {
		f(&o)
	}
	key := o.key.orUnset()
	var res VerifyResult
	seen, probs, n, err := checkpointHeads(ctx, db, key)
	if err != nil {
		return res, err
	}
	res.Checkpoints = n
	sources := []map[string]seenHead{seen}
	for _, cp := range o.files {
		if !cp.Signed(key) {
			probs = append(probs, ChainBreak{Stream: "checkpoint file", Problem: "its signature does not match: it was altered, or signed with another key"})
			continue
		}
		m := map[string]seenHead{}
		for _, h := range cp.Heads {
			m[h.Stream] = seenHead{AuditHead: h, by: "the checkpoint file of " + cp.TakenAt.Format(time.RFC3339)}
		}
		sources = append(sources, m)
	}
	want := map[headAt]bool{}
	tracked := map[string]bool{}
	for _, src := range sources {
		for _, h := range src {
			want[headAt{h.Stream, h.Length}] = true
			tracked[h.Stream] = true
		}
	}
	lengths := map[string]int{}
	hashAt := map[headAt][]byte{}

	rows, err := db.Query(ctx, sqlVerifyEvents, key.ipad, key.opad)
	if err != nil {
		return res, fmt.Errorf("read audit log: %w", err)
	}
	defer rows.Close()
	var (
		lastStream string
		lastHash   []byte
		lastSeq    int
		broken     bool
	)
	for rows.Next() {
		var (
			id                     EventID
			stream                 string
			seq                    int
			prev, hash, recomputed []byte
			schemeOK               bool
		)
		if err := rows.Scan(&id, &stream, &seq, &prev, &hash, &schemeOK, &recomputed); err != nil {
			return res, fmt.Errorf("read audit log: %w", err)
		}
		if stream != lastStream {
			res.Streams++
			lastStream, lastHash, lastSeq, broken = stream, []byte{}, 0, false
		}
		res.Events++
		if tracked[stream] {
			lengths[stream] = seq
		}
		if want[headAt{stream, seq}] {
			hashAt[headAt{stream, seq}] = hash
		}
		if broken {
			continue
		}
		brk := func(problem string) {
			probs = append(probs, ChainBreak{EventID: id, Stream: stream, Seq: seq, Problem: problem})
			broken = true
		}
		switch {
		case seq != lastSeq+1:
			brk(fmt.Sprintf("expected event #%d of the chain, found #%d: an event is missing", lastSeq+1, seq))
		case !bytes.Equal(prev, lastHash):
			brk("its previous-hash does not match the event before it")
		case !schemeOK:
			brk("its hash is not keyed with the audit key: the event was written or rewritten outside Onward")
		case !bytes.Equal(hash, recomputed):
			brk("its contents do not match its hash: the event was altered, or the audit key is not the one it was written with")
		}
		lastHash, lastSeq = hash, seq
	}
	if err := rows.Err(); err != nil {
		return res, fmt.Errorf("read audit log: %w", err)
	}
	for _, src := range sources {
		probs = append(probs, checkHeads(lengths, hashAt, src)...)
	}
	res.Problems = probs
	if len(probs) > 0 {
		res.Break = &probs[0]
	}
	return res, nil
}

// eventData builds event data from key/value pairs, skipping empty values.
func eventData(kv ...any) map[string]any {
	m := map[string]any{}
	for i := 0; i+1 < len(kv); i += 2 {
		k, _ := kv[i].(string)
		switch v := kv[i+1].(type) {
		case string:
			if v != "" {
				m[k] = v
			}
		case nil:
		default:
			m[k] = v
		}
	}
	return m
}
