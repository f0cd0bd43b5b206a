package core

import (
	"context"
	"time"

	"github.com/jackc/pgx/v5"
)

// sqlInsertOutboxRows writes every outbox row a change causes in one
// statement, one array per column. Rows already present by dedupe key are
// left alone, as with sqlInsertOutbox.
const sqlInsertOutboxRows = `
INSERT INTO outbox (kind, referral_id, payload, dedupe_key, available_at, created_at)
SELECT m.kind, m.referral_id, m.payload, m.dedupe_key, m.available_at, $6
FROM unnest($1::text[], $2::bigint[], $3::jsonb[], $4::text[], $5::timestamptz[])
    AS m(kind, referral_id, payload, dedupe_key, available_at)
ON CONFLICT (dedupe_key) DO NOTHING`

// outboxRows is the outbox rows queued on one batch, written by a single
// statement when the batch is sent: a change that writes six rows pays
// for one statement, not six.
type outboxRows struct {
	kinds     []string
	referrals []*int64
	payloads  []OutboxPayload
	dedupes   []string
	available []time.Time
	created   time.Time
}

// RewriteQuery gives pgx the statement and its arrays as they are when
// the batch is sent (pgx.QueryRewriter).
func (r *outboxRows) RewriteQuery(context.Context, *pgx.Conn, string, []any) (string, []any, error) {
	return sqlInsertOutboxRows, []any{r.kinds, r.referrals, r.payloads, r.dedupes, r.available, r.created}, nil
}

// queue adds an outbox row to the batch of the change causing it: the
// first row queues the statement, later rows join its arrays. The dedupe
// key makes a repeated cause a no-op.
func (o *Outbox) queue(b *pgx.Batch, m outboxMsg, now time.Time) {
	avail := m.available
	if avail.IsZero() {
		avail = now
	}
	rows := queuedOutboxRows(b)
	if rows == nil {
		rows = &outboxRows{created: now}
		b.Queue(sqlInsertOutboxRows, rows)
	}
	var referral *int64
	if m.referral != 0 {
		id := int64(m.referral)
		referral = &id
	}
	rows.kinds = append(rows.kinds, string(m.kind))
	rows.referrals = append(rows.referrals, referral)
	rows.payloads = append(rows.payloads, m.payload)
	rows.dedupes = append(rows.dedupes, m.dedupe)
	rows.available = append(rows.available, avail)
}

// queuedOutboxRows finds the outbox rows already queued on b, if any.
func queuedOutboxRows(b *pgx.Batch) *outboxRows {
	for _, q := range b.QueuedQueries {
		if len(q.Arguments) == 1 {
			if rows, ok := q.Arguments[0].(*outboxRows); ok {
				return rows
			}
		}
	}
	return nil
}
