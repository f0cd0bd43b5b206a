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
	EventStaffAdded       EventKind = "staff.added"
	EventServiceChanged   EventKind = "directory.service-changed"
	EventAgencyChanged    EventKind = "agency.details-changed"
	EventOutcomeRecorded  EventKind = "referral.outcome-recorded"
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

const sqlAppendEvent = `SELECT append_event($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)`

// queueEvent adds the event's append to a batch, so a transition's event and
// outbox rows travel to Postgres in one round trip.
func (e *Engine) queueEvent(b *pgx.Batch, ev newEvent, at time.Time) {
	data := ev.data
	if data == nil {
		data = map[string]any{}
	}
	b.Queue(sqlAppendEvent, ev.stream(), ev.kind, nullID(ev.referral), nullID(ev.agency), nullID(ev.client),
		ev.actor.kindOrSystem(), ev.actor.eventActorID(), string(ev.from), string(ev.to), data, at)
}

func (a Actor) kindOrSystem() ActorKind {
	if a.Kind == "" {
		return ActorSystem
	}
	return a.Kind
}

// appendEvent writes one event now, outside any batch.
func (e *Engine) appendEvent(ctx context.Context, db DB, ev newEvent) error {
	data := ev.data
	if data == nil {
		data = map[string]any{}
	}
	_, err := db.Exec(ctx, sqlAppendEvent, ev.stream(), ev.kind, nullID(ev.referral), nullID(ev.agency), nullID(ev.client),
		ev.actor.kindOrSystem(), ev.actor.eventActorID(), string(ev.from), string(ev.to), data, e.clock.Now())
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

// ChainBreak is the first place the audit log's hash chain does not hold.
type ChainBreak struct {
	EventID EventID
	Stream  string
	Seq     int
	Problem string
}

func (b ChainBreak) Error() string {
	return fmt.Sprintf("audit log broken at event %d (%s #%d): %s", b.EventID, b.Stream, b.Seq, b.Problem)
}

// VerifyResult says how much of the log was checked and where, if anywhere,
// it is broken.
type VerifyResult struct {
	Events  int
	Streams int
	Break   *ChainBreak
}

const sqlVerifyEvents = `
SELECT id, stream, stream_seq, prev_hash, hash,
       event_hash(prev_hash, stream, stream_seq, kind, referral_id, agency_id, client_id,
                  actor_kind, actor_id, from_status, to_status, data, created_at) AS recomputed
FROM events ORDER BY stream, stream_seq`

// VerifyAuditLog recomputes every event's hash from its contents and its
// predecessor's hash and reports the first broken link: an edited event, a
// missing one, or one out of sequence.
func VerifyAuditLog(ctx context.Context, db DB) (VerifyResult, error) {
	rows, err := db.Query(ctx, sqlVerifyEvents)
	if err != nil {
		return VerifyResult{}, fmt.Errorf("read audit log: %w", err)
	}
	defer rows.Close()
	var (
		res        VerifyResult
		lastStream string
		lastHash   []byte
		lastSeq    int
	)
	for rows.Next() {
		var (
			id                     EventID
			stream                 string
			seq                    int
			prev, hash, recomputed []byte
		)
		if err := rows.Scan(&id, &stream, &seq, &prev, &hash, &recomputed); err != nil {
			return res, fmt.Errorf("read audit log: %w", err)
		}
		if stream != lastStream {
			res.Streams++
			lastStream, lastHash, lastSeq = stream, []byte{}, 0
		}
		res.Events++
		brk := func(problem string) (VerifyResult, error) {
			res.Break = &ChainBreak{EventID: id, Stream: stream, Seq: seq, Problem: problem}
			return res, nil
		}
		switch {
		case seq != lastSeq+1:
			return brk(fmt.Sprintf("expected event #%d of the stream, found #%d: an event is missing", lastSeq+1, seq))
		case !bytes.Equal(prev, lastHash):
			return brk("its previous-hash does not match the event before it")
		case !bytes.Equal(hash, recomputed):
			return brk("its contents do not match its hash: the event was altered")
		}
		lastHash, lastSeq = hash, seq
	}
	if err := rows.Err(); err != nil {
		return res, fmt.Errorf("read audit log: %w", err)
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
