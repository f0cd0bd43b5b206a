package core_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/onward-network/onward/core"
	"github.com/onward-network/onward/core/coretest"
)

// dumpDatabase returns every row of every table of the public schema as
// text, as a backup would hold it.
func dumpDatabase(t *testing.T, env *coretest.Env) string {
	t.Helper()
	ctx := context.Background()
	rows, err := env.Pool.Query(ctx, `SELECT tablename FROM pg_tables WHERE schemaname = 'public'`)
	if err != nil {
		t.Fatal(err)
	}
	var tables []string
	for rows.Next() {
		var n string
		if err := rows.Scan(&n); err != nil {
			t.Fatal(err)
		}
		tables = append(tables, n)
	}
	var b strings.Builder
	for _, tb := range tables {
		rs, err := env.Pool.Query(ctx, `SELECT t::text FROM "`+tb+`" t`)
		if err != nil {
			t.Fatal(err)
		}
		for rs.Next() {
			var line string
			if err := rs.Scan(&line); err != nil {
				t.Fatal(err)
			}
			b.WriteString(tb + ": " + line + "\n")
		}
	}
	return b.String()
}

func statusCounts(t *testing.T, env *coretest.Env) string {
	t.Helper()
	var s string
	if err := env.Pool.QueryRow(context.Background(), `SELECT string_agg(status || ':' || needs::text || ':' || postcode_district || ':' || n, ',' ORDER BY status, needs::text)
		FROM (SELECT status, needs, postcode_district, count(*) n FROM referrals GROUP BY 1, 2, 3) x`).Scan(&s); err != nil {
		t.Fatal(err)
	}
	return s
}

// Finding 4: a client can withdraw (their open referrals are cancelled,
// they are told, nobody sees their details afterwards) and be erased (no
// trace of their details in the database or in a backup copy, while the
// figures reports count and the audit log stay whole).
func TestWithdrawThenEraseLeavesNoDetails(t *testing.T) {
	t.Parallel()
	env := coretest.NewEnv(t)
	ctx := context.Background()
	n := env.Net
	in := coretest.SelfReferral("sms-erase")
	in.Client.Email = "morag.baird@example.org"
	res, err := env.Engine.SelfRefer(ctx, in)
	if err != nil {
		t.Fatal(err)
	}
	other, err := env.Engine.SelfRefer(ctx, coretest.SelfReferral("sms-other"))
	if err != nil {
		t.Fatal(err)
	}
	r := res.Referral
	// A member of staff of an agency not on the referral cannot withdraw.
	if _, err := env.Engine.WithdrawByReference(ctx, r.Reference, n.HousingAdviser.Actor(), "web", "phone call"); !errors.Is(err, core.ErrNotFound) {
		t.Fatalf("withdrawal by another agency: %v", err)
	}
	w, err := env.Engine.WithdrawByReference(ctx, strings.ToLower(r.Reference), n.Adviser.Actor(), "web", "phone call 3 Dec")
	if err != nil || w.Cancelled != 2 || w.Client != r.ClientID {
		t.Fatalf("withdraw = %+v, %v; want both open referrals cancelled", w, err)
	}
	got, _ := env.Engine.Referral(ctx, other.Referral.ID)
	if got.Status != core.StatusCancelled {
		t.Errorf("other referral %s after withdrawal", got.Status)
	}
	if k := outboxKinds(t, env, r.ID); k["sms.client:consent_withdrawn"] != 1 || k["card.sync:agency"] < 2 {
		t.Errorf("withdrawal told client/holders: %v", k)
	}
	if _, _, err := env.Engine.DiscloseClient(ctx, r.ID, n.Adviser.Actor(), "web"); !isForbidden(err) {
		t.Errorf("details after withdrawal: %v, want refused", err)
	}

	before := statusCounts(t, env)
	backup, _ := env.Engine.Referral(ctx, r.ID) // a copy of the row as a backup holds it
	if notes, err := env.Engine.ReferralNotes(ctx, backup); err != nil || notes == "" {
		t.Fatalf("notes before erasure: %q, %v", notes, err)
	}
	if err := env.Engine.EraseClient(ctx, r.ClientID, n.Adviser.Actor(), core.ErasureClientAsked, "web"); !isForbidden(err) {
		t.Errorf("an adviser erased a client: %v", err)
	}
	if err := env.Engine.EraseClient(ctx, r.ClientID, n.Coordinator.Actor(), core.ErasureClientAsked, "web"); err != nil {
		t.Fatal(err)
	}
	dump := dumpDatabase(t, env)
	for _, pii := range []string{"Morag", "Baird", "07700", "900123", "7700900123", "morag.baird", "KY1 1AB", "Rent arrears"} {
		if strings.Contains(dump, pii) {
			t.Errorf("database still holds %q after erasure", pii)
		}
	}
	if _, err := env.Engine.ReferralNotes(ctx, backup); !errors.Is(err, core.ErrErased) {
		t.Errorf("backup copy of the notes after erasure: %v, want ErrErased", err)
	}
	if _, err := env.Engine.ClientDetailsFor(ctx, r.ClientID); err != nil {
		t.Errorf("erased client record: %v", err)
	}
	if after := statusCounts(t, env); after != before {
		t.Errorf("report figures changed by erasure:\n%s\n%s", before, after)
	}
	v, err := core.VerifyAuditLog(ctx, env.Pool)
	if err != nil || v.Break != nil {
		t.Errorf("audit log after erasure: %+v, %v", v.Break, err)
	}
	if err := env.Engine.EraseClient(ctx, r.ClientID, n.Coordinator.Actor(), core.ErasureClientAsked, "web"); !errors.Is(err, core.ErrErased) {
		t.Errorf("second erasure: %v", err)
	}
	// The phone is free: a new text from it makes a new client.
	again, err := env.Engine.SelfRefer(ctx, coretest.SelfReferral("sms-after"))
	if err != nil || again.Referral.ClientID == r.ClientID {
		t.Errorf("after erasure: %+v, %v", again.Referral.ClientID, err)
	}
}

// The client withdraws by texting the network's keyword from their phone.
func TestWithdrawByText(t *testing.T) {
	t.Parallel()
	env := coretest.NewEnv(t)
	ctx := context.Background()
	res, err := env.Engine.SelfRefer(ctx, coretest.SelfReferral("sms-w"))
	if err != nil {
		t.Fatal(err)
	}
	dp, err := env.Engine.DataProtection(ctx)
	if err != nil || !dp.IsWithdrawKeyword(" withdraw ") || dp.IsWithdrawKeyword("withdraw my money") {
		t.Fatalf("keyword %q: %v", dp.WithdrawKeyword, err)
	}
	if done, err := env.Engine.WithdrawByPhone(ctx, "+447700900999", "SMx"); done || err != nil {
		t.Errorf("unknown phone: %v, %v", done, err)
	}
	done, err := env.Engine.WithdrawByPhone(ctx, "+447700900123", "SMwithdraw")
	if !done || err != nil {
		t.Fatalf("withdraw by text: %v, %v", done, err)
	}
	r, _ := env.Engine.Referral(ctx, res.Referral.ID)
	if r.Status != core.StatusCancelled || outboxKinds(t, env, r.ID)["sms.client:consent_withdrawn"] != 1 {
		t.Errorf("after withdrawal by text: %s, %v", r.Status, outboxKinds(t, env, r.ID))
	}
	if again, err := env.Engine.WithdrawByPhone(ctx, "+447700900123", "SMagain"); again || !errors.Is(err, core.ErrConsentWithdrawn) {
		t.Errorf("second withdrawal: %v, %v; want not new, and ErrConsentWithdrawn so the client is told it was withdrawn", again, err)
	}
}
