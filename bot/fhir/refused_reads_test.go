package fhir_test

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/onward-network/onward/core"
)

// TestFHIRReadsOfAnotherSystemsClientAreNotFoundAndAudited: a Patient or
// Consent of a referral another agency's system made, read by its id, is
// answered exactly as one that does not exist (404, the same words), and
// the attempt is audited on the referral as a refused read is (the
// client's subject access shows it); the system that made the referral
// reads both, and nothing is audited for it.
func TestFHIRReadsOfAnotherSystemsClientAreNotFoundAndAudited(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	referrer := h.token(t, h.env.Net.Welfare, core.ScopeRead, core.ScopeRefer)
	status, hdr, body := h.do(t, "POST", "/fhir", referrer, referralBundle)
	if status != http.StatusOK {
		t.Fatalf("transaction: %d %s", status, body)
	}
	ref := strings.TrimPrefix(hdr.Get("Location"), "https://onward.example/fhir/Task/")
	var answer struct {
		Entry []struct {
			Response struct{ Location string }
		}
	}
	if err := json.Unmarshal(body, &answer); err != nil {
		t.Fatal(err)
	}
	var patient, consent string
	for _, e := range answer.Entry {
		switch l := e.Response.Location; {
		case strings.HasPrefix(l, "Patient/"):
			patient = "/fhir/" + l
		case strings.HasPrefix(l, "Consent/"):
			consent = "/fhir/" + l
		}
	}
	if patient == "" || consent == "" {
		t.Fatalf("the transaction named no Patient or Consent: %s", body)
	}
	refused := func() int {
		t.Helper()
		var n int
		if err := h.env.Pool.QueryRow(context.Background(), `SELECT count(*) FROM events e JOIN referrals r ON r.id = e.referral_id
			WHERE e.kind = $1 AND r.reference = $2 AND e.actor_kind = 'partner' AND e.data->>'via' = 'fhir'`,
			core.EventAccessDenied, ref).Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}
	for _, path := range []string{patient, consent} {
		if status, _, body := h.do(t, "GET", path, referrer, ""); status != http.StatusOK {
			t.Fatalf("the referrer reads %s: %d %s", path, status, body)
		}
	}
	if n := refused(); n != 0 {
		t.Fatalf("%d refusals audited for the referrer's own reads", n)
	}

	housing := h.token(t, h.env.Net.Housing, core.ScopeRead)
	for i, c := range []struct{ path, missing string }{
		{patient, "/fhir/Patient/pt-aaaaaaaaaaaaaaaaaaaaaaaaaa"},
		{consent, "/fhir/Consent/consent-999999"},
	} {
		_, _, missing := h.do(t, "GET", c.missing, housing, "")
		status, _, body := h.do(t, "GET", c.path, housing, "")
		if status != http.StatusNotFound || !bytes.Equal(body, missing) {
			t.Errorf("another system reads %s: %d %s, want 404 as one that does not exist: %s", c.path, status, body, missing)
		}
		if n := refused(); n != i+1 {
			t.Errorf("after another system read %s, %d refusals audited on %s, want %d", c.path, n, ref, i+1)
		}
	}
}
