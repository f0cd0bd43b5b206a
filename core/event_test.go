package core_test

import (
	"context"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"

	"github.com/onward-network/onward/core"
	"github.com/onward-network/onward/core/coretest"
)

func TestAuditLogIsAppendOnlyAndVerifies(t *testing.T) {
	t.Parallel()
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
	t.Parallel()
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

// A client's consent events chain on the client's own stream. A client
// inserted by the referral starts that stream without append_event's lock
// and look-up of its head (there is none yet); a returning client's next
// consent is appended after the head. Either way the chain verifies.
func TestAClientsStreamStartsWithTheirFirstConsent(t *testing.T) {
	t.Parallel()
	env, trips := tracedEnv(t)
	ctx := context.Background()
	appends := func(what string, want int, fn func() core.Referral) core.Referral {
		t.Helper()
		var r core.Referral
		trips.count(t, func() { r = fn() })
		n := 0
		for _, s := range trips.stmts {
			if strings.Contains(s, "append_event") {
				n++
			}
		}
		if n != want {
			t.Errorf("%s: %d statements called append_event, want %d", what, n, want)
		}
		return r
	}
	selfRefer := func(key string) func() core.Referral {
		return func() core.Referral {
			in := coretest.SelfReferral(key)
			in.Client.Phone = "+447900900977"
			res, err := env.Engine.SelfRefer(ctx, in)
			if err != nil {
				t.Fatal(err)
			}
			return res.Referral
		}
	}
	first := appends("a new client's self-referral", 0, selfRefer("stream-1"))
	again := appends("a returning client's self-referral", 1, selfRefer("stream-2"))
	staff := appends("a new client referred by staff", 0, func() core.Referral {
		r, err := env.Engine.StaffRefer(ctx, core.StaffReferral{IdempotencyKey: "stream-staff", By: env.Net.WelfareAdviser.Actor(),
			Client: core.ClientDetails{Name: "Eilidh Munro", Phone: "07700 900458", Postcode: "KY2 5XY"},
			Needs:  []core.Need{core.NeedDebt}, ToAgency: env.Net.CAB, ConsentConfirmed: true, WordingVersion: "v1"})
		if err != nil {
			t.Fatal(err)
		}
		return r
	})
	if first.ClientID != again.ClientID || staff.ClientID == first.ClientID {
		t.Fatalf("clients %d, %d, %d: want the two self-referrals to share one and the staff referral its own", first.ClientID, again.ClientID, staff.ClientID)
	}

	chain := func(client core.ClientID) []string {
		rows, _ := env.Pool.Query(ctx, `SELECT stream_seq::text || ':' || kind || ':' || (prev_hash = coalesce(lag(hash) OVER w, '\x'))::text
			FROM events WHERE stream = 'client:' || $1::bigint WINDOW w AS (ORDER BY stream_seq) ORDER BY stream_seq`, client)
		got, err := pgx.CollectRows(rows, pgx.RowTo[string])
		if err != nil {
			t.Fatal(err)
		}
		return got
	}
	if got, want := strings.Join(chain(first.ClientID), " "), "1:consent.given:true 2:consent.given:true"; got != want {
		t.Errorf("the returning client's stream = %s, want %s", got, want)
	}
	if got, want := strings.Join(chain(staff.ClientID), " "), "1:consent.given:true"; got != want {
		t.Errorf("the staff-referred client's stream = %s, want %s", got, want)
	}
	res, err := core.VerifyAuditLog(ctx, env.Pool)
	if err != nil || res.Break != nil {
		t.Fatalf("verify = %+v, %v", res.Break, err)
	}
}
