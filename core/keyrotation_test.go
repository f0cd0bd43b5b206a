package core_test

import (
	"context"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"io"
	"log/slog"
	"strings"
	"testing"

	"github.com/onward-network/onward/core"
	"github.com/onward-network/onward/core/coretest"
)

var newMasterKey = []byte("fedcba9876543210fedcba9876543210")

// engineWithKeys is a second engine on env's database with other keys
// (the same lookup hash key, as the README tells operators to keep).
func engineWithKeys(t *testing.T, env *coretest.Env, current []byte, old ...[]byte) *core.Engine {
	t.Helper()
	crypt, err := core.NewCrypter(current, old, []byte("test-hash-key"))
	if err != nil {
		t.Fatal(err)
	}
	eng := core.NewEngine(env.Pool, crypt, env.Clock, env.IDs, slog.New(slog.NewTextHandler(io.Discard, nil)))
	t.Cleanup(eng.Close)
	return eng
}

func exec(t *testing.T, env *coretest.Env, sql string, args ...any) {
	t.Helper()
	if _, err := env.Pool.Exec(context.Background(), sql, args...); err != nil {
		t.Fatalf("%s: %v", sql, err)
	}
}

func seal(t *testing.T, c *core.Crypter, field, v string) []byte {
	t.Helper()
	b, err := c.Encrypt(field, v)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// Finding 11 and item 12: `onward keys rotate` re-seals every value under
// the new master key in batches, resumes where an interrupted run
// stopped, does nothing the second time, moves values from before clients
// had keys (and before values were bound to their row) into the current
// form, and afterwards nothing needs the old key. A ciphertext copied to
// another row no longer opens.
func TestRotateKeysReSealsResumesAndBindsToRows(t *testing.T) {
	t.Parallel()
	env := coretest.NewEnv(t)
	ctx := context.Background()
	old := env.Crypt

	// A client of today, with a completed referral and an outcome note.
	current := referralIn(t, env, core.StatusInProgress, "rotate-new")
	done, err := env.Engine.Act(ctx, core.TransitionRequest{Referral: current.ID, Action: core.ActionComplete,
		Actor: env.Net.Adviser.Actor(), Outcome: core.OutcomeHelpGiven, OutcomeNote: "rent arrears plan agreed"})
	if err != nil {
		t.Fatal(err)
	}
	// A client from before clients had keys: fields, notes and outcome
	// note sealed under the master key by field name only.
	in := coretest.SelfReferral("rotate-legacy")
	in.Client.Phone = "07700 900555"
	legacyRes, err := env.Engine.SelfRefer(ctx, in)
	if err != nil {
		t.Fatal(err)
	}
	legacy := legacyRes.Referral
	exec(t, env, `UPDATE clients SET key_wrapped = NULL, name_enc = $2, phone_enc = $3, email_enc = NULL, postcode_enc = NULL, notes_enc = NULL WHERE id = $1`,
		legacy.ClientID, seal(t, old, "client.name", "Morag Baird"), seal(t, old, "client.phone", "+447700900555"))
	exec(t, env, `UPDATE referrals SET details_enc = NULL, notes_enc = $2, outcome_note_enc = $3 WHERE id = $1`,
		legacy.ID, seal(t, old, "referral.notes", "behind on council tax"), seal(t, old, "referral.outcome_note", "old note"))
	// Two partners' webhook secrets, one in the old unbound form.
	partner, err := env.Engine.AddPartner(ctx, core.NewPartner{Name: "Casework", AgencyID: env.Net.CAB,
		Scopes: []core.PartnerScope{core.ScopeRead}}, env.Net.Coordinator.Actor())
	if err != nil {
		t.Fatal(err)
	}
	sub1, replaced1, err := env.Engine.Subscribe(ctx, partner.Partner.ID, "https://casework.example.org/hook")
	if err != nil {
		t.Fatal(err)
	}
	// The first's secret rotated, so the one it replaced is kept too.
	_, secret1, err := env.Engine.RotateWebhookSecret(ctx, partner.Partner.ID, sub1.ID)
	if err != nil {
		t.Fatal(err)
	}
	sub2, _, err := env.Engine.Subscribe(ctx, partner.Partner.ID, "https://casework.example.org/hook2")
	if err != nil {
		t.Fatal(err)
	}
	exec(t, env, `UPDATE webhook_subscriptions SET secret_enc = $2 WHERE id = $1`, sub2.ID, seal(t, old, "webhook.secret", "whsec_legacy"))

	// The old values still read before any rotation.
	if c, err := env.Engine.ClientDetailsFor(ctx, legacy.ClientID); err != nil || c.Name != "Morag Baird" {
		t.Fatalf("legacy client before rotation = %+v, %v", c, err)
	}

	rotated := engineWithKeys(t, env, newMasterKey, coretest.TestKey)
	var before string
	if err := env.Pool.QueryRow(ctx, `SELECT string_agg(t::text, ',') FROM clients t`).Scan(&before); err != nil {
		t.Fatal(err)
	}
	dry, err := rotated.RotateKeys(ctx, core.RotateOptions{DryRun: true})
	if err != nil {
		t.Fatal(err)
	}
	var after string
	if err := env.Pool.QueryRow(ctx, `SELECT string_agg(t::text, ',') FROM clients t`).Scan(&after); err != nil {
		t.Fatal(err)
	}
	if before != after {
		t.Error("dry run changed the clients table")
	}
	counts := map[string]int{}
	for _, p := range dry {
		counts[p.Table] = p.Rows
	}
	var clients int
	if err := env.Pool.QueryRow(ctx, `SELECT count(*) FROM clients WHERE erased_at IS NULL`).Scan(&clients); err != nil {
		t.Fatal(err)
	}
	if counts["clients"] != clients || counts["referrals"] != 1 || counts["webhook_subscriptions"] != 2 {
		t.Fatalf("dry run = %+v; want every client (%d), the legacy referral and both webhook secrets", dry, clients)
	}

	// Interrupted after its first batch of one row, then resumed.
	stop, cancel := context.WithCancel(ctx)
	var seen []core.RotateProgress
	_, err = rotated.RotateKeys(stop, core.RotateOptions{Batch: 1, Progress: func(p core.RotateProgress) {
		seen = append(seen, p)
		cancel()
	}})
	if !errors.Is(err, context.Canceled) || len(seen) != 1 || seen[0].Rows != 1 {
		t.Fatalf("interrupted run: err %v, progress %+v; want one batch of one row then context canceled", err, seen)
	}
	rest, err := rotated.RotateKeys(ctx, core.RotateOptions{Batch: 1})
	if err != nil {
		t.Fatal(err)
	}
	if rest.Total() != dry.Total()-1 {
		t.Fatalf("resumed run re-sealed %d rows (%+v), want the %d left", rest.Total(), rest, dry.Total()-1)
	}
	again, err := rotated.RotateKeys(ctx, core.RotateOptions{})
	if err != nil || again.Total() != 0 {
		t.Fatalf("second run = %+v, %v; want nothing left to do", again, err)
	}
	// Audit D 16: the two runs that re-sealed rows are audited, as Onward,
	// with the counts and whether they finished, never a key; the dry run
	// and the run with nothing to do are not.
	rows, err := env.Pool.Query(ctx, `SELECT actor_kind, (data->>'total')::int, data->>'finished', data::text FROM events WHERE kind = $1 ORDER BY id`, string(core.EventKeysRotated))
	if err != nil {
		t.Fatal(err)
	}
	var runs []string
	total := 0
	for rows.Next() {
		var kind, finished, data string
		var n int
		if err := rows.Scan(&kind, &n, &finished, &data); err != nil {
			t.Fatal(err)
		}
		runs, total = append(runs, kind+":"+finished), total+n
		for _, k := range [][]byte{newMasterKey, coretest.TestKey} {
			if strings.Contains(data, base64.StdEncoding.EncodeToString(k)) || strings.Contains(data, hex.EncodeToString(k)) {
				t.Errorf("the rotation's event holds a key: %s", data)
			}
		}
	}
	if rows.Err() != nil || strings.Join(runs, ",") != "system:false,system:true" || total != dry.Total() {
		t.Errorf("rotations audited %v, %d rows in all (%v); want the stopped run then the finished one, %d rows", runs, total, rows.Err(), dry.Total())
	}

	// Everything reads with the new key alone.
	newOnly := engineWithKeys(t, env, newMasterKey)
	if c, err := newOnly.ClientDetailsFor(ctx, legacy.ClientID); err != nil || c.Name != "Morag Baird" || c.Phone != "+447700900555" {
		t.Fatalf("legacy client after rotation = %+v, %v", c, err)
	}
	if c, err := newOnly.ClientDetailsFor(ctx, current.ClientID); err != nil || c.Name == "" {
		t.Fatalf("client after rotation = %+v, %v", c, err)
	}
	lr, err := newOnly.Referral(ctx, legacy.ID)
	if err != nil {
		t.Fatal(err)
	}
	if n, err := newOnly.ReferralNotes(ctx, lr); err != nil || n != "behind on council tax" {
		t.Fatalf("legacy notes after rotation = %q, %v", n, err)
	}
	if n, err := newOnly.OutcomeNote(ctx, lr); err != nil || n != "old note" {
		t.Fatalf("legacy outcome note after rotation = %q, %v", n, err)
	}
	if n, err := newOnly.OutcomeNote(ctx, done.Referral); err != nil || n != "rent arrears plan agreed" {
		t.Fatalf("outcome note after rotation = %q, %v", n, err)
	}
	if tg, err := newOnly.WebhookTarget(ctx, sub1.ID); err != nil || tg.Secret != secret1 || tg.Previous != replaced1 {
		t.Fatalf("webhook secrets after rotation = %q and replaced %q, %v", tg.Secret, tg.Previous, err)
	}
	if tg, err := newOnly.WebhookTarget(ctx, sub2.ID); err != nil || tg.Secret != "whsec_legacy" {
		t.Fatalf("legacy webhook secret after rotation = %q, %v", tg.Secret, err)
	}
	// The old key alone opens nothing any more.
	oldOnly := engineWithKeys(t, env, coretest.TestKey)
	if _, err := oldOnly.ClientDetailsFor(ctx, current.ClientID); !errors.Is(err, core.ErrDecrypt) {
		t.Errorf("old key after rotation: %v, want ErrDecrypt", err)
	}

	// Swapped ciphertexts fail: a webhook secret, a wrapped data key, a
	// client's name, each copied to another row.
	exec(t, env, `UPDATE webhook_subscriptions SET secret_enc = (SELECT secret_enc FROM webhook_subscriptions WHERE id = $1) WHERE id = $2`, sub1.ID, sub2.ID)
	if _, err := newOnly.WebhookTarget(ctx, sub2.ID); !errors.Is(err, core.ErrDecrypt) {
		t.Errorf("webhook secret moved to another row: %v, want ErrDecrypt", err)
	}
	exec(t, env, `UPDATE clients SET name_enc = (SELECT name_enc FROM clients WHERE id = $1) WHERE id = $2`, current.ClientID, legacy.ClientID)
	if _, err := newOnly.ClientDetailsFor(ctx, legacy.ClientID); !errors.Is(err, core.ErrDecrypt) {
		t.Errorf("name moved to another client: %v, want ErrDecrypt", err)
	}
	exec(t, env, `UPDATE clients SET key_wrapped = (SELECT key_wrapped FROM clients WHERE id = $1) WHERE id = $2`, current.ClientID, legacy.ClientID)
	if _, err := newOnly.ClientPhone(ctx, legacy.ClientID); !errors.Is(err, core.ErrDecrypt) {
		t.Errorf("data key moved to another client: %v, want ErrDecrypt", err)
	}
}
