package api_test

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"strconv"
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

// TestTheLongestIdempotencyKeyIsTaken: a key of 200 characters, the most
// the API takes, makes the referral (behind its partner prefix it is
// longer than 200, which core once refused with a 422).
func TestTheLongestIdempotencyKeyIsTaken(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	tok := h.token(t, h.partner(t, h.env.Net.Welfare, core.ScopeRead, core.ScopeRefer))
	if r := h.do(t, "POST", "/api/v1/referrals", tok, newReferral("X"), "Idempotency-Key", strings.Repeat("k", 200)); r.status != 201 {
		t.Fatalf("a 200-character key: status %d, want 201: %s", r.status, r.body)
	}
}

// TestBadInputRefused: every kind of bad request gets the right status, a
// problem naming the field, and writes nothing.
func TestBadInputRefused(t *testing.T) {
	t.Parallel()
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
		{"no witness", tok, with(func(m map[string]any) { m["consent"].(map[string]any)["witnessed_by"] = "" }), "k13", 422, "consent.witnessed_by"},
		{"name of spaces", tok, with(func(m map[string]any) { m["client"].(map[string]any)["name"] = "   " }), "k16", 422, "client.name"},
		{"witness of spaces", tok, with(func(m map[string]any) { m["consent"].(map[string]any)["witnessed_by"] = "  " }), "k17", 422, "consent.witnessed_by"},
		{"unknown consent scope", tok, with(func(m map[string]any) { m["consent"].(map[string]any)["scope"] = "everyone" }), "k14", 422, "consent.scope"},
		{"no consent wording", tok, with(func(m map[string]any) { m["consent"].(map[string]any)["wording_version"] = "" }), "k15", 422, "consent.wording_version"},
		{"no idempotency key", tok, newReferral("X"), "", 400, "Idempotency-Key"},
		{"idempotency key too long", tok, newReferral("X"), strings.Repeat("k", 201), 400, "Idempotency-Key"},
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
				// A body field is named with its JSON pointer too; a
				// header has none.
				pointer := ""
				if c.field != "Idempotency-Key" {
					pointer = "#/" + strings.NewReplacer(".", "/", "[", "/", "]", "").Replace(c.field)
				}
				named := false
				for _, e := range p["errors"].([]any) {
					issue := e.(map[string]any)
					got, _ := issue["pointer"].(string)
					named = named || issue["field"] == c.field && got == pointer
				}
				if !named {
					t.Fatalf("problem does not name %q at %q: %s", c.field, pointer, r.body)
				}
			}
			if after := countReferrals(t, h); after != before {
				t.Fatalf("%d referrals written by a refused request", after-before)
			}
		})
	}
}

func TestIdempotencyETagAndVisibility(t *testing.T) {
	t.Parallel()
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

	// Completing before the referral is accepted is refused, and the
	// refusal is not kept for its key: the same request under the same
	// key, once the referral is in progress, completes it (a partner
	// system's review: the stale 409 was replayed with the referral in
	// progress).
	completion := map[string]any{"outcome": "help-given", "note": "Debt plan agreed",
		"gain": map[string]any{"weekly_income_pence": 4250, "debt_written_off_pence": 350000}, "advice_type": "type-2", "advice_topic": "debt"}
	if early := h.do(t, "POST", "/api/v1/referrals/"+ref+"/complete", cab, completion, "Idempotency-Key", "a5"); early.status != http.StatusConflict {
		t.Fatalf("completing a referral still waiting to be accepted: %d %s", early.status, early.body)
	}

	// Stale If-Match: 412, saying who changed it.
	if r := h.do(t, "POST", "/api/v1/referrals/"+ref+"/accept", cab, nil, "Idempotency-Key", "a1", "If-Match", `"v1"`); r.status != 200 || r.header.Get("ETag") != `"v2"` {
		t.Fatalf("accept: %d %s", r.status, r.body)
	}
	stale := h.do(t, "POST", "/api/v1/referrals/"+ref+"/contacted", cab, nil, "Idempotency-Key", "a2", "If-Match", `"v1"`)
	if stale.status != http.StatusPreconditionFailed || !strings.Contains(stale.json(t)["detail"].(string), "accepted by Casework system") {
		t.Fatalf("stale If-Match: %d %s", stale.status, stale.body)
	}
	// The 412 is not kept for its key: the partner reads the version
	// again and sends the same action under the same key (a partner
	// system's review: the old 412 was replayed).
	if r := h.do(t, "POST", "/api/v1/referrals/"+ref+"/contacted", cab, nil, "Idempotency-Key", "a2", "If-Match", `"v2"`); r.status != 200 ||
		r.header.Get("Idempotent-Replayed") != "" {
		t.Fatalf("the same key with the version read again: %d %s", r.status, r.body)
	}
	// Completing needs an outcome from the list.
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
	done := h.do(t, "POST", "/api/v1/referrals/"+ref+"/complete", cab, completion, "Idempotency-Key", "a5")
	if done.status != 200 || done.header.Get("Idempotent-Replayed") != "" || done.json(t)["status"] != "completed" || done.json(t)["outcome"] != "help-given" || done.json(t)["advice_type"] != "type-2" {
		t.Fatalf("complete: %d %s", done.status, done.body)
	}
	if g, _ := done.json(t)["gain"].(map[string]any); g["weekly_income_pence"] != float64(4250) || g["debt_written_off_pence"] != float64(350000) {
		t.Errorf("the completed referral's gain = %v", done.json(t)["gain"])
	}

	// Cursor pagination over what changed.
	for i := 0; i < 3; i++ {
		h.do(t, "POST", "/api/v1/referrals", referrer, newReferral("P-"+strconv.Itoa(i)), "Idempotency-Key", "p"+string(rune('a'+i)))
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
			// Each carries the case id its partner gave it (C-1 or P-n).
			if c, _ := item["case_id"].(string); c != "C-1" && !strings.HasPrefix(c, "P-") {
				t.Errorf("listed %s with case_id %v, want the partner's", item["reference"], c)
			}
		}
		next, _ := m["next_cursor"].(string)
		resume, _ := m["next_updated_since"].(string)
		if next != "" && resume != "" {
			t.Errorf("a page with a next_cursor also says where the next walk starts (%q)", resume)
		}
		if next == "" {
			// The last page says where the next walk starts: FollowSettle
			// before the walk began, for changes still committing.
			want := h.env.Clock.Now().Add(-core.FollowSettle).UTC().Format(time.RFC3339Nano)
			if resume != want {
				t.Errorf("the last page's next_updated_since %q, want %q", resume, want)
			}
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
	t.Parallel()
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
	t.Parallel()
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

// TestIfMatchNamingNoVersionIsStale: If-Match compares strongly (RFC 9110
// §13.1.1), so a tag that names no version the referral was ever at, or
// a weak tag, is as stale as an old version: 412, and nothing changes.
// "*" is true whenever the referral exists.
func TestIfMatchNamingNoVersionIsStale(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	referrer := h.token(t, h.partner(t, h.env.Net.Welfare, core.ScopeRead, core.ScopeRefer))
	cab := h.token(t, h.partner(t, h.env.Net.CAB, core.ScopeRead, core.ScopeAct))
	cases := []struct {
		ifMatch string
		status  int
	}{
		{`"v0"`, 412},
		{`"v00"`, 412},
		{`"v01"`, 412},
		{`W/"v1"`, 412},
		{`W/"v0"`, 412},
		{`"v2"`, 412},
		{`"v1"`, 200},
		{`*`, 200},
		{`v1`, 422},
		// A list holds when any strong tag in it is current (RFC 9110
		// §13.1.1); one was once refused as malformed.
		{`"v9", "v1"`, 200},
		{`"v1",`, 200},
		{`W/"v1", "v1"`, 200},
		{`"v2", "v3"`, 412},
		{`W/"v1", "v0"`, 412},
		{`"v1" "v2"`, 422},
		{`*, "v1"`, 422},
		{`"v1`, 422},
		{`,`, 422},
	}
	for i, c := range cases {
		t.Run(c.ifMatch, func(t *testing.T) {
			created := h.do(t, "POST", "/api/v1/referrals", referrer, newReferral("IM-"+strconv.Itoa(i)), "Idempotency-Key", "im-"+strconv.Itoa(i))
			if created.status != 201 || created.header.Get("ETag") != `"v1"` {
				t.Fatalf("create: %d %s", created.status, created.body)
			}
			ref := created.json(t)["reference"].(string)
			r := h.do(t, "POST", "/api/v1/referrals/"+ref+"/accept", cab, nil, "Idempotency-Key", "im-accept-"+strconv.Itoa(i), "If-Match", c.ifMatch)
			if r.status != c.status {
				t.Fatalf("If-Match %s: %d %s, want %d", c.ifMatch, r.status, r.body, c.status)
			}
			// A malformed header is named as sent, with no pointer: a
			// pointer is a place in a body.
			if c.status == 422 {
				issues, _ := r.json(t)["errors"].([]any)
				if len(issues) != 1 || issues[0].(map[string]any)["field"] != "If-Match" || issues[0].(map[string]any)["pointer"] != nil {
					t.Fatalf("If-Match %s: %s, want one error naming If-Match with no pointer", c.ifMatch, r.body)
				}
			}
			want := "accepted"
			if c.status != 200 {
				want = "requested"
				if ct := r.header.Get("Content-Type"); ct != "application/problem+json" {
					t.Fatalf("content type %q, want a problem", ct)
				}
			}
			if now := h.do(t, "GET", "/api/v1/referrals/"+ref, cab, nil); now.json(t)["status"] != want {
				t.Fatalf("after If-Match %s the referral is %v, want %s", c.ifMatch, now.json(t)["status"], want)
			}
		})
	}
}

// TestJSONBodiesMustBeUTF8: JSON text is UTF-8 (RFC 8259 §8.1); a body
// that is not is refused as it is, never stored with its bytes replaced
// by U+FFFD. So is a string escaping half of a character (a lone
// surrogate, as a program that cuts an emoji in two sends), which the
// decoder would store as U+FFFD too. Every operation that takes a JSON
// body refuses both.
func TestJSONBodiesMustBeUTF8(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	referrer := h.token(t, h.partner(t, h.env.Net.Welfare, core.ScopeRead, core.ScopeRefer))
	cab := h.token(t, h.partner(t, h.env.Net.CAB, core.ScopeRead, core.ScopeAct))
	created := h.do(t, "POST", "/api/v1/referrals", referrer, newReferral("U"), "Idempotency-Key", "utf8-create")
	if created.status != 201 {
		t.Fatalf("create: %d %s", created.status, created.body)
	}
	ref := created.json(t)["reference"].(string)
	referral, _ := json.Marshal(newReferral("U-2"))
	cases := []struct {
		name, path, token string
		body              []byte
		says              string
	}{
		{"referral", "/api/v1/referrals", referrer, bytes.Replace(referral, []byte("Morag"), []byte("Mor\xffag"), 1), "UTF-8"},
		{"action", "/api/v1/referrals/" + ref + "/reject", cab, []byte("{\"reason\": \"not-eligible\", \"feedback\": \"Out\xffside our area\"}"), "UTF-8"},
		{"webhook", "/api/v1/webhooks", referrer, []byte("{\"url\": \"https://casework.example/hooks/\xff\"}"), "UTF-8"},
		{"referral, half a character", "/api/v1/referrals", referrer, bytes.Replace(referral, []byte("Morag"), []byte(`Mo\ud800rag`), 1), "half of a character"},
		{"action, half a character", "/api/v1/referrals/" + ref + "/reject", cab, []byte(`{"reason": "not-eligible", "feedback": "Outside our area \udc00"}`), "half of a character"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			before := countReferrals(t, h)
			r := h.do(t, "POST", c.path, c.token, c.body, "Idempotency-Key", "utf8-"+c.name)
			if r.status != 400 || r.header.Get("Content-Type") != "application/problem+json" || !strings.Contains(r.json(t)["detail"].(string), c.says) {
				t.Fatalf("%d %s, want 400 saying %q", r.status, r.body, c.says)
			}
			if after := countReferrals(t, h); after != before {
				t.Fatalf("%d referrals written by a refused request", after-before)
			}
		})
	}
	if now := h.do(t, "GET", "/api/v1/referrals/"+ref, cab, nil); now.json(t)["status"] != "requested" {
		t.Fatalf("a refused action moved the referral to %v", now.json(t)["status"])
	}
	if hooks := h.do(t, "GET", "/api/v1/webhooks", referrer, nil); strings.Contains(string(hooks.body), "casework.example") {
		t.Fatalf("a refused subscription was kept: %s", hooks.body)
	}
}

// TestTokenRequestErrors: the token endpoint answers RFC 6749 §5.2's
// codes: a missing (or empty, §3.2) grant_type is invalid_request; a
// grant type given but not supported is unsupported_grant_type.
func TestTokenRequestErrors(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	c := h.partner(t, h.env.Net.Welfare, core.ScopeRead)
	cases := []struct {
		name, form, code string
	}{
		{"no grant_type", "scope=read", "invalid_request"},
		{"empty grant_type", "grant_type=", "invalid_request"},
		{"another grant type", "grant_type=password", "unsupported_grant_type"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			resp := h.tokenRequest(t, c, tc.form)
			defer resp.Body.Close()
			var out struct {
				Error       string `json:"error"`
				Description string `json:"error_description"`
			}
			if err := json.NewDecoder(resp.Body).Decode(&out); err != nil {
				t.Fatal(err)
			}
			if resp.StatusCode != 400 || out.Error != tc.code || !strings.Contains(out.Description, "grant_type") {
				t.Fatalf("%d %+v, want 400 %s naming grant_type", resp.StatusCode, out, tc.code)
			}
		})
	}
}

// TestTokenRequestOnceAndOneWay: a token request gives each parameter
// once (RFC 6749 §3.2) and authenticates one way (§2.3); a repeated
// parameter, or HTTP Basic with client_secret in the form too, was once
// taken, and is now a 400 invalid_request saying which. A client_id
// beside Basic names the client (§3.2.1): the same one is taken.
func TestTokenRequestOnceAndOneWay(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	c := h.partner(t, h.env.Net.Welfare, core.ScopeRead)
	other := h.partner(t, h.env.Net.CAB, core.ScopeRead)
	form := func(v url.Values) string { return v.Encode() }
	for _, tc := range []struct {
		name  string
		basic bool
		form  string
		says  string // "" for a token
	}{
		{"grant_type twice", true, "grant_type=client_credentials&grant_type=x", "grant_type is given more than once"},
		{"grant_type twice, the same", true, "grant_type=client_credentials&grant_type=client_credentials", "grant_type is given more than once"},
		{"scope twice", true, "grant_type=client_credentials&scope=read&scope=read", "scope is given more than once"},
		{"Basic and the form's secret", true, form(url.Values{"grant_type": {"client_credentials"},
			"client_id": {c.Partner.ClientID}, "client_secret": {c.Secret}}), "authenticate one way"},
		{"Basic and another client's id", true, form(url.Values{"grant_type": {"client_credentials"},
			"client_id": {other.Partner.ClientID}}), "not the client of the HTTP Basic credentials"},
		{"Basic and the same client's id", true, form(url.Values{"grant_type": {"client_credentials"},
			"client_id": {c.Partner.ClientID}}), ""},
		{"the form alone", false, form(url.Values{"grant_type": {"client_credentials"},
			"client_id": {c.Partner.ClientID}, "client_secret": {c.Secret}}), ""},
		{"the form's secret twice", false, form(url.Values{"grant_type": {"client_credentials"},
			"client_id": {c.Partner.ClientID}, "client_secret": {c.Secret, c.Secret}}), "client_secret is given more than once"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			req, _ := http.NewRequest("POST", h.srv.URL+"/oauth/token", strings.NewReader(tc.form))
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			if tc.basic {
				req.SetBasicAuth(c.Partner.ClientID, c.Secret)
			}
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			var out struct {
				AccessToken string `json:"access_token"`
				Error       string `json:"error"`
				Description string `json:"error_description"`
			}
			if err := json.NewDecoder(resp.Body).Decode(&out); err != nil {
				t.Fatal(err)
			}
			if tc.says == "" {
				if resp.StatusCode != 200 || out.AccessToken == "" {
					t.Fatalf("%d %s %s, want a token", resp.StatusCode, out.Error, out.Description)
				}
				return
			}
			if resp.StatusCode != 400 || out.Error != "invalid_request" || !strings.Contains(out.Description, tc.says) || out.AccessToken != "" {
				t.Fatalf("%d %s %q, want 400 invalid_request saying %q", resp.StatusCode, out.Error, out.Description, tc.says)
			}
		})
	}
}

// TestTokenRequestMustBeAForm: the token request is form-encoded (RFC
// 6749 §3.2, §4.4.2). A JSON body carrying grant_type was told to "send
// grant_type=client_credentials", which it had; it is told the body must
// be application/x-www-form-urlencoded. A token answer is not to be
// cached by anyone, HTTP/1.0 caches included (RFC 6749 §5.1: no-store and
// Pragma: no-cache).
func TestTokenRequestMustBeAForm(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	c := h.partner(t, h.env.Net.Welfare, core.ScopeRead)
	for _, ct := range []string{"application/json", "text/plain", ""} {
		req, _ := http.NewRequest("POST", h.srv.URL+"/oauth/token", strings.NewReader(`{"grant_type": "client_credentials"}`))
		if ct != "" {
			req.Header.Set("Content-Type", ct)
		}
		req.SetBasicAuth(c.Partner.ClientID, c.Secret)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		var out struct {
			Error       string `json:"error"`
			Description string `json:"error_description"`
		}
		err = json.NewDecoder(resp.Body).Decode(&out)
		resp.Body.Close()
		if err != nil || resp.StatusCode != 400 || out.Error != "invalid_request" || !strings.Contains(out.Description, "application/x-www-form-urlencoded") {
			t.Fatalf("a %q body: %d %+v, want 400 invalid_request saying the body must be application/x-www-form-urlencoded", ct, resp.StatusCode, out)
		}
	}
	resp := h.tokenRequest(t, c, "grant_type=client_credentials")
	resp.Body.Close()
	if resp.StatusCode != 200 || resp.Header.Get("Cache-Control") != "no-store" || resp.Header.Get("Pragma") != "no-cache" {
		t.Fatalf("token answer %d, Cache-Control %q, Pragma %q; want 200, no-store and no-cache", resp.StatusCode, resp.Header.Get("Cache-Control"), resp.Header.Get("Pragma"))
	}
}

// TestProblemTypeURIsLeadToTheirExplanation: the type of a refusal, read
// relative to the API as RFC 9457 has it, is a page that answers (not a
// 404) with that type's section: its title and what to do.
func TestProblemTypeURIsLeadToTheirExplanation(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	tok := h.token(t, h.partner(t, h.env.Net.Welfare, core.ScopeRead, core.ScopeRefer))
	for _, c := range []struct {
		name   string
		answer response
	}{
		{"no token", h.do(t, "GET", "/api/v1/referrals", "", nil)},
		{"no Idempotency-Key", h.do(t, "POST", "/api/v1/referrals", tok, newReferral("P-1"))},
		{"not found", h.do(t, "GET", "/api/v1/referrals/ONW-NOSUCH", tok, nil)},
		{"invalid fields", h.do(t, "POST", "/api/v1/referrals", tok, map[string]any{"case_id": "P-2"}, "Idempotency-Key", "p2")},
		{"malformed", h.do(t, "POST", "/api/v1/referrals", tok, `{"case_id":`, "Idempotency-Key", "p3")},
	} {
		t.Run(c.name, func(t *testing.T) {
			typ, _ := c.answer.json(t)["type"].(string)
			base, frag, ok := strings.Cut(typ, "#")
			if !ok || frag == "" {
				t.Fatalf("type %q names no anchor: %s", typ, c.answer.body)
			}
			page := h.do(t, "GET", base, "", nil)
			if page.status != 200 || !strings.HasPrefix(page.header.Get("Content-Type"), "text/html") {
				t.Fatalf("GET %s: %d %s", base, page.status, page.header.Get("Content-Type"))
			}
			if !strings.Contains(string(page.body), `id="`+frag+`"`) {
				t.Fatalf("the page at %s has no anchor %q", base, frag)
			}
		})
	}
}
