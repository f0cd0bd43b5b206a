package api_test

import (
	"context"
	"net/http"
	"strings"
	"testing"
)

// TestARedirectKeepsThePartnersCase: when the receiving agency sends a
// partner's referral on, the partner's system can follow its client: the
// redirected referral names the new one, and the new one names it back
// and carries the partner's case id, so it files with the same case
// without anyone typing it in again. The partner's webhook hears of the
// new referral, and a redirect is refused, naming to_agency, when it says
// nowhere, somewhere unknown, or the agency it is already with.
func TestARedirectKeepsThePartnersCase(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	referrer := h.token(t, h.partner(t, h.env.Net.Welfare, "read", "refer"))
	cab := h.token(t, h.partner(t, h.env.Net.CAB, "read", "act"))
	housing := h.token(t, h.partner(t, h.env.Net.Housing, "read"))
	hook := h.do(t, "POST", "/api/v1/webhooks", referrer, map[string]any{"url": "https://casework.example/hooks"}, "Idempotency-Key", "hook")
	if hook.status != http.StatusCreated {
		t.Fatalf("subscribe: %d %s", hook.status, hook.body)
	}

	in := newReferral("C-77")
	in["needs"] = []string{"debt", "housing"}
	in["consent"] = map[string]any{"wording_version": "v1", "scope": "network", "witnessed_by": "Isla Moffat"}
	created := h.do(t, "POST", "/api/v1/referrals", referrer, in, "Idempotency-Key", "r1")
	if created.status != http.StatusCreated {
		t.Fatalf("create: %d %s", created.status, created.body)
	}
	first := created.json(t)["reference"].(string)
	if _, ok := created.json(t)["referred_on_as"]; ok {
		t.Errorf("a new referral names a referral that carried it on: %s", created.body)
	}

	for _, c := range []struct {
		name, path string
		body       map[string]any
		want       string
	}{
		{"no agency", "redirect", map[string]any{"feedback": "Tenancy question"}, "say which agency"},
		{"an unknown agency", "redirect", map[string]any{"to_agency": "nowhere-advice"}, `nowhere-advice\" in the directory`},
		{"the agency it is with", "redirect", map[string]any{"to_agency": "kirkton-cab"}, "a different agency"},
		{"an agency on an accept", "accept", map[string]any{"to_agency": "housing-options"}, "to_agency is not accepted by accept"},
	} {
		r := h.do(t, "POST", "/api/v1/referrals/"+first+"/"+c.path, cab, c.body, "Idempotency-Key", "bad-"+c.name)
		if r.status != http.StatusUnprocessableEntity || !strings.Contains(string(r.body), `"field":"to_agency"`) || !strings.Contains(string(r.body), c.want) {
			t.Errorf("%s: %d %s, want 422 naming to_agency and saying %q", c.name, r.status, r.body, c.want)
		}
	}
	if got := h.do(t, "GET", "/api/v1/referrals/"+first, cab, nil).json(t)["status"]; got != "requested" {
		t.Fatalf("after the refusals the referral is %v, want requested", got)
	}

	redirected := h.do(t, "POST", "/api/v1/referrals/"+first+"/redirect", cab,
		map[string]any{"to_agency": "housing-options", "feedback": "Their landlord is the question: Housing Options will help"}, "Idempotency-Key", "redirect")
	if redirected.status != http.StatusOK {
		t.Fatalf("redirect: %d %s", redirected.status, redirected.body)
	}
	was := redirected.json(t)
	onward, _ := was["referred_on_as"].(string)
	if was["status"] != "rejected" || was["reason"] != "redirected" || onward == "" || onward == first {
		t.Fatalf("the redirected referral: %s", redirected.body)
	}
	// A reference is read in any case, as the staff web reads it.
	if got := h.do(t, "GET", "/api/v1/referrals/"+strings.ToLower(first), referrer, nil).json(t); got["referred_on_as"] != onward || got["reference"] != first {
		t.Errorf("the referrer reads %v as %s (in lower case), want referred_on_as %s", got, first, onward)
	}

	next := h.do(t, "GET", "/api/v1/referrals/"+onward, referrer, nil)
	if next.status != http.StatusOK {
		t.Fatalf("the referrer reads the new referral: %d %s", next.status, next.body)
	}
	n := next.json(t)
	if n["case_id"] != "C-77" || n["referred_on_from"] != first || n["from_agency"] != "kc-welfare-rights" ||
		n["to_agency"] != "housing-options" || n["status"] != "requested" {
		t.Errorf("the new referral as the referrer reads it: %s", next.body)
	}
	if _, ok := n["referred_on_as"]; ok {
		t.Errorf("the new referral names one that carried it on: %s", next.body)
	}

	// The agency it went on to sees where it came from, not the referral
	// it never held.
	if r := h.do(t, "GET", "/api/v1/referrals/"+onward, housing, nil); r.status != http.StatusOK || r.json(t)["referred_on_from"] != first {
		t.Errorf("Housing reads the new referral: %d %s", r.status, r.body)
	}
	if r := h.do(t, "GET", "/api/v1/referrals/"+first, housing, nil); r.status != http.StatusNotFound {
		t.Errorf("Housing reads the referral CAB held: %d %s", r.status, r.body)
	}

	// The referrer's list files both under its case.
	list := h.do(t, "GET", "/api/v1/referrals?limit=10", referrer, nil)
	cases := map[string]any{}
	for _, d := range list.json(t)["data"].([]any) {
		item := d.(map[string]any)
		cases[item["reference"].(string)] = item["case_id"]
	}
	if cases[first] != "C-77" || cases[onward] != "C-77" {
		t.Errorf("the referrer's list gives case ids %v, want C-77 for %s and %s", cases, first, onward)
	}

	// And its webhook hears of the new referral.
	var events int
	if err := h.env.Pool.QueryRow(context.Background(), `SELECT count(*) FROM outbox WHERE kind = 'webhook.referral'
		AND payload->'webhook'->>'reference' = $1 AND payload->'webhook'->>'event' = 'referral.created'`, onward).Scan(&events); err != nil {
		t.Fatal(err)
	}
	if events != 1 {
		t.Errorf("%d referral.created webhook events for %s, want 1", events, onward)
	}
}
