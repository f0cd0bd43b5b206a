package api_test

import (
	"encoding/json"
	"strconv"
	"strings"
	"testing"

	"github.com/onward-network/onward/core"
)

// TestIfMatchThatCanNeverMatchSaysSo (review R2 F6): a weak If-Match, or
// one naming a version Onward never writes, is refused (412, nothing
// changes) saying plainly that such a tag can never match and which tag
// to send, not "someone else changed the referral first", which sends an
// integrator to read it again, get the same ETag and loop. A tag that
// was current once still says who changed it.
func TestIfMatchThatCanNeverMatchSaysSo(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	referrer := h.token(t, h.partner(t, h.env.Net.Welfare, core.ScopeRead, core.ScopeRefer))
	cab := h.token(t, h.partner(t, h.env.Net.CAB, core.ScopeRead, core.ScopeAct))
	for i, c := range []struct {
		ifMatch string
		title   string
		says    []string
	}{
		{`W/"v1"`, "That If-Match tag can never match", []string{`W/"v1" is a weak tag`, `is now "v1"`, "without W/"}},
		{`"v0"`, "That If-Match tag can never match", []string{`"v0" names no version`, `is now "v1"`}},
		{`"v01"`, "That If-Match tag can never match", []string{`"v01" names no version`, `is now "v1"`}},
		{`"v2"`, "Someone else changed the referral first", nil},
		{`W/"v1", "v0"`, "That If-Match tag can never match", []string{`W/"v1", "v0" holds no tag that can match`, `is now "v1"`}},
		{`W/"v1", "v2"`, "Someone else changed the referral first", nil},
	} {
		created := h.do(t, "POST", "/api/v1/referrals", referrer, newReferral("IM-"+strconv.Itoa(i)), "Idempotency-Key", "never-"+strconv.Itoa(i))
		if created.status != 201 {
			t.Fatalf("create: %d %s", created.status, created.body)
		}
		ref := created.json(t)["reference"].(string)
		r := h.do(t, "POST", "/api/v1/referrals/"+ref+"/accept", cab, nil, "Idempotency-Key", "never-accept-"+strconv.Itoa(i), "If-Match", c.ifMatch)
		var p struct{ Title, Detail string }
		_ = json.Unmarshal(r.body, &p)
		if r.status != 412 || p.Title != c.title {
			t.Errorf("If-Match %s: %d %s, want 412 %q", c.ifMatch, r.status, r.body, c.title)
			continue
		}
		for _, s := range c.says {
			if !strings.Contains(p.Detail, s) {
				t.Errorf("If-Match %s: %q, want it to say %q", c.ifMatch, p.Detail, s)
			}
		}
		if now := h.do(t, "GET", "/api/v1/referrals/"+ref, cab, nil); now.json(t)["status"] != "requested" {
			t.Errorf("If-Match %s changed the referral: %s", c.ifMatch, now.body)
		}
	}
}

// TestReferralReadIfNoneMatch: a referral read whose If-None-Match names
// its current ETag ("v1", W/"v1", in a list, or *) answers 304 Not
// Modified with the ETag and no body; another version's answers 200.
func TestReferralReadIfNoneMatch(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	referrer := h.token(t, h.partner(t, h.env.Net.Welfare, core.ScopeRead, core.ScopeRefer))
	created := h.do(t, "POST", "/api/v1/referrals", referrer, newReferral("INM-1"), "Idempotency-Key", "inm-1")
	if created.status != 201 {
		t.Fatalf("create: %d %s", created.status, created.body)
	}
	path := "/api/v1/referrals/" + created.json(t)["reference"].(string)
	for _, c := range []struct {
		ifNoneMatch string
		want        int
	}{
		{`"v1"`, 304},
		{`W/"v1"`, 304},
		{`"v7", "v1"`, 304},
		{`*`, 304},
		{`"v2"`, 200},
		{`"1"`, 200},
	} {
		r := h.do(t, "GET", path, referrer, nil, "If-None-Match", c.ifNoneMatch)
		if r.status != c.want || r.header.Get("ETag") != `"v1"` || c.want == 304 && len(r.body) != 0 || c.want == 200 && r.json(t)["status"] != "requested" {
			t.Errorf("If-None-Match %s: %d, ETag %q, body %s; want %d with the ETag \"v1\"", c.ifNoneMatch, r.status, r.header.Get("ETag"), r.body, c.want)
		}
	}
}
