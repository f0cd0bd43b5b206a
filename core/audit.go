package core

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"strconv"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
)

// AuditKey keys the audit log's hash chains and signs its checkpoints
// (ONWARD_AUDIT_KEY). It is kept out of the database: someone who can
// write to the database but does not hold it cannot rewrite an event and
// recompute the chain, nor forge a checkpoint.
type AuditKey struct {
	ipad, opad []byte // HMAC-SHA256's padded keys, passed to event_mac in SQL
	sign       []byte // signs checkpoints, derived so the two uses never share a key
}

// unsetAuditKey is what an engine uses when no audit key was given: the
// tests and `onward dev`. A production server refuses to start without
// ONWARD_AUDIT_KEY (config.Validate), so this key never guards real data.
var unsetAuditKey = NewAuditKey([]byte("onward: no audit key was configured"))

// NewAuditKey derives the chain and checkpoint keys from raw key bytes.
func NewAuditKey(key []byte) AuditKey {
	k := key
	if len(k) > sha256.BlockSize {
		s := sha256.Sum256(k)
		k = s[:]
	}
	ak := AuditKey{ipad: make([]byte, sha256.BlockSize), opad: make([]byte, sha256.BlockSize)}
	for i := range sha256.BlockSize {
		var b byte
		if i < len(k) {
			b = k[i]
		}
		ak.ipad[i] = b ^ 0x36
		ak.opad[i] = b ^ 0x5c
	}
	m := hmac.New(sha256.New, key)
	m.Write([]byte("onward audit checkpoint v1"))
	ak.sign = m.Sum(nil)
	return ak
}

func (k AuditKey) orUnset() AuditKey {
	if k.ipad == nil {
		return unsetAuditKey
	}
	return k
}

// UseAuditKey sets the key the engine's events are chained with. Call it
// once, while wiring, before the engine writes anything.
func (e *Engine) UseAuditKey(k AuditKey) { e.audit = k }

func (e *Engine) auditKey() AuditKey { return e.audit.orUnset() }

// AuditHead is one chain's newest known event: its stream, how many events
// it had and the last one's hash.
type AuditHead struct {
	Stream string `json:"stream"`
	Length int    `json:"length"`
	Head   []byte `json:"head"`
}

// Checkpoint is a signed record of the audit log's chains at one moment.
// Checkpoints in the database hold only the chains that grew since the one
// before; one written to a file (`onward audit checkpoint --out`) holds
// every chain, so it can be checked on its own.
type Checkpoint struct {
	ID          int64       `json:"id"`
	TakenAt     time.Time   `json:"taken_at"`
	LastEventID int64       `json:"last_event_id"`
	PrevMAC     []byte      `json:"prev_mac"`
	Heads       []AuditHead `json:"heads"`
	MAC         []byte      `json:"mac"`
}

// mac signs everything the checkpoint says, heads sorted by stream.
func (c Checkpoint) mac(k AuditKey) []byte {
	m := hmac.New(sha256.New, k.sign)
	fmt.Fprintf(m, "onward-checkpoint-v1\n%d\n%s\n%d\n%x\n", c.ID, c.TakenAt.UTC().Format(time.RFC3339Nano), c.LastEventID, c.PrevMAC)
	heads := append([]AuditHead(nil), c.Heads...)
	sort.Slice(heads, func(i, j int) bool { return heads[i].Stream < heads[j].Stream })
	for _, h := range heads {
		fmt.Fprintf(m, "%s\x1f%d\x1f%x\n", h.Stream, h.Length, h.Head)
	}
	return m.Sum(nil)
}

// Signed reports whether the checkpoint's signature is right for key.
func (c Checkpoint) Signed(k AuditKey) bool { return hmac.Equal(c.MAC, c.mac(k.orUnset())) }

const sqlAuditHeadsSince = `SELECT stream, length, head, last_id FROM audit_heads_since($1)`

// auditHeads reads the head of every chain with an event after id after,
// holding appends back until tx ends so the newest id is exact.
func auditHeads(ctx context.Context, tx pgx.Tx, after int64) ([]AuditHead, int64, error) {
	rows, err := tx.Query(ctx, sqlAuditHeadsSince, after)
	if err != nil {
		return nil, 0, fmt.Errorf("read chain heads: %w", err)
	}
	defer rows.Close()
	var heads []AuditHead
	last := after
	for rows.Next() {
		var h AuditHead
		if err := rows.Scan(&h.Stream, &h.Length, &h.Head, &last); err != nil {
			return nil, 0, fmt.Errorf("read chain heads: %w", err)
		}
		heads = append(heads, h)
	}
	if err := rows.Err(); err != nil {
		return nil, 0, fmt.Errorf("read chain heads: %w", err)
	}
	return heads, last, nil
}

const (
	sqlLastCheckpoint = `SELECT id, last_event_id, mac FROM audit_checkpoints ORDER BY id DESC LIMIT 1`
	sqlInsCheckpoint  = `INSERT INTO audit_checkpoints (id, taken_at, last_event_id, prev_mac, mac) VALUES ($1, $2, $3, $4, $5)`
)

// WriteCheckpoint records, signed, the head and length of every chain
// that grew since the last checkpoint. It returns the checkpoint, or
// ok=false when nothing was appended since. Several workers may call it:
// the checkpoint ids are unique, so at most one of them writes each.
func WriteCheckpoint(ctx context.Context, pool *pgxpool.Pool, key AuditKey, now time.Time) (cp Checkpoint, ok bool, err error) {
	key = key.orUnset()
	err = pgx.BeginFunc(ctx, pool, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, "SELECT pg_advisory_xact_lock(hashtextextended('onward.audit-checkpoint', 0))"); err != nil {
			return err
		}
		var prevID, prevLast int64
		var prevMAC []byte
		err := tx.QueryRow(ctx, sqlLastCheckpoint).Scan(&prevID, &prevLast, &prevMAC)
		if err != nil && !errors.Is(err, pgx.ErrNoRows) {
			return err
		}
		heads, last, err := auditHeads(ctx, tx, prevLast)
		if err != nil || len(heads) == 0 {
			return err
		}
		cp = Checkpoint{ID: prevID + 1, TakenAt: now.UTC().Truncate(time.Microsecond), LastEventID: last,
			PrevMAC: append([]byte{}, prevMAC...), Heads: heads}
		cp.MAC = cp.mac(key)
		if _, err := tx.Exec(ctx, sqlInsCheckpoint, cp.ID, cp.TakenAt, cp.LastEventID, cp.PrevMAC, cp.MAC); err != nil {
			return err
		}
		rows := make([][]any, len(heads))
		for i, h := range heads {
			rows[i] = []any{cp.ID, h.Stream, h.Length, h.Head}
		}
		_, err = tx.CopyFrom(ctx, pgx.Identifier{"audit_checkpoint_heads"}, []string{"checkpoint_id", "stream", "length", "head"}, pgx.CopyFromRows(rows))
		ok = err == nil
		return err
	})
	if err != nil {
		return Checkpoint{}, false, fmt.Errorf("write audit checkpoint: %w", err)
	}
	return cp, ok, nil
}

// FullCheckpoint signs the head of every chain as of now, for keeping off
// the machine (`onward audit checkpoint --out FILE`). It is not stored.
func FullCheckpoint(ctx context.Context, pool *pgxpool.Pool, key AuditKey, now time.Time) (Checkpoint, error) {
	var cp Checkpoint
	err := pgx.BeginFunc(ctx, pool, func(tx pgx.Tx) error {
		heads, last, err := auditHeads(ctx, tx, 0)
		cp = Checkpoint{TakenAt: now.UTC().Truncate(time.Microsecond), LastEventID: last, PrevMAC: []byte{}, Heads: heads}
		return err
	})
	if err != nil {
		return Checkpoint{}, fmt.Errorf("full audit checkpoint: %w", err)
	}
	if cp.Heads == nil {
		cp.Heads = []AuditHead{}
	}
	cp.MAC = cp.mac(key.orUnset())
	return cp, nil
}

// ReadCheckpointFile parses a checkpoint written by
// `onward audit checkpoint --out`.
func ReadCheckpointFile(b []byte) (Checkpoint, error) {
	var cp Checkpoint
	if err := json.Unmarshal(b, &cp); err != nil {
		return cp, fmt.Errorf("read checkpoint file: %w", err)
	}
	if cp.MAC == nil {
		return cp, errors.New("read checkpoint file: it has no signature")
	}
	return cp, nil
}

const sqlCheckpoints = `
SELECT c.id, c.taken_at, c.last_event_id, c.prev_mac, c.mac, h.stream, h.length, h.head
FROM audit_checkpoints c LEFT JOIN audit_checkpoint_heads h ON h.checkpoint_id = c.id
ORDER BY c.id, h.stream`

// checkpointHeads checks every stored checkpoint's signature and its link
// to the one before, and folds them into each chain's newest known head.
// The problems it finds are named; heads maps stream to head and the
// checkpoint that saw it.
func checkpointHeads(ctx context.Context, db DB, key AuditKey) (map[string]seenHead, []ChainBreak, int, error) {
	cps, err := readCheckpoints(ctx, db, sqlCheckpoints)
	if err != nil {
		return nil, nil, 0, err
	}
	heads := map[string]seenHead{}
	var probs []ChainBreak
	var prevMAC []byte = []byte{}
	for i, c := range cps {
		name := "checkpoint " + strconv.FormatInt(c.ID, 10)
		switch {
		case c.ID != int64(i+1):
			probs = append(probs, ChainBreak{Stream: name, Problem: fmt.Sprintf("checkpoint %d is missing", i+1)})
		case !bytes.Equal(c.PrevMAC, prevMAC):
			probs = append(probs, ChainBreak{Stream: name, Problem: "it does not follow the checkpoint before it"})
		}
		if !c.Signed(key) {
			probs = append(probs, ChainBreak{Stream: name, Problem: "its signature does not match: it was altered or forged"})
			prevMAC = c.MAC
			continue
		}
		prevMAC = c.MAC
		for _, h := range c.Heads {
			heads[h.Stream] = seenHead{AuditHead: h, by: name}
		}
	}
	return heads, probs, len(cps), nil
}

// readCheckpoints reads the checkpoints query selects (sqlCheckpoints'
// columns, a checkpoint's rows together), each with its heads.
func readCheckpoints(ctx context.Context, db DB, query string) ([]*Checkpoint, error) {
	rows, err := db.Query(ctx, query)
	if err != nil {
		return nil, fmt.Errorf("read audit checkpoints: %w", err)
	}
	defer rows.Close()
	var cps []*Checkpoint
	for rows.Next() {
		var c Checkpoint
		var stream *string
		var length *int
		var head []byte
		if err := rows.Scan(&c.ID, &c.TakenAt, &c.LastEventID, &c.PrevMAC, &c.MAC, &stream, &length, &head); err != nil {
			return nil, fmt.Errorf("read audit checkpoints: %w", err)
		}
		if len(cps) == 0 || cps[len(cps)-1].ID != c.ID {
			cps = append(cps, &c)
		}
		if stream != nil {
			cur := cps[len(cps)-1]
			cur.Heads = append(cur.Heads, AuditHead{Stream: *stream, Length: *length, Head: head})
		}
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("read audit checkpoints: %w", err)
	}
	return cps, nil
}

type seenHead struct {
	AuditHead
	by string // which checkpoint saw it
}

// VerifyOption adds to what VerifyAuditLog checks.
type VerifyOption func(*verifyOpts)

type verifyOpts struct {
	key   AuditKey
	files []Checkpoint
}

// WithAuditKey verifies with the deployment's ONWARD_AUDIT_KEY (without it,
// the key engines use when none is configured: tests and dev).
func WithAuditKey(k AuditKey) VerifyOption { return func(o *verifyOpts) { o.key = k } }

// WithCheckpoint also checks the log against a checkpoint kept elsewhere.
func WithCheckpoint(cp Checkpoint) VerifyOption {
	return func(o *verifyOpts) { o.files = append(o.files, cp) }
}

// checkHeads compares each chain as it is now (its length, and its hash
// at each length a checkpoint saw) with the heads checkpoints saw: a chain
// shorter than a checkpoint saw, gone, or different at that point is a
// problem named by its chain.
func checkHeads(lengths map[string]int, hashAt map[headAt][]byte, seen map[string]seenHead) []ChainBreak {
	var probs []ChainBreak
	streams := make([]string, 0, len(seen))
	for s := range seen {
		streams = append(streams, s)
	}
	sort.Strings(streams)
	for _, s := range streams {
		h := seen[s]
		n, ok := lengths[s]
		switch {
		case !ok:
			probs = append(probs, ChainBreak{Stream: s, Seq: h.Length, Problem: fmt.Sprintf("the whole chain is gone; %s saw %d events", h.by, h.Length)})
		case n < h.Length:
			probs = append(probs, ChainBreak{Stream: s, Seq: h.Length, Problem: fmt.Sprintf("the chain ends at #%d but %s saw %d events: its tail was deleted", n, h.by, h.Length)})
		case !bytes.Equal(hashAt[headAt{s, h.Length}], h.Head):
			probs = append(probs, ChainBreak{Stream: s, Seq: h.Length, Problem: fmt.Sprintf("event #%d is not the one %s saw: the chain was rewritten", h.Length, h.by)})
		}
	}
	return probs
}

// headAt names one event of one chain.
type headAt struct {
	stream string
	seq    int
}
