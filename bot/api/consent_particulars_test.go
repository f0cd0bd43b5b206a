package api_test

import (
	"context"
	"slices"
	"strings"
	"testing"

	"github.com/onward-network/onward/core"
)

// TestConsentParticularsRefused: each bad given_at, method or
// recorded_by is a 422 problem naming the field, its pointer and what is
// wrong in plain words, and nothing is made; every bad one at once.
func TestConsentParticularsRefused(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	tok := h.token(t, h.partner(t, h.env.Net.Welfare, core.ScopeRead, core.ScopeRefer))
	with := func(kv ...string) map[string]any {
		m := newReferral("X")
		for i := 0; i+1 < len(kv); i += 2 {
			m["consent"].(map[string]any)[kv[i]] = kv[i+1]
		}
		return m
	}
	type issue struct{ field, detail string }
	cases := []struct {
		name string
		body map[string]any
		want []issue
	}{
		{"not a date", with("given_at", "yesterday"), []issue{{"consent.given_at", `"yesterday" is not a date and time: give when the client agreed as RFC 3339, like 2026-11-23T09:40:00Z`}}},
		{"no time zone", with("given_at", "2026-11-23T09:40:00"), []issue{{"consent.given_at", "is not a date and time"}}},
		{"in the future", with("given_at", "2026-11-23T12:00:00Z"), []issue{{"consent.given_at", "2026-11-23T12:00:00Z is in the future: say when the client gave their consent"}}},
		{"over a year ago", with("given_at", "2025-11-01T09:00:00+01:00"), []issue{{"consent.given_at", "2025-11-01T08:00:00Z is more than a year ago"}}},
		{"unknown method", with("method", "carrier-pigeon"), []issue{{"consent.method", `"carrier-pigeon" is not a way Onward records how a client agreed; use one of in-person, phone, writing or online`}}},
		{"recorded by spaces", with("recorded_by", "   "), []issue{{"consent.recorded_by", "only spaces name nobody"}}},
		{"every one at once", with("given_at", "soon", "method", "fax", "recorded_by", " "), []issue{
			{"consent.given_at", "is not a date and time"}, {"consent.method", `"fax" is not a way`}, {"consent.recorded_by", "only spaces"}}},
	}
	for i, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			before := countReferrals(t, h)
			r := h.do(t, "POST", "/api/v1/referrals", tok, c.body, "Idempotency-Key", "particulars-"+string(rune('a'+i)))
			if r.status != 422 || r.header.Get("Content-Type") != "application/problem+json" {
				t.Fatalf("%d %s, want a 422 problem", r.status, r.body)
			}
			issues, _ := r.json(t)["errors"].([]any)
			if len(issues) != len(c.want) {
				t.Fatalf("%d issues, want %d: %s", len(issues), len(c.want), r.body)
			}
			for _, w := range c.want {
				if !slices.ContainsFunc(issues, func(e any) bool {
					m := e.(map[string]any)
					return m["field"] == w.field && m["pointer"] == "#/"+strings.ReplaceAll(w.field, ".", "/") &&
						strings.Contains(m["detail"].(string), w.detail)
				}) {
					t.Fatalf("no issue naming %s with %q: %s", w.field, w.detail, r.body)
				}
			}
			if after := countReferrals(t, h); after != before {
				t.Fatalf("%d referrals written by a refused request", after-before)
			}
		})
	}
}

// TestConsentParticularsTaken: a referral giving when and how the client
// agreed and who recorded it keeps them (who recorded it sealed); one
// giving none, as a partner integrated before they were asked for sends,
// is made as before, each kept as not given.
func TestConsentParticularsTaken(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	ctx := context.Background()
	tok := h.token(t, h.partner(t, h.env.Net.Welfare, core.ScopeRead, core.ScopeRefer))
	body := newReferral("P-1")
	consent := body["consent"].(map[string]any)
	consent["given_at"], consent["method"], consent["recorded_by"] = "2026-11-23T10:40:00+01:00", "online", "Ewan Rennie"
	r := h.do(t, "POST", "/api/v1/referrals", tok, body, "Idempotency-Key", "particulars-given")
	if r.status != 201 {
		t.Fatalf("%d %s", r.status, r.body)
	}
	p := h.particulars(t, r.json(t)["reference"].(string))
	if p.AgreedAtWords(nil) != "09:40 on 23 November 2026" || p.How != core.ConsentOnline || p.RecordedBy != "Ewan Rennie" || p.WitnessedBy != "Isla Moffat" {
		t.Fatalf("particulars kept: %+v", p)
	}
	var clear bool
	if err := h.env.Pool.QueryRow(ctx, `SELECT position('Ewan' IN to_jsonb(k)::text) > 0 FROM consents k`).Scan(&clear); err != nil || clear {
		t.Fatalf("who recorded it is in clear in PostgreSQL (%v)", err)
	}

	r = h.do(t, "POST", "/api/v1/referrals", tok, newReferral("P-2"), "Idempotency-Key", "particulars-none")
	if r.status != 201 {
		t.Fatalf("a referral without particulars: %d %s", r.status, r.body)
	}
	p = h.particulars(t, r.json(t)["reference"].(string))
	if p.AgreedAt != nil || p.How != "" || p.RecordedBy != "" || p.HowWords() != core.NotGiven {
		t.Fatalf("particulars left out kept as %+v, want not given", p)
	}
}

// particulars reads what the partner system said of the consent of the
// referral ref.
func (h *harness) particulars(t *testing.T, ref string) core.ConsentParticulars {
	t.Helper()
	ctx := context.Background()
	r, err := h.env.Engine.ReferralByReference(ctx, ref)
	if err != nil {
		t.Fatal(err)
	}
	c, err := h.env.Engine.Consent(ctx, r.ConsentID)
	if err != nil {
		t.Fatal(err)
	}
	p, err := h.env.Engine.ConsentParticulars(ctx, c)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// TestConsentMethodsDocumented: the document's consent.method lists the
// ways core takes, no more and no fewer.
func TestConsentMethodsDocumented(t *testing.T) {
	t.Parallel()
	c := loadContract(t)
	schema := c.doc["components"].(map[string]any)["schemas"].(map[string]any)["NewReferral"].(map[string]any)
	method := schema["properties"].(map[string]any)["consent"].(map[string]any)["properties"].(map[string]any)["method"].(map[string]any)
	var documented, taken []string
	for _, m := range method["enum"].([]any) {
		documented = append(documented, m.(string))
	}
	for _, h := range core.PartnerConsentHows() {
		taken = append(taken, h.Code)
	}
	if !slices.Equal(documented, taken) {
		t.Fatalf("the document lists consent.method %v; core takes %v", documented, taken)
	}
}
