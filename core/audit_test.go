package core_test

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"fmt"
	"strings"
	"testing"

	"github.com/onward-network/onward/core"
	"github.com/onward-network/onward/core/coretest"
)

// TestAuditChainIsHMACWithTheAuditKey pins the SQL that chains events to
// Go's crypto/hmac: HMAC-SHA256(key, previous hash || canonical bytes).
func TestAuditChainIsHMACWithTheAuditKey(t *testing.T) {
	t.Parallel()
	env := coretest.NewEnv(t)
	ctx := context.Background()
	raw := []byte("a fictional network's audit key!")
	env.Engine.UseAuditKey(core.NewAuditKey(raw))
	r := referralIn(t, env, core.StatusAccepted, "audit-hmac")

	var prev, hash, canon []byte
	var keyed bool
	err := env.Pool.QueryRow(ctx, `
SELECT prev_hash, hash, keyed, convert_to(concat_ws(E'\x1f', stream, stream_seq::text, kind,
        coalesce(referral_id::text, ''), coalesce(agency_id::text, ''), coalesce(client_id::text, ''),
        actor_kind, coalesce(actor_id::text, ''), from_status, to_status, data::text,
        to_char(created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')), 'UTF8')
FROM events WHERE referral_id = $1 ORDER BY stream_seq DESC LIMIT 1`, r.ID).Scan(&prev, &hash, &keyed, &canon)
	if err != nil {
		t.Fatal(err)
	}
	m := hmac.New(sha256.New, raw)
	m.Write(prev)
	m.Write(canon)
	if !keyed || !hmac.Equal(hash, m.Sum(nil)) {
		t.Fatalf("event hash %x (keyed %v) is not HMAC-SHA256 with the audit key (%x)", hash, keyed, m.Sum(nil))
	}
	// Verifying with another key fails, naming the referral's chain.
	res, err := core.VerifyAuditLog(ctx, env.Pool, core.WithAuditKey(core.NewAuditKey([]byte("some other key"))))
	if err != nil || res.Break == nil {
		t.Fatalf("verify with the wrong key = %+v, %v; want broken", res, err)
	}
}

// TestAuditVerifyCatchesTampering tampers with the database directly, as
// someone who owns it could, and expects verify to name the chain.
func TestAuditVerifyCatchesTampering(t *testing.T) {
	t.Parallel()
	type setup struct {
		env    *coretest.Env
		stream string // the completed referral's chain
		other  string // the rejected referral's chain
	}
	cases := []struct {
		name   string
		tamper func(t *testing.T, s setup)
		chain  func(s setup) string
		want   string
	}{
		{"tail deleted", func(t *testing.T, s setup) {
			mustExec(t, s.env, `DELETE FROM events WHERE stream = $1 AND stream_seq > (SELECT max(stream_seq) - 2 FROM events WHERE stream = $1)`, s.stream)
		}, func(s setup) string { return s.stream }, "tail was deleted"},
		{"chain deleted", func(t *testing.T, s setup) {
			mustExec(t, s.env, `DELETE FROM events WHERE stream = $1`, s.stream)
		}, func(s setup) string { return s.stream }, "whole chain is gone"},
		{"event rewritten and rehashed", func(t *testing.T, s setup) {
			mustExec(t, s.env, `UPDATE events SET data = data || '{"reason": "duplicate"}' WHERE stream = $1 AND stream_seq = 2`, s.stream)
			rehash(t, s.env, s.stream)
		}, func(s setup) string { return s.stream }, "do not match its hash"},
		{"event rewritten and rehashed without a key", func(t *testing.T, s setup) {
			mustExec(t, s.env, `UPDATE events SET data = data || '{"reason": "duplicate"}' WHERE stream = $1 AND stream_seq = 2`, s.stream)
			mustExec(t, s.env, `UPDATE events SET keyed = false WHERE stream = $1`, s.stream)
			rehash(t, s.env, s.stream)
		}, func(s setup) string { return s.stream }, "not keyed with the audit key"},
		{"unkeyed event appended with an id of its own", func(t *testing.T, s setup) {
			// Only INSERT is needed: no trigger to switch off, no key.
			mustExec(t, s.env, "ALTER TABLE events ENABLE TRIGGER events_no_update")
			mustExec(t, s.env, `
INSERT INTO events (id, stream, stream_seq, kind, referral_id, actor_kind, actor_id, data, created_at, prev_hash, hash, keyed)
OVERRIDING SYSTEM VALUE
SELECT -1, h.stream, h.stream_seq + 1, 'referral.details-disclosed', h.referral_id, 'staff', 7, '{"via": "web"}', h.created_at, h.hash,
       event_hash(h.hash, h.stream, h.stream_seq + 1, 'referral.details-disclosed', h.referral_id, NULL, NULL, 'staff', 7, '', '',
                  '{"via": "web"}', h.created_at), false
FROM (SELECT * FROM events WHERE stream = $1 ORDER BY stream_seq DESC LIMIT 1) h`, s.stream)
		}, func(s setup) string { return s.stream }, "not keyed with the audit key"},
		{"checkpoint altered", func(t *testing.T, s setup) {
			mustExec(t, s.env, "ALTER TABLE audit_checkpoint_heads DISABLE TRIGGER audit_checkpoint_heads_no_update")
			mustExec(t, s.env, `DELETE FROM audit_checkpoint_heads WHERE stream = $1`, s.other)
		}, func(s setup) string { return "checkpoint 1" }, "signature does not match"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			env := coretest.NewEnv(t)
			ctx := context.Background()
			r1 := referralIn(t, env, core.StatusCompleted, "audit-t1")
			r2 := referralIn(t, env, core.StatusRejected, "audit-t2")
			if _, ok, err := core.WriteCheckpoint(ctx, env.Pool, core.AuditKey{}, env.Clock.Now()); err != nil || !ok {
				t.Fatalf("write checkpoint: %v, %v", ok, err)
			}
			res, err := core.VerifyAuditLog(ctx, env.Pool)
			if err != nil || res.Break != nil || res.Checkpoints != 1 {
				t.Fatalf("untouched log = %+v, %v", res, err)
			}
			s := setup{env: env, stream: fmt.Sprintf("referral:%d", r1.ID), other: fmt.Sprintf("referral:%d", r2.ID)}
			mustExec(t, env, "ALTER TABLE events DISABLE TRIGGER events_no_update")
			c.tamper(t, s)
			res, err = core.VerifyAuditLog(ctx, env.Pool)
			if err != nil {
				t.Fatal(err)
			}
			if !hasProblem(res, c.chain(s), c.want) {
				t.Fatalf("verify after %s = %+v; want a problem in %s saying %q", c.name, res.Problems, c.chain(s), c.want)
			}
			for _, p := range res.Problems {
				if p.Stream == s.other && c.chain(s) != "checkpoint 1" {
					t.Errorf("the untouched chain %s is reported: %v", s.other, p)
				}
			}
		})
	}
}

// TestAuditCheckpointFileOutlivesTheDatabase: someone who deletes the
// stored checkpoints and a chain's tail is still caught by a checkpoint
// kept elsewhere.
func TestAuditCheckpointFileOutlivesTheDatabase(t *testing.T) {
	t.Parallel()
	env := coretest.NewEnv(t)
	ctx := context.Background()
	r := referralIn(t, env, core.StatusCompleted, "audit-file")
	if _, _, err := core.WriteCheckpoint(ctx, env.Pool, core.AuditKey{}, env.Clock.Now()); err != nil {
		t.Fatal(err)
	}
	file, err := core.FullCheckpoint(ctx, env.Pool, core.AuditKey{}, env.Clock.Now())
	if err != nil || len(file.Heads) < 2 {
		t.Fatalf("full checkpoint %+v, %v", file, err)
	}
	// A second checkpoint has nothing new to say.
	if _, ok, err := core.WriteCheckpoint(ctx, env.Pool, core.AuditKey{}, env.Clock.Now()); err != nil || ok {
		t.Fatalf("checkpoint with nothing new: wrote %v, %v", ok, err)
	}
	for _, stmt := range []string{
		"ALTER TABLE events DISABLE TRIGGER events_no_update",
		"ALTER TABLE audit_checkpoints DISABLE TRIGGER audit_checkpoints_no_update",
		"ALTER TABLE audit_checkpoint_heads DISABLE TRIGGER audit_checkpoint_heads_no_update",
		"DELETE FROM audit_checkpoint_heads", "DELETE FROM audit_checkpoints",
	} {
		mustExec(t, env, stmt)
	}
	stream := fmt.Sprintf("referral:%d", r.ID)
	mustExec(t, env, `DELETE FROM events WHERE stream = $1 AND stream_seq = (SELECT max(stream_seq) FROM events WHERE stream = $1)`, stream)
	res, err := core.VerifyAuditLog(ctx, env.Pool)
	if err != nil || res.Break != nil {
		t.Fatalf("without the file the cut tail cannot be seen, got %+v, %v", res.Problems, err)
	}
	res, err = core.VerifyAuditLog(ctx, env.Pool, core.WithCheckpoint(file))
	if err != nil || !hasProblem(res, stream, "tail was deleted") {
		t.Fatalf("with the file = %+v, %v; want %s's tail reported", res.Problems, err, stream)
	}
	file.Heads[0].Length++
	res, _ = core.VerifyAuditLog(ctx, env.Pool, core.WithCheckpoint(file))
	if !hasProblem(res, "checkpoint file", "signature does not match") {
		t.Fatalf("an edited checkpoint file = %+v; want its signature refused", res.Problems)
	}
}

// rehash recomputes a chain's links the way someone without the audit key
// can: plain SHA-256, as before keyed hashing.
func rehash(t *testing.T, env *coretest.Env, stream string) {
	t.Helper()
	mustExec(t, env, `
DO $$
DECLARE e record; prev bytea := '\x'::bytea; h bytea;
BEGIN
  FOR e IN SELECT * FROM events WHERE stream = '`+stream+`' ORDER BY stream_seq LOOP
    h := event_hash(prev, e.stream, e.stream_seq, e.kind, e.referral_id, e.agency_id, e.client_id,
                    e.actor_kind, e.actor_id, e.from_status, e.to_status, e.data, e.created_at);
    UPDATE events SET prev_hash = prev, hash = h WHERE id = e.id;
    prev := h;
  END LOOP;
END $$`)
}

func hasProblem(res core.VerifyResult, chain, says string) bool {
	for _, p := range res.Problems {
		if p.Stream == chain && strings.Contains(p.Problem, says) {
			return true
		}
	}
	return false
}
