package api_test

import (
	"encoding/json"
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/onward-network/onward/bot/api"
	"github.com/onward-network/onward/core"
)

// TestCouldNotContactIsItsOwnAction: a partner records a client it could
// not reach as the staff web and Slack do, by its own action
// (POST …/could-not-contact, core's ActionFail), which closes an accepted
// referral as failed and is refused, in core's words, once the client was
// marked contacted; a retry with the same Idempotency-Key gets the
// first answer, and a stale If-Match is a 412. Completing with the
// outcome could-not-contact is a 422 on outcome saying what to do
// instead as the referral stands (accepted: that action; in progress: a
// completion with how the help ended), and nothing changes; the outcomes an unknown one lists, and those the
// document's CompleteAction gives, are the ones core lets a completion
// record.
func TestCouldNotContactIsItsOwnAction(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	referrer := h.token(t, h.partner(t, h.env.Net.Welfare, core.ScopeRead, core.ScopeRefer))
	cab := h.token(t, h.partner(t, h.env.Net.CAB, core.ScopeRead, core.ScopeAct))
	refer := func(caseID string) string {
		t.Helper()
		r := h.do(t, "POST", "/api/v1/referrals", referrer, newReferral(caseID), "Idempotency-Key", "refer-"+caseID)
		if r.status != http.StatusCreated {
			t.Fatalf("create: %d %s", r.status, r.body)
		}
		return r.json(t)["reference"].(string)
	}
	act := func(ref, action string, body any, headers ...string) response {
		t.Helper()
		return h.do(t, "POST", "/api/v1/referrals/"+ref+"/"+action, cab, body, headers...)
	}
	type problem struct {
		Status int
		Errors []struct{ Field, Pointer, Detail string }
	}
	problemOf := func(r response) problem {
		t.Helper()
		var p problem
		if err := json.Unmarshal(r.body, &p); err != nil {
			t.Fatalf("not a problem: %s", r.body)
		}
		return p
	}

	// Completing with could-not-contact: refused on outcome, saying what
	// to do instead as the referral stands, and nothing changes. In
	// progress, the client was reached: complete it with how the help
	// ended (never the could-not-contact action, refused there too).
	contacted := refer("CNC-1")
	act(contacted, "accept", nil, "Idempotency-Key", "cnc-1a")
	before := act(contacted, "contacted", nil, "Idempotency-Key", "cnc-1b").json(t)
	r := act(contacted, "complete", map[string]any{"outcome": "could-not-contact"}, "Idempotency-Key", "cnc-1c")
	p := problemOf(r)
	if r.status != http.StatusUnprocessableEntity || len(p.Errors) != 1 || p.Errors[0].Field != "outcome" || p.Errors[0].Pointer != "#/outcome" ||
		!strings.Contains(p.Errors[0].Detail, "already in progress: the client was reached") ||
		!strings.Contains(p.Errors[0].Detail, "help-given") || strings.Count(p.Errors[0].Detail, "could-not-contact") != 1 {
		t.Errorf("complete an in-progress referral with could-not-contact: %d %s, want 422 on outcome saying to complete it with how the help ended", r.status, r.body)
	}
	if now := h.do(t, "GET", "/api/v1/referrals/"+contacted, cab, nil).json(t); now["status"] != "in-progress" || now["version"] != before["version"] {
		t.Errorf("the refused completion changed the referral: %v", now)
	}
	// The action itself, in progress: core's refusal, in its words.
	r = act(contacted, "could-not-contact", nil, "Idempotency-Key", "cnc-1e")
	var refused struct{ Type, Detail string }
	_ = json.Unmarshal(r.body, &refused)
	if want := (&core.TransitionError{Action: core.ActionFail, Status: core.StatusInProgress, Why: core.FailAfterContact}).Error(); r.status != http.StatusConflict ||
		!strings.HasSuffix(refused.Type, "#not-allowed-now") || refused.Detail != want {
		t.Errorf("could-not-contact in progress: %d %s, want 409 not-allowed-now saying %q", r.status, r.body, want)
	}
	// An outcome that is none lists those a completion takes.
	r = act(contacted, "complete", map[string]any{"outcome": "unreachable"}, "Idempotency-Key", "cnc-1d")
	if p := problemOf(r); r.status != http.StatusUnprocessableEntity || len(p.Errors) != 1 ||
		!strings.Contains(p.Errors[0].Detail, "one of help-given,") || strings.Contains(p.Errors[0].Detail, "could-not-contact") {
		t.Errorf("an unknown outcome: %d %s, want the outcomes listed without could-not-contact", r.status, r.body)
	}

	// The action: closes the referral as failed, once. Accepted, the
	// client never marked contacted, a completion as could-not-contact
	// names it.
	accepted := refer("CNC-2")
	act(accepted, "accept", nil, "Idempotency-Key", "cnc-2a")
	r = act(accepted, "complete", map[string]any{"outcome": "could-not-contact"}, "Idempotency-Key", "cnc-2e")
	if p := problemOf(r); r.status != http.StatusUnprocessableEntity || len(p.Errors) != 1 || p.Errors[0].Field != "outcome" ||
		!strings.Contains(p.Errors[0].Detail, "never marked contacted") ||
		!strings.Contains(p.Errors[0].Detail, "POST /api/v1/referrals/"+accepted+"/could-not-contact") || strings.Contains(p.Errors[0].Detail, "help-given") {
		t.Errorf("complete an accepted referral with could-not-contact: %d %s, want 422 on outcome naming the could-not-contact action", r.status, r.body)
	}
	if r := act(accepted, "could-not-contact", nil, "Idempotency-Key", "cnc-2b", "If-Match", `"v1"`); r.status != http.StatusPreconditionFailed {
		t.Errorf("could-not-contact with a stale If-Match: %d %s, want 412", r.status, r.body)
	}
	done := act(accepted, "could-not-contact", nil, "Idempotency-Key", "cnc-2c", "If-Match", `"v2"`)
	if m := done.json(t); done.status != http.StatusOK || m["status"] != "failed" || m["closed_at"] == nil || m["outcome"] != nil || done.header.Get("ETag") != `"v3"` {
		t.Fatalf("could-not-contact: %d %s, want 200 and failed", done.status, done.body)
	}
	if again := act(accepted, "could-not-contact", nil, "Idempotency-Key", "cnc-2c", "If-Match", `"v2"`); again.status != http.StatusOK || string(again.body) != string(done.body) {
		t.Errorf("the same could-not-contact again: %d %s, want the first answer", again.status, again.body)
	}
	if r := act(accepted, "could-not-contact", map[string]any{"outcome": "could-not-contact"}, "Idempotency-Key", "cnc-2d"); r.status != http.StatusUnprocessableEntity {
		t.Errorf("could-not-contact with a field: %d %s, want 422", r.status, r.body)
	}

	// The document offers a completion the outcomes core lets it record.
	var doc struct {
		Components struct {
			Schemas map[string]struct {
				Properties map[string]struct {
					Enum []string `json:"enum"`
				} `json:"properties"`
			} `json:"schemas"`
		} `json:"components"`
	}
	if err := json.Unmarshal(api.OpenAPI(), &doc); err != nil {
		t.Fatal(err)
	}
	var want []string
	for _, o := range core.CompletionOutcomes() {
		want = append(want, string(o))
	}
	if got := doc.Components.Schemas["CompleteAction"].Properties["outcome"].Enum; !slices.Equal(got, want) {
		t.Errorf("CompleteAction's outcomes are %v, want %v", got, want)
	}
}
