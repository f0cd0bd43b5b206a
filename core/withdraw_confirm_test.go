package core_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/onward-network/onward/core"
	"github.com/onward-network/onward/core/coretest"
)

// refuseWithdrawnTexts makes the outbox refuse every "we have recorded
// your withdrawal" text in the test's own database, a real failure of the
// confirmation's insert; the returned function lifts the refusal.
func refuseWithdrawnTexts(t *testing.T, env *coretest.Env) func() {
	t.Helper()
	ctx := context.Background()
	if _, err := env.Pool.Exec(ctx, `
CREATE FUNCTION test_refuse_withdrawn_text() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.payload->>'template' = 'consent_withdrawn' THEN
        RAISE EXCEPTION 'test: the outbox refuses the withdrawal text';
    END IF;
    RETURN NEW;
END $$;
CREATE TRIGGER test_refuse_withdrawn_text BEFORE INSERT ON outbox
    FOR EACH ROW EXECUTE FUNCTION test_refuse_withdrawn_text();`); err != nil {
		t.Fatal(err)
	}
	return func() {
		if _, err := env.Pool.Exec(ctx, `DROP TRIGGER test_refuse_withdrawn_text ON outbox`); err != nil {
			t.Fatal(err)
		}
	}
}

// withdrawalState is what a withdrawal writes: consents withdrawn, the
// referral's status and version, events recorded, outbox rows queued.
func withdrawalState(t *testing.T, env *coretest.Env, r core.ReferralID) string {
	t.Helper()
	var s string
	if err := env.Pool.QueryRow(context.Background(), `
SELECT format('withdrawn consents %s, referral %s v%s, events %s, outbox rows %s',
    (SELECT count(*) FROM consents WHERE withdrawn_at IS NOT NULL),
    (SELECT status FROM referrals WHERE id = $1), (SELECT version FROM referrals WHERE id = $1),
    (SELECT count(*) FROM events), (SELECT count(*) FROM outbox))`, r).Scan(&s); err != nil {
		t.Fatal(err)
	}
	return s
}

// TestWithdrawalAndItsTextCommitTogether: the withdrawal and the text
// confirming it to the client are one transaction. When the text cannot
// be queued nothing of the withdrawal is recorded either, so the client
// can simply ask again; when it can, the withdrawal queues exactly one
// confirmation, which a repeat does not duplicate.
func TestWithdrawalAndItsTextCommitTogether(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		name     string
		answers  bool // the text answers the client's own (OutboxPayload.Answers)
		withdraw func(env *coretest.Env, r core.Referral) error
	}{
		{"by text", true, func(env *coretest.Env, r core.Referral) error {
			done, err := env.Engine.WithdrawByPhone(context.Background(), "+447700900123", "SMwithdraw")
			if err == nil && !done {
				return fmt.Errorf("nothing to withdraw")
			}
			return err
		}},
		{"by staff", false, func(env *coretest.Env, r core.Referral) error {
			_, err := env.Engine.WithdrawByReference(context.Background(), r.Reference, env.Net.Adviser.Actor(), "web", "phone call 3 Dec")
			return err
		}},
	} {
		t.Run(c.name, func(t *testing.T) {
			env := coretest.NewEnv(t)
			ctx := context.Background()
			res, err := env.Engine.SelfRefer(ctx, coretest.SelfReferral("withdraw-tx"))
			if err != nil {
				t.Fatal(err)
			}
			r := res.Referral
			before := withdrawalState(t, env, r.ID)

			allow := refuseWithdrawnTexts(t, env)
			if err := c.withdraw(env, r); err == nil || !strings.Contains(err.Error(), "refuses the withdrawal text") {
				t.Fatalf("withdrawal while its text cannot be queued: %v, want the outbox's refusal", err)
			}
			if after := withdrawalState(t, env, r.ID); after != before {
				t.Fatalf("a withdrawal whose text failed left %q, want nothing written: %q", after, before)
			}

			allow()
			if err := c.withdraw(env, r); err != nil {
				t.Fatalf("withdrawal asked again: %v", err)
			}
			got, err := env.Engine.Referral(ctx, r.ID)
			if err != nil || got.Status != core.StatusCancelled {
				t.Fatalf("referral after the withdrawal: %s, %v; want cancelled", got.Status, err)
			}
			type text struct {
				Dedupe  string
				Version int
				Answers bool
			}
			texts := func() []text {
				rows, err := env.Pool.Query(ctx, `SELECT dedupe_key, (payload->>'version')::int, coalesce((payload->>'answers')::bool, false)
FROM outbox WHERE payload->>'template' = 'consent_withdrawn'`)
				if err != nil {
					t.Fatal(err)
				}
				defer rows.Close()
				var out []text
				for rows.Next() {
					var x text
					if err := rows.Scan(&x.Dedupe, &x.Version, &x.Answers); err != nil {
						t.Fatal(err)
					}
					out = append(out, x)
				}
				if err := rows.Err(); err != nil {
					t.Fatal(err)
				}
				return out
			}
			want := []text{{Dedupe: fmt.Sprintf("sms:%d:consent_withdrawn", r.ID), Version: got.Version, Answers: c.answers}}
			if have := texts(); fmt.Sprint(have) != fmt.Sprint(want) {
				t.Fatalf("withdrawal texts %+v, want exactly %+v", have, want)
			}

			// Asked once more, there is nothing left to withdraw and
			// nothing more to text.
			if err := c.withdraw(env, r); err == nil {
				t.Error("a repeat withdrawal was taken as new")
			}
			if have := texts(); fmt.Sprint(have) != fmt.Sprint(want) {
				t.Errorf("withdrawal texts after a repeat %+v, want still %+v", have, want)
			}
		})
	}
}
