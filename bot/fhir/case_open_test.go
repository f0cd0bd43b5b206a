package fhir_test

import (
	"bytes"
	"net/http"
	"strings"
	"testing"

	"github.com/onward-network/onward/core"
)

// TestFHIRRefusesASecondReferralOfAnOpenCase: a transaction Bundle under a
// new identifier whose Task carries the case id (urn:onward:partner-case-id)
// of one of the system's open referrals is a 409 OperationOutcome, code
// duplicate at Task.identifier, naming the open Task; nothing is written.
// The first Bundle again still gets its first answer.
func TestFHIRRefusesASecondReferralOfAnOpenCase(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	referrer := h.token(t, h.env.Net.Welfare, core.ScopeRead, core.ScopeRefer)
	status, hdr, first := h.do(t, "POST", "/fhir", referrer, referralBundle)
	if status != http.StatusOK {
		t.Fatalf("first: %d %s", status, first)
	}
	task := strings.TrimPrefix(hdr.Get("Location"), "https://onward.example/fhir/")
	before := h.referrals(t)
	another := strings.Replace(referralBundle, `"value": "NHSF-77"},`+"\n  \"entry\"", `"value": "NHSF-77-again"},`+"\n  \"entry\"", 1)
	if another == referralBundle {
		t.Fatal("the Bundle's identifier was not changed")
	}
	status, _, body := h.do(t, "POST", "/fhir", referrer, another)
	oo := validR4(t, body)
	issue, _ := oo["issue"].([]any)
	if status != http.StatusConflict || len(issue) != 1 || issue[0].(map[string]any)["code"] != "duplicate" ||
		!hasIssue(oo, "Task.identifier", task) {
		t.Fatalf("a second referral of an open case: %d %s, want 409 duplicate at Task.identifier naming %s", status, body, task)
	}
	if h.referrals(t) != before {
		t.Fatal("the refused Bundle wrote a referral")
	}
	if status, _, again := h.do(t, "POST", "/fhir", referrer, referralBundle); status != http.StatusOK || !bytes.Equal(again, first) {
		t.Fatalf("the first Bundle again: %d %s, want its first answer", status, again)
	}
}
