package core_test

import (
	"context"
	"strings"
	"testing"

	"github.com/onward-network/onward/core"
	"github.com/onward-network/onward/core/coretest"
)

func TestAuditLogIsAppendOnlyAndVerifies(t *testing.T) {
	env := coretest.NewEnv(t)
	ctx := context.Background()
	referralIn(t, env, core.StatusCompleted, "audit-1")
	referralIn(t, env, core.StatusRejected, "audit-2")

	res, err := core.VerifyAuditLog(ctx, env.Pool)
	if err != nil || res.Break != nil {
		t.Fatalf("verify untouched log = %+v, %v", res, err)
	}
	if res.Events < 8 || res.Streams < 4 {
		t.Errorf("verified %d events in %d streams, expected more", res.Events, res.Streams)
	}
	for _, stmt := range []string{"UPDATE events SET kind = 'x'", "DELETE FROM events", "TRUNCATE events CASCADE"} {
		if _, err := env.Pool.Exec(ctx, stmt); err == nil || !strings.Contains(err.Error(), "append-only") {
			t.Errorf("%s: err = %v, want append-only refusal", stmt, err)
		}
	}

	// A superuser can switch the guard off; the chain still catches it.
	var victim int64
	env.Pool.QueryRow(ctx, "SELECT id FROM events WHERE kind = 'referral.transition' ORDER BY id LIMIT 1").Scan(&victim)
	mustExec(t, env, "ALTER TABLE events DISABLE TRIGGER events_no_update")
	mustExec(t, env, "UPDATE events SET data = data || '{\"reason\": \"duplicate\"}' WHERE id = $1", victim)
	res, err = core.VerifyAuditLog(ctx, env.Pool)
	if err != nil || res.Break == nil || int64(res.Break.EventID) != victim || !strings.Contains(res.Break.Problem, "altered") {
		t.Fatalf("verify after edit = %+v, %v; want break at event %d", res.Break, err, victim)
	}
}

func TestAuditLogCatchesMissingEvent(t *testing.T) {
	env := coretest.NewEnv(t)
	ctx := context.Background()
	referralIn(t, env, core.StatusCompleted, "audit-3")
	mustExec(t, env, "ALTER TABLE events DISABLE TRIGGER events_no_update")
	mustExec(t, env, "DELETE FROM events WHERE stream_seq = 2 AND stream LIKE 'referral:%'")
	res, err := core.VerifyAuditLog(ctx, env.Pool)
	if err != nil || res.Break == nil || !strings.Contains(res.Break.Problem, "missing") {
		t.Fatalf("verify after delete = %+v, %v; want a missing-event break", res.Break, err)
	}
}

func mustExec(t *testing.T, env *coretest.Env, sql string, args ...any) {
	t.Helper()
	if _, err := env.Pool.Exec(context.Background(), sql, args...); err != nil {
		t.Fatalf("%s: %v", sql, err)
	}
}
