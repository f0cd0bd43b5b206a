package api_test

import (
	"context"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/onward-network/onward/core"
)

func countReferrals(t *testing.T, h *harness) int {
	t.Helper()
	var n int
	if err := h.env.Pool.QueryRow(context.Background(), `SELECT count(*) FROM referrals`).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

// TestBadInputRefused: every kind of bad request gets the right status, a
// problem naming the field, and writes nothing.
func TestBadInputRefused(t *testing.T) {
	h := newHarness(t)
	tok := h.token(t, h.partner(t, h.env.Net.Welfare, core.ScopeRead, core.ScopeRefer))
	readOnly := h.token(t, h.partner(t, h.env.Net.Welfare, core.ScopeRead))
	with := func(change func(m map[string]any)) map[string]any {
		m := newReferral("X")
		change(m)
		return m
	}
	big := `{"case_id": "` + strings.Repeat("x", 1<<20) + `"}`
	cases := []struct {
		name   string
		token  string
		body   any
		key    string
		status int
		field  string // the field the problem must name, if any
	}{
		{"malformed JSON", tok, `{"needs": [`, "k1", 400, ""},
		{"unknown field", tok, with(func(m map[string]any) { m["nhs_number"] = "943 476 5919" }), "k2", 422, "nhs_number"},
		{"wrong type", tok, with(func(m map[string]any) { m["crisis"] = "yes" }), "k3", 422, "crisis"},
		{"over 1 MB", tok, big, "k4", 413, ""},
		{"NUL in a string", tok, with(func(m map[string]any) { m["case_id"] = "CASE\x00-1" }), "k12", 400, ""},
		{"missing name", tok, with(func(m map[string]any) { m["client"].(map[string]any)["name"] = "" }), "k5", 422, "client.name"},
		{"unknown need", tok, with(func(m map[string]any) { m["needs"] = []string{"astrology"} }), "k6", 422, "needs[0]"},
		{"agency outside consent", tok, with(func(m map[string]any) { m["consent"].(map[string]any)["agencies"] = []string{"housing-options"} }), "k7", 422, "to_agency"},
		{"unknown agency", tok, with(func(m map[string]any) { m["to_agency"] = "nowhere" }), "k8", 422, "to_agency"},
		{"no idempotency key", tok, newReferral("X"), "", 422, "Idempotency-Key"},
		{"no token", "", newReferral("X"), "k9", 401, ""},
		{"bad token", "not-a-token", newReferral("X"), "k10", 401, ""},
		{"missing scope", readOnly, newReferral("X"), "k11", 403, ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			before := countReferrals(t, h)
			var hdr []string
			if c.key != "" {
				hdr = []string{"Idempotency-Key", c.key}
			}
			r := h.do(t, "POST", "/api/v1/referrals", c.token, c.body, hdr...)
			if r.status != c.status {
				t.Fatalf("status %d, want %d: %s", r.status, c.status, r.body)
			}
			if ct := r.header.Get("Content-Type"); ct != "application/problem+json" {
				t.Fatalf("content type %q, want a problem", ct)
			}
			p := r.json(t)
			if p["status"].(float64) != float64(c.status) || p["title"] == "" || p["detail"] == "" {
				t.Fatalf("problem %v", p)
			}
			if c.field != "" {
				named := false
				for _, e := range p["errors"].([]any) {
					named = named || e.(map[string]any)["field"] == c.field
				}
				if !named {
					t.Fatalf("problem does not name %q: %s", c.field, r.body)
				}
			}
			if after := countReferrals(t, h); after != before {
				t.Fatalf("%d referrals written by a refused request", after-before)
			}
		})
	}
}

func TestIdempotencyETagAndVisibility(t *testing.T) {
	h := newHarness(t)
	referrer := h.token(t, h.partner(t, h.env.Net.Welfare, core.ScopeRead, core.ScopeRefer))
	cab := h.token(t, h.partner(t, h.env.Net.CAB, core.ScopeRead, core.ScopeAct))
	housing := h.token(t, h.partner(t, h.env.Net.Housing, core.ScopeRead, core.ScopeAct))

	first := h.do(t, "POST", "/api/v1/referrals", referrer, newReferral("C-1"), "Idempotency-Key", "same")
	again := h.do(t, "POST", "/api/v1/referrals", referrer, newReferral("C-1"), "Idempotency-Key", "same")
	if first.status != 201 || again.status != 201 || string(first.body) != string(again.body) || again.header.Get("Idempotent-Replayed") != "true" {
		t.Fatalf("replay: %d %s / %d %s", first.status, first.body, again.status, again.body)
	}
	if n := countReferrals(t, h); n != 1 {
		t.Fatalf("%d referrals after a replay, want 1", n)
	}
	if other := h.do(t, "POST", "/api/v1/referrals", referrer, newReferral("C-2"), "Idempotency-Key", "same"); other.status != http.StatusConflict {
		t.Fatalf("same key, other body: %d %s", other.status, other.body)
	}
	ref := first.json(t)["reference"].(string)
	if first.header.Get("ETag") != `"v1"` || first.json(t)["case_id"] != "C-1" {
		t.Fatalf("created: %v %s", first.header, first.body)
	}

	// Another agency's partner cannot see it, and the refusal is audited.
	if r := h.do(t, "GET", "/api/v1/referrals/"+ref, housing, nil); r.status != 404 {
		t.Fatalf("agency B read agency A's referral: %d %s", r.status, r.body)
	}
	if r := h.do(t, "POST", "/api/v1/referrals/"+ref+"/accept", housing, nil, "Idempotency-Key", "h1"); r.status != 404 {
		t.Fatalf("agency B accepted: %d %s", r.status, r.body)
	}
	if r := h.do(t, "GET", "/api/v1/referrals?limit=10", housing, nil); r.status != 200 || len(r.json(t)["data"].([]any)) != 0 {
		t.Fatalf("agency B's list: %d %s", r.status, r.body)
	}

	// Stale If-Match: 412, saying who changed it.
	if r := h.do(t, "POST", "/api/v1/referrals/"+ref+"/accept", cab, nil, "Idempotency-Key", "a1", "If-Match", `"v1"`); r.status != 200 || r.header.Get("ETag") != `"v2"` {
		t.Fatalf("accept: %d %s", r.status, r.body)
	}
	stale := h.do(t, "POST", "/api/v1/referrals/"+ref+"/contacted", cab, nil, "Idempotency-Key", "a2", "If-Match", `"v1"`)
	if stale.status != http.StatusPreconditionFailed || !strings.Contains(stale.json(t)["detail"].(string), "accepted by Casework system") {
		t.Fatalf("stale If-Match: %d %s", stale.status, stale.body)
	}
	// Completing needs an outcome from the list.
	h.do(t, "POST", "/api/v1/referrals/"+ref+"/contacted", cab, nil, "Idempotency-Key", "a3")
	if r := h.do(t, "POST", "/api/v1/referrals/"+ref+"/complete", cab, map[string]any{"outcome": "sorted"}, "Idempotency-Key", "a4"); r.status != 422 {
		t.Fatalf("bad outcome: %d %s", r.status, r.body)
	}
	// A gain out of range is refused naming its field.
	bad := h.do(t, "POST", "/api/v1/referrals/"+ref+"/complete", cab, map[string]any{"outcome": "help-given",
		"gain": map[string]any{"weekly_income_pence": -100, "debt_written_off_pence": 100000001}}, "Idempotency-Key", "a4b")
	if bad.status != 422 || !strings.Contains(string(bad.body), `"field":"gain.weekly_income_pence"`) ||
		!strings.Contains(string(bad.body), `"pointer":"#/gain/debt_written_off_pence"`) || !strings.Contains(string(bad.body), "£1,000,000 or less") {
		t.Fatalf("bad gain: %d %s", bad.status, bad.body)
	}
	done := h.do(t, "POST", "/api/v1/referrals/"+ref+"/complete", cab, map[string]any{"outcome": "help-given", "note": "Debt plan agreed",
		"gain": map[string]any{"weekly_income_pence": 4250, "debt_written_off_pence": 350000}, "advice_type": "type-2", "advice_topic": "debt"}, "Idempotency-Key", "a5")
	if done.status != 200 || done.json(t)["status"] != "completed" || done.json(t)["outcome"] != "help-given" || done.json(t)["advice_type"] != "type-2" {
		t.Fatalf("complete: %d %s", done.status, done.body)
	}
	if g, _ := done.json(t)["gain"].(map[string]any); g["weekly_income_pence"] != float64(4250) || g["debt_written_off_pence"] != float64(350000) {
		t.Errorf("the completed referral's gain = %v", done.json(t)["gain"])
	}

	// Cursor pagination over what changed.
	for i := 0; i < 3; i++ {
		h.do(t, "POST", "/api/v1/referrals", referrer, newReferral("P"), "Idempotency-Key", "p"+string(rune('a'+i)))
		h.env.Clock.Advance(time.Minute)
	}
	seen := map[string]bool{}
	cursor := ""
	for pages := 0; pages < 10; pages++ {
		r := h.do(t, "GET", "/api/v1/referrals?limit=2&cursor="+cursor, referrer, nil)
		if r.status != 200 {
			t.Fatalf("list: %d %s", r.status, r.body)
		}
		m := r.json(t)
		for _, d := range m["data"].([]any) {
			item := d.(map[string]any)
			seen[item["reference"].(string)] = true
			// Each carries the case id its partner gave it (C-1 or P).
			if c := item["case_id"]; c != "C-1" && c != "P" {
				t.Errorf("listed %s with case_id %v, want the partner's", item["reference"], c)
			}
		}
		next, _ := m["next_cursor"].(string)
		if next == "" {
			break
		}
		cursor = next
	}
	if len(seen) != 4 {
		t.Fatalf("pages covered %d referrals, want 4", len(seen))
	}
	if r := h.do(t, "GET", "/api/v1/referrals?cursor=garbage", referrer, nil); r.status != 422 {
		t.Fatalf("bad cursor: %d", r.status)
	}
}

func TestRevokedAndRateLimited(t *testing.T) {
	h := newHarness(t)
	c := h.partner(t, h.env.Net.Welfare, core.ScopeRead)
	tok := h.token(t, c)
	if r := h.do(t, "GET", "/api/v1/agencies", tok, nil); r.status != 200 {
		t.Fatalf("agencies: %d", r.status)
	}
	// An expired token is refused.
	h.env.Clock.Advance(16 * time.Minute)
	if r := h.do(t, "GET", "/api/v1/agencies", tok, nil); r.status != 401 {
		t.Fatalf("expired token: %d", r.status)
	}
	tok = h.token(t, c)
	if err := h.env.Engine.RevokePartner(context.Background(), c.Partner.ID, h.env.Net.Coordinator.Actor()); err != nil {
		t.Fatal(err)
	}
	if r := h.do(t, "GET", "/api/v1/agencies", tok, nil); r.status != 401 {
		t.Fatalf("revoked partner's token: %d", r.status)
	}
	// The token endpoint refuses revoked credentials too.
	if _, err := h.env.Engine.AuthenticatePartner(context.Background(), c.Partner.ClientID, c.Secret); err == nil {
		t.Fatal("revoked credentials authenticated")
	}

	limited, err := h.env.Engine.AddPartner(context.Background(), core.NewPartner{Name: "Slow system", AgencyID: h.env.Net.CAB,
		Scopes: []core.PartnerScope{core.ScopeRead}, RatePerMinute: 3}, h.env.Net.Coordinator.Actor())
	if err != nil {
		t.Fatal(err)
	}
	lt := h.token(t, limited)
	statuses := []int{}
	for i := 0; i < 5; i++ {
		statuses = append(statuses, h.do(t, "GET", "/api/v1/agencies", lt, nil).status)
	}
	if statuses[2] != 200 || statuses[3] != 429 {
		t.Fatalf("rate limit of 3 a minute: %v", statuses)
	}
	h.api.Flush()
	var calls int
	if err := h.env.Pool.QueryRow(context.Background(), `SELECT count(*) FROM partner_calls WHERE partner_id = $1`, limited.Partner.ID).Scan(&calls); err != nil || calls != 3 {
		t.Fatalf("audited %d calls (%v), want the 3 allowed", calls, err)
	}
}

// cancelOnAnswer is a client that gives up the moment the answer starts:
// the request's context ends as the status is written.
type cancelOnAnswer struct {
	http.ResponseWriter
	cancel context.CancelFunc
}

func (c *cancelOnAnswer) WriteHeader(code int) {
	c.cancel()
	c.ResponseWriter.WriteHeader(code)
}

// TestIdempotencyAfterTheClientGaveUp: a partner whose first POST timed
// out on its side retries with the same key and gets the first answer,
// not "still working" for the rest of the day, and one referral exists.
func TestIdempotencyAfterTheClientGaveUp(t *testing.T) {
	var giveUp atomic.Bool // read by the server's goroutines
	giveUp.Store(true)
	h := newHarnessWrapped(t, func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if !giveUp.Load() || r.URL.Path != "/api/v1/referrals" {
				next.ServeHTTP(w, r)
				return
			}
			ctx, cancel := context.WithCancel(r.Context())
			defer cancel()
			next.ServeHTTP(&cancelOnAnswer{ResponseWriter: w, cancel: cancel}, r.WithContext(ctx))
		})
	})
	referrer := h.token(t, h.partner(t, h.env.Net.Welfare, core.ScopeRead, core.ScopeRefer))
	first := h.do(t, "POST", "/api/v1/referrals", referrer, newReferral("G-1"), "Idempotency-Key", "gave-up")
	if first.status != http.StatusCreated {
		t.Fatalf("first try: %d %s", first.status, first.body)
	}
	giveUp.Store(false)
	again := h.do(t, "POST", "/api/v1/referrals", referrer, newReferral("G-1"), "Idempotency-Key", "gave-up")
	if again.status != http.StatusCreated || again.header.Get("Idempotent-Replayed") != "true" || string(again.body) != string(first.body) {
		t.Fatalf("retry after the client gave up: %d %s, want the first answer replayed", again.status, again.body)
	}
	if n := countReferrals(t, h); n != 1 {
		t.Fatalf("%d referrals after the retry, want 1", n)
	}
}
