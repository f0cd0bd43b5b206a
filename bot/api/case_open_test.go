package api_test

import (
	"bytes"
	"net/http"
	"testing"

	"github.com/onward-network/onward/core"
)

// TestCreateRefusesASecondReferralOfAnOpenCase: a new referral with the
// case_id of one of the system's open referrals, under a new
// Idempotency-Key, is a 409 case-open problem naming the open referral
// (reference, status, link), as the document and the problems page
// describe; nothing is made. The first key replays the first answer, and
// once the referral is cancelled the case is referred again.
func TestCreateRefusesASecondReferralOfAnOpenCase(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	c := loadContract(t)
	create := c.operation(t, "createReferral")
	tok := h.token(t, h.partner(t, h.env.Net.Welfare, core.ScopeRead, core.ScopeRefer))
	first := h.do(t, "POST", "/api/v1/referrals", tok, newReferral("CASE-1042"), "Idempotency-Key", "case-1042")
	if first.status != http.StatusCreated {
		t.Fatalf("first: %d %s", first.status, first.body)
	}
	ref := first.json(t)["reference"].(string)

	second := h.do(t, "POST", "/api/v1/referrals", tok, newReferral("CASE-1042"), "Idempotency-Key", "case-1042-again")
	c.check(t, create, second)
	p := second.json(t)
	open, _ := p["open_referral"].(map[string]any)
	if second.status != http.StatusConflict || p["type"] != "/api/v1/problems#case-open" ||
		open["reference"] != ref || open["status"] != "requested" || open["href"] != "/api/v1/referrals/"+ref {
		t.Fatalf("a second referral of an open case: %d %s, want 409 case-open naming %s", second.status, second.body, ref)
	}
	if got := h.do(t, "GET", open["href"].(string), tok, nil); got.status != http.StatusOK {
		t.Errorf("GET the open referral's href: %d", got.status)
	}
	if page := h.do(t, "GET", "/api/v1/problems", "", nil); !bytes.Contains(page.body, []byte(`id="case-open"`)) {
		t.Errorf("the problems page does not explain case-open")
	}
	if again := h.do(t, "POST", "/api/v1/referrals", tok, newReferral("CASE-1042"), "Idempotency-Key", "case-1042"); again.status != http.StatusCreated ||
		!bytes.Equal(again.body, first.body) {
		t.Fatalf("the first request again: %d %s, want its first answer", again.status, again.body)
	}

	if r := h.do(t, "POST", "/api/v1/referrals/"+ref+"/cancel", tok, map[string]any{"feedback": "Referred again"},
		"Idempotency-Key", "cancel-1042"); r.status != http.StatusOK {
		t.Fatalf("cancel: %d %s", r.status, r.body)
	}
	if r := h.do(t, "POST", "/api/v1/referrals", tok, newReferral("CASE-1042"), "Idempotency-Key", "case-1042-anew"); r.status != http.StatusCreated {
		t.Fatalf("a closed case referred again: %d %s, want 201", r.status, r.body)
	}
}
