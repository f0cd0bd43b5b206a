package demo

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/onward-network/onward/core"
	"github.com/onward-network/onward/core/coretest"
	"github.com/onward-network/onward/core/report"
)

// TestHistory adds a small synthetic history to a seeded demo network and
// checks its shape: every status, a winter peak and a Monday peak, legs
// that point at real parents, times in a plausible order, client details
// that are ciphertext, and report rollups that rebuild from it.
func TestHistory(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	pool := coretest.NewPool(t)
	crypt := testCrypter(t)
	var log strings.Builder
	if _, err := Seed(ctx, pool, crypt, Options{Months: 1, Seed: 3, Now: testNow}, &log); err != nil {
		t.Fatalf("seed: %v\n%s", err, log.String())
	}
	before := count(t, pool, `SELECT count(*) FROM referrals`)
	eventsBefore := count(t, pool, `SELECT count(*) FROM events`)
	// The rollups are built once before, so the history must invalidate
	// them for its old-dated rows to be counted.
	if _, err := report.New(pool, &clock{now: testNow}).Refresh(ctx); err != nil {
		t.Fatal(err)
	}
	log.Reset()
	const n = 2000
	if err := History(ctx, pool, crypt, HistoryOptions{N: n, Years: 3, Seed: 11, Now: testNow}, &log); err != nil {
		t.Fatalf("history: %v\n%s", err, log.String())
	}
	if !strings.Contains(log.String(), "history: [##############################] 100%  2000/2000 referrals") {
		t.Errorf("no finished progress bar in:\n%s", log.String())
	}
	if got := count(t, pool, `SELECT count(*) FROM referrals`) - before; got != n {
		t.Fatalf("history added %d referrals, want %d", got, n)
	}
	if got := count(t, pool, `SELECT count(*) FROM events`); got != eventsBefore {
		t.Errorf("history wrote %d events; it writes none", got-eventsBefore)
	}
	const hist = `FROM referrals WHERE reference LIKE 'ONW-H%' AND length(reference) = 12`
	for _, s := range core.Statuses {
		if c := count(t, pool, `SELECT count(*) `+hist+` AND status = $1`, string(s)); c == 0 {
			t.Errorf("no %s referral in the history", s)
		}
	}
	for _, check := range []struct{ what, where string }{
		{"crisis referrals", `crisis`},
		{"referrals through triage", `triaged AND assigned_at IS NOT NULL`},
		{"onward legs", `parent_id IS NOT NULL`},
		{"redirects", `reason = 'redirected'`},
		{"late acknowledgements", `acknowledged_at > ack_due_at`},
		{"feedback scores", `feedback_score IS NOT NULL`},
		{"web self-referrals from leaflets", `source = 'web' AND leaflet_code <> ''`},
		{"staff referrals between agencies", `source = 'staff' AND from_agency_id IS NOT NULL AND from_staff_id IS NOT NULL`},
	} {
		if c := count(t, pool, `SELECT count(*) `+hist+` AND `+check.where); c == 0 {
			t.Errorf("no %s in the history", check.what)
		}
	}
	for _, bad := range []struct{ what, where string }{
		{"times out of order", `acknowledged_at < created_at OR contacted_at < acknowledged_at OR closed_at < created_at
			OR status_at < created_at OR assigned_at < created_at OR feedback_at < closed_at OR status_at > $1`},
		{"closed without a closing time", `status IN ('completed', 'rejected', 'failed', 'cancelled') AND closed_at IS NULL`},
		{"open with a closing time", `status IN ('requested', 'accepted', 'in-progress', 'on-hold') AND closed_at IS NOT NULL`},
		{"in progress without contact", `status IN ('in-progress', 'completed') AND contacted_at IS NULL`},
		{"with an agency but no deadline", `to_agency_id IS NOT NULL AND ack_due_at IS NULL`},
		{"rejected without a reason", `status = 'rejected' AND reason IS NULL`},
		{"onward legs older than their parent", `parent_id IS NOT NULL AND created_at < (SELECT p.created_at FROM referrals p WHERE p.id = referrals.parent_id)`},
	} {
		if c := count(t, pool, `SELECT count(*) `+hist+` AND (`+bad.where+`) AND $1::timestamptz IS NOT NULL`, testNow); c != 0 {
			t.Errorf("%d history referrals %s", c, bad.what)
		}
	}

	// Winter is busier than summer, Mondays than Sundays.
	perDay := func(where string) float64 {
		var f float64
		if err := pool.QueryRow(ctx, `SELECT count(*)::float8 / count(DISTINCT created_at::date) `+hist+` AND `+where).Scan(&f); err != nil {
			t.Fatal(err)
		}
		return f
	}
	winter := count(t, pool, `SELECT count(*) `+hist+` AND extract(month FROM created_at) IN (12, 1, 2) AND created_at < '2026-03-01'`)
	summer := count(t, pool, `SELECT count(*) `+hist+` AND extract(month FROM created_at) IN (6, 7, 8)`)
	if float64(winter) < 1.25*float64(summer) {
		t.Errorf("winter has %d referrals, summer %d: want a winter peak", winter, summer)
	}
	if mon, sun := perDay(`extract(isodow FROM created_at) = 1`), perDay(`extract(isodow FROM created_at) = 7`); mon < 2.5*sun {
		t.Errorf("%.1f referrals on a Monday, %.1f on a Sunday: want a Monday peak", mon, sun)
	}
	if first := count(t, pool, `SELECT min(created_at)::date - $1::date `+hist, testNow.AddDate(-3, 0, 0)); first > 3 {
		t.Errorf("history starts %d days after three years ago", first)
	}

	// Client details are ciphertext that decrypts, and the synthetic
	// clients have no phone lookup hash.
	rows, err := pool.Query(ctx, `SELECT DISTINCT c.name_enc, c.phone_enc, c.phone_hash IS NULL FROM clients c
		JOIN referrals r ON r.client_id = c.id WHERE r.reference LIKE 'ONW-H%' AND length(r.reference) = 12 LIMIT 20`)
	if err != nil {
		t.Fatal(err)
	}
	names := 0
	for rows.Next() {
		var nameEnc, phoneEnc []byte
		var noHash bool
		if err := rows.Scan(&nameEnc, &phoneEnc, &noHash); err != nil {
			t.Fatal(err)
		}
		name, err := crypt.Decrypt("client.name", nameEnc)
		if err != nil || name == "" || strings.Contains(string(nameEnc), name) {
			t.Errorf("client name %q does not decrypt from ciphertext: %v", name, err)
		}
		if phone, err := crypt.Decrypt("client.phone", phoneEnc); err != nil || !IsClientPhone(core.Phone(phone)) {
			t.Errorf("client phone %q: %v", phone, err)
		}
		if !noHash {
			t.Error("a synthetic client has a phone lookup hash")
		}
		names++
	}
	if names == 0 {
		t.Fatal("no synthetic clients")
	}

	// Referrals keep the area facts of their client's postcode, as the
	// engine's do: the SIMD decile and ward the postcode file gives it
	// (the demo's file has every street its clients live in), and none
	// when no postcode district was given.
	if c := count(t, pool, `SELECT count(*) `+hist+` AND postcode_district <> '' AND (simd_decile IS NULL OR ward_code IS NULL)`); c != 0 {
		t.Errorf("%d history referrals with a postcode district have no area facts", c)
	}
	if c := count(t, pool, `SELECT count(*) `+hist+` AND postcode_district = '' AND (simd_decile IS NOT NULL OR ward_code IS NOT NULL)`); c != 0 {
		t.Errorf("%d history referrals without a postcode district have area facts", c)
	}
	rows, err = pool.Query(ctx, `SELECT c.postcode_enc, r.simd_decile, r.ward_code FROM referrals r JOIN clients c ON c.id = r.client_id
		WHERE r.reference LIKE 'ONW-H%' AND length(r.reference) = 12 AND r.postcode_district <> '' ORDER BY r.id LIMIT 50`)
	if err != nil {
		t.Fatal(err)
	}
	type area struct {
		simd *int16
		ward *string
	}
	var kept []area
	var postcodes []string
	for rows.Next() {
		var enc []byte
		var a area
		if err := rows.Scan(&enc, &a.simd, &a.ward); err != nil {
			t.Fatal(err)
		}
		pc, err := crypt.Decrypt("client.postcode", enc)
		if err != nil {
			t.Fatal(err)
		}
		kept, postcodes = append(kept, a), append(postcodes, pc)
	}
	if len(kept) == 0 {
		t.Fatal("no history referral with a postcode district")
	}
	for i, pc := range postcodes {
		var want area
		if err := pool.QueryRow(ctx, `SELECT simd_decile, nullif(ward_code, '') FROM postcodes WHERE postcode = $1`, pc).Scan(&want.simd, &want.ward); err != nil {
			t.Fatalf("postcode %s of a history client: %v", pc, err)
		}
		got := kept[i]
		if got.simd == nil || got.ward == nil || deref(got.simd) != deref(want.simd) || deref(got.ward) != deref(want.ward) {
			t.Errorf("a referral of a client at %s keeps decile %v and ward %v, want the file's %v and %v", pc, deref(got.simd), deref(got.ward), deref(want.simd), deref(want.ward))
		}
	}

	// The rollups rebuild and count the history.
	res, err := report.New(pool, &clock{now: testNow}).Refresh(ctx)
	if err != nil || !res.Full {
		t.Fatalf("refresh after the history: %+v, %v (want a full rebuild)", res, err)
	}
	if got := count(t, pool, `SELECT sum(n)::int FROM report_daily WHERE need = ''`); got != before+n {
		t.Errorf("rollups count %d referrals, want %d", got, before+n)
	}
}

// TestHistoryOnEmptyDatabase seeds the demo network first.
func TestHistoryOnEmptyDatabase(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	pool := coretest.NewPool(t)
	var log strings.Builder
	start := time.Now()
	if err := History(ctx, pool, testCrypter(t), HistoryOptions{N: 300, Years: 1, Seed: 5, Now: testNow}, &log); err != nil {
		t.Fatalf("history: %v\n%s", err, log.String())
	}
	if !strings.Contains(log.String(), "seeding the demo network first") {
		t.Errorf("log does not say it seeded first:\n%s", log.String())
	}
	if c := count(t, pool, `SELECT count(*) FROM referrals WHERE reference LIKE 'ONW-H%' AND length(reference) = 12`); c != 300 {
		t.Errorf("%d history referrals, want 300", c)
	}
	t.Logf("seed and history in %s", time.Since(start))
}

// deref is *p, or nil for a nil p, for messages.
func deref[T any](p *T) any {
	if p == nil {
		return nil
	}
	return *p
}
