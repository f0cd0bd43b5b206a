package api_test

import (
	"context"
	"slices"
	"testing"

	"github.com/onward-network/onward/core"
)

// idemKeys lists the Redis keys holding the API's idempotent answers.
func idemKeys(t *testing.T, h *harness) []string {
	t.Helper()
	keys, err := h.rdb.Keys(context.Background(), h.prefix+"idem:*").Result()
	if err != nil {
		t.Fatal(err)
	}
	return keys
}

// TestIdempotentAnswerOpensOnlyUnderItsKey: a stored answer is sealed for
// its own key (partner and Idempotency-Key). Copied under another
// partner's key, it does not replay there: that request is handled
// afresh, as is one whose stored answer cannot be opened at all (kept by
// an earlier version), rather than failing until the answer expires.
func TestIdempotentAnswerOpensOnlyUnderItsKey(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	ctx := context.Background()
	welfare := h.token(t, h.partner(t, h.env.Net.Welfare, core.ScopeRead, core.ScopeRefer))
	housing := h.token(t, h.partner(t, h.env.Net.Housing, core.ScopeRead, core.ScopeRefer))

	first := h.do(t, "POST", "/api/v1/referrals", welfare, newReferral("C-1"), "Idempotency-Key", "k")
	if first.status != 201 {
		t.Fatalf("welfare's referral: %d %s", first.status, first.body)
	}
	keys := idemKeys(t, h)
	if len(keys) != 1 {
		t.Fatalf("idempotency keys %v, want one", keys)
	}
	welfareKey := keys[0]
	welfareAnswer, err := h.rdb.Get(ctx, welfareKey).Result()
	if err != nil {
		t.Fatal(err)
	}

	own := h.do(t, "POST", "/api/v1/referrals", housing, newReferral("H-9"), "Idempotency-Key", "k")
	if own.status != 201 {
		t.Fatalf("housing's referral: %d %s", own.status, own.body)
	}
	keys = slices.DeleteFunc(idemKeys(t, h), func(k string) bool { return k == welfareKey })
	if len(keys) != 1 {
		t.Fatalf("housing's idempotency keys %v, want one", keys)
	}
	housingKey := keys[0]

	// Welfare Rights' answer, copied under Housing's key, and Housing
	// sending Welfare's very request: the request is handled afresh, and
	// core's idempotency (per partner and key) finds Housing's own
	// referral. Welfare's answer is never replayed to Housing.
	if err := h.rdb.Set(ctx, housingKey, welfareAnswer, 0).Err(); err != nil {
		t.Fatal(err)
	}
	got := h.do(t, "POST", "/api/v1/referrals", housing, newReferral("C-1"), "Idempotency-Key", "k")
	if got.status != 201 || got.header.Get("Idempotent-Replayed") != "" {
		t.Fatalf("the copied answer: %d replayed=%q %s", got.status, got.header.Get("Idempotent-Replayed"), got.body)
	}
	if ref := got.json(t)["reference"]; ref == first.json(t)["reference"] || ref != own.json(t)["reference"] {
		t.Fatalf("housing was answered with %v, want its own %v", ref, own.json(t)["reference"])
	}
	// What it answered is now kept under Housing's key, and replays.
	again := h.do(t, "POST", "/api/v1/referrals", housing, newReferral("C-1"), "Idempotency-Key", "k")
	if again.status != 201 || again.header.Get("Idempotent-Replayed") != "true" || string(again.body) != string(got.body) {
		t.Fatalf("replay of housing's own answer: %d %s", again.status, again.body)
	}

	// An answer nothing can open is handled afresh too, once: core's own
	// idempotency finds the referral the first request made.
	if err := h.rdb.Set(ctx, welfareKey, "sealed by an earlier version", 0).Err(); err != nil {
		t.Fatal(err)
	}
	retry := h.do(t, "POST", "/api/v1/referrals", welfare, newReferral("C-1"), "Idempotency-Key", "k")
	if retry.status != 201 || retry.json(t)["reference"] != first.json(t)["reference"] {
		t.Fatalf("retry over an unreadable answer: %d %s", retry.status, retry.body)
	}
	if n := countReferrals(t, h); n != 2 {
		t.Fatalf("%d referrals, want 2 (welfare's and housing's)", n)
	}
}

// TestIdempotencyKeyTakesTheSameJSONWrittenAnotherWay: a partner whose
// client serialises the request afresh on a retry (keys in another
// order, other whitespace, a character escaped) sends the same request:
// it gets the first answer, replayed, and makes no second referral.
func TestIdempotencyKeyTakesTheSameJSONWrittenAnotherWay(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	referrer := h.token(t, h.partner(t, h.env.Net.Welfare, core.ScopeRead, core.ScopeRefer))
	first := h.do(t, "POST", "/api/v1/referrals", referrer, newReferral("C-1"), "Idempotency-Key", "retried")
	if first.status != 201 {
		t.Fatalf("first: %d %s", first.status, first.body)
	}
	rewritten := `{
	  "to_agency": "kirkton-cab",
	  "needs": [ "debt" ],
	  "consent": {"witnessed_by": "Isla Moffat", "agencies": ["kirkton-cab"], "scope": "agencies", "wording_version": "v1"},
	  "client": {"notes": "Rent arrears letter", "postcode": "KY1 1AB", "phone": "07700 900123", "name": "Morag \u0042aird"},
	  "case_id": "C-1"
	}`
	again := h.do(t, "POST", "/api/v1/referrals", referrer, rewritten, "Idempotency-Key", "retried")
	if again.status != 201 || again.header.Get("Idempotent-Replayed") != "true" || string(again.body) != string(first.body) {
		t.Fatalf("the same request written another way: %d %s, want the first answer replayed", again.status, again.body)
	}
	if n := countReferrals(t, h); n != 1 {
		t.Fatalf("%d referrals, want 1", n)
	}
}

// TestRefusedRequestKeepsNothingUnderItsKey: a request refused for its
// content (422) changed nothing, so the corrected request under the same
// key is done, not answered "key used for another request".
func TestRefusedRequestKeepsNothingUnderItsKey(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	referrer := h.token(t, h.partner(t, h.env.Net.Welfare, core.ScopeRead, core.ScopeRefer))
	wrong := newReferral("C-7")
	wrong["needs"] = []string{"no-such-need"}
	bad := h.do(t, "POST", "/api/v1/referrals", referrer, wrong, "Idempotency-Key", "case-7")
	if bad.status != 422 {
		t.Fatalf("a referral with a bad postcode: %d %s", bad.status, bad.body)
	}
	if keys := idemKeys(t, h); len(keys) != 0 {
		t.Errorf("a refused request kept %v", keys)
	}
	fixed := h.do(t, "POST", "/api/v1/referrals", referrer, newReferral("C-7"), "Idempotency-Key", "case-7")
	if fixed.status != 201 || fixed.header.Get("Idempotent-Replayed") != "" {
		t.Fatalf("the corrected request under the same key: %d %s", fixed.status, fixed.body)
	}
	if n := countReferrals(t, h); n != 1 {
		t.Fatalf("%d referrals, want 1", n)
	}
}
