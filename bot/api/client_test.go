package api_test

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/onward-network/onward/core"
	"github.com/onward-network/onward/core/coretest"
)

// clientReferral is a referral from the Welfare Rights partner to the CAB
// with every client detail a create request takes, and what was sent.
func clientReferral(t *testing.T, h *harness, referrer, caseID string) (string, map[string]any) {
	t.Helper()
	in := newReferral(caseID)
	client := map[string]any{"name": "Morag Baird", "phone": "07700 900123", "email": "morag@example.org",
		"postcode": "KY1 1AB", "notes": "Rent arrears letter", "preferred_contact": "call", "contact_time": "morning",
		"language": "en", "interpreter_language": "ro"}
	in["client"] = client
	r := h.do(t, "POST", "/api/v1/referrals", referrer, in, "Idempotency-Key", "client-"+caseID)
	if r.status != http.StatusCreated {
		t.Fatalf("refer %s: %d %s", caseID, r.status, r.body)
	}
	return r.json(t)["reference"].(string), client
}

// auditRow is one event of a kind on a referral, as the audit log keeps it.
type auditRow struct {
	ActorKind string
	ActorID   int64
	Via       string
	Action    string
}

func auditRows(t *testing.T, h *harness, kind core.EventKind, ref string) []auditRow {
	t.Helper()
	rows, err := h.env.Pool.Query(context.Background(), `SELECT e.actor_kind, coalesce(e.actor_id, 0),
		coalesce(e.data->>'via', ''), coalesce(e.data->>'action', '')
		FROM events e JOIN referrals r ON r.id = e.referral_id WHERE e.kind = $1 AND r.reference = $2 ORDER BY e.id`, kind, ref)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out []auditRow
	for rows.Next() {
		var a auditRow
		if err := rows.Scan(&a.ActorKind, &a.ActorID, &a.Via, &a.Action); err != nil {
			t.Fatal(err)
		}
		out = append(out, a)
	}
	return out
}

// The receiving agency's casework system reads the client's details as
// the referrer sent them, under the members it would send them in, once
// its credentials hold the read scope, as for FHIR's Patient: one
// disclosure recorded naming it, through the API. Without the scope it is
// told which scope it needs;
// another agency's system is answered as if the referral did not exist,
// and the attempt is recorded.
func TestReceivingSystemReadsTheClient(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	n := h.env.Net
	referrer := h.token(t, h.partner(t, n.Welfare, core.ScopeRead, core.ScopeRefer))
	cabCreds := h.partner(t, n.CAB, core.ScopeRead, core.ScopeAct)
	ref, sent := clientReferral(t, h, referrer, "READ-1")
	path := "/api/v1/referrals/" + ref + "/client"

	r := h.do(t, "GET", path, h.token(t, cabCreds), nil)
	if r.status != http.StatusOK {
		t.Fatalf("read the client: %d %s", r.status, r.body)
	}
	if cc := r.header.Get("Cache-Control"); cc != "no-store" {
		t.Errorf("Cache-Control %q, want no-store", cc)
	}
	got := r.json(t)
	for k, v := range sent {
		want := v
		if k == "phone" {
			want = "+447700900123"
		}
		if got[k] != want {
			t.Errorf("%s: got %v, want %v", k, got[k], want)
		}
	}
	if got["phone_passed_on"] != false {
		t.Errorf("phone_passed_on: %v, want false", got["phone_passed_on"])
	}
	disclosed := auditRows(t, h, core.EventDisclosed, ref)
	if want := []auditRow{{ActorKind: "partner", ActorID: int64(cabCreds.Partner.ID), Via: "api"}}; len(disclosed) != 1 || disclosed[0] != want[0] {
		t.Errorf("disclosures recorded: %+v, want %+v", disclosed, want)
	}

	// Act, but not read: refused, naming the scope.
	r = h.do(t, "GET", path, h.token(t, h.partner(t, n.CAB, core.ScopeAct)), nil)
	if p := r.json(t); r.status != http.StatusForbidden || p["type"] != "/api/v1/problems#forbidden" || !strings.Contains(p["detail"].(string), `"read" scope`) {
		t.Errorf("without the read scope: %d %s, want 403 naming the read scope", r.status, r.body)
	}

	// Another agency's system, with the scope: not found, and recorded.
	housing := h.partner(t, n.Housing, core.ScopeRead)
	r = h.do(t, "GET", path, h.token(t, housing), nil)
	if p := r.json(t); r.status != http.StatusNotFound || p["type"] != "/api/v1/problems#not-found" {
		t.Errorf("another agency's system: %d %s, want 404 as for a referral it may not see", r.status, r.body)
	}
	denied := auditRows(t, h, core.EventAccessDenied, ref)
	if want := (auditRow{ActorKind: "partner", ActorID: int64(housing.Partner.ID), Via: "api", Action: "view-details"}); len(denied) != 1 || denied[0] != want {
		t.Errorf("refusals recorded: %+v, want %+v", denied, want)
	}
	if got := len(auditRows(t, h, core.EventDisclosed, ref)); got != 1 {
		t.Errorf("%d disclosures recorded after the refusals, want still 1", got)
	}
}

// Each refusal of the disclosure rule (core.Actor.MayDisclose) reaches
// the receiving system as a problem saying why in the rule's words: 403
// when the details are not its agency's to see, 410 when they go to
// nobody any more (consent withdrawn, client erased). Each refusal is
// recorded; nothing is disclosed.
func TestClientReadRefusedSaysWhy(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	ctx := context.Background()
	n := h.env.Net
	referrer := h.token(t, h.partner(t, n.Welfare, core.ScopeRead, core.ScopeRefer))
	cab := h.token(t, h.partner(t, n.CAB, core.ScopeRead, core.ScopeAct))
	exec := func(sql string, args ...any) {
		t.Helper()
		if _, err := h.env.Pool.Exec(ctx, sql, args...); err != nil {
			t.Fatal(err)
		}
	}
	for _, c := range []struct {
		name   string
		before func(ref string)
		status int
		typ    string
		says   string
	}{
		{"closed", func(ref string) {
			if r := h.do(t, "POST", "/api/v1/referrals/"+ref+"/reject", cab, map[string]any{"reason": "not-eligible", "feedback": "Not eligible"},
				"Idempotency-Key", "reject-"+ref); r.status != http.StatusOK {
				t.Fatalf("reject: %d %s", r.status, r.body)
			}
		}, 403, "client-not-shared", "this referral is closed: the client's details are no longer shared"},
		{"consent does not cover the agency", func(ref string) {
			exec(`UPDATE consents SET agency_ids = ARRAY[$2::bigint] WHERE id = (SELECT consent_id FROM referrals WHERE reference = $1)`, ref, int64(n.Welfare))
		}, 403, "client-not-shared", "the client's consent does not cover sharing their details with this agency"},
		{"consent withdrawn", func(ref string) {
			exec(`UPDATE consents SET withdrawn_at = now() WHERE id = (SELECT consent_id FROM referrals WHERE reference = $1)`, ref)
		}, 410, "client-withheld", "the client withdrew consent to share their details"},
		{"erased", func(ref string) {
			id, _, err := h.env.Engine.ClientByReference(ctx, ref)
			if err != nil {
				t.Fatal(err)
			}
			if err := h.env.Engine.EraseClient(ctx, id, n.Coordinator.Actor(), core.ErasureClientAsked, "web"); err != nil {
				t.Fatal(err)
			}
		}, 410, "client-withheld", "the client's details were erased"},
	} {
		t.Run(c.name, func(t *testing.T) {
			ref, _ := clientReferral(t, h, referrer, strings.ReplaceAll(c.name, " ", "-"))
			c.before(ref)
			r := h.do(t, "GET", "/api/v1/referrals/"+ref+"/client", cab, nil)
			p := r.json(t)
			if r.status != c.status || p["type"] != "/api/v1/problems#"+c.typ || !strings.HasSuffix(p["detail"].(string), ": "+c.says) {
				t.Errorf("%d %s\nwant %d %s saying %q", r.status, r.body, c.status, c.typ, c.says)
			}
			if p["name"] != nil || strings.Contains(string(r.body), "Morag") {
				t.Errorf("the refusal carries the client's details: %s", r.body)
			}
			if got := auditRows(t, h, core.EventAccessDenied, ref); len(got) != 1 || got[0].Via != "api" || got[0].ActorKind != "partner" {
				t.Errorf("refusals recorded: %+v, want one by the partner via api", got)
			}
			if got := auditRows(t, h, core.EventDisclosed, ref); len(got) != 0 {
				t.Errorf("disclosures recorded: %+v, want none", got)
			}
		})
	}
}

// The number given with a referral has since passed to a stranger, who
// proved it: the receiving system is told so, and given no number to
// ring, as staff are.
func TestClientReadWithholdsAPassedOnPhone(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	ctx := context.Background()
	n := h.env.Net
	referrer := h.token(t, h.partner(t, n.Welfare, core.ScopeRead, core.ScopeRefer))
	ref, _ := clientReferral(t, h, referrer, "PASSED-1")
	h.env.Clock.Advance(2 * 365 * 24 * time.Hour)
	stranger := coretest.SelfReferral("passed-api-stranger")
	stranger.Client.Name, stranger.Client.Phone = "Ailsa Fictional", "07700 900123"
	if _, err := h.env.Engine.SelfRefer(ctx, stranger); err != nil {
		t.Fatal(err)
	}
	// A token got now: one got before the two years has expired.
	r := h.do(t, "GET", "/api/v1/referrals/"+ref+"/client", h.token(t, h.partner(t, n.CAB, core.ScopeRead)), nil)
	if r.status != http.StatusOK {
		t.Fatalf("read the client: %d %s", r.status, r.body)
	}
	got := r.json(t)
	if _, has := got["phone"]; has || got["phone_passed_on"] != true || got["email"] != "morag@example.org" {
		t.Errorf("passed-on phone: %s, want no phone, phone_passed_on true and the rest", r.body)
	}
	if strings.Contains(string(r.body), "900123") {
		t.Errorf("the number is in the answer: %s", r.body)
	}
}
