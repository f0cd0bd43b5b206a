package api_test

import (
	"context"
	"encoding/json"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/onward-network/onward/core"
)

// TestPartnerOfARetiredAgency: while the agency a partner system acts for
// has left the network, the token endpoint refuses its credentials as
// invalid_client and every call refuses the token it already holds with
// 401, as a revoked token is, both saying the agency has left; the answer
// is one the document lists. Bringing the agency back lets the same token
// and secret in again.
func TestPartnerOfARetiredAgency(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	ctx := context.Background()
	co := h.env.Net.Coordinator.Actor()
	c := h.partner(t, h.env.Net.CAB, core.ScopeRead)
	tok := h.token(t, c)
	if r := h.do(t, "GET", "/api/v1/agencies", tok, nil); r.status != 200 {
		t.Fatalf("before the agency left: %d %s", r.status, r.body)
	}
	agency, err := h.env.Engine.Agency(ctx, h.env.Net.CAB)
	if err != nil {
		t.Fatal(err)
	}
	want := "the agency this partner system acts for, " + agency.Name + ", has left the network; ask the network's coordinators"

	h.env.Clock.Advance(time.Minute)
	if err := h.env.Engine.RetireAgency(ctx, h.env.Net.CAB, co); err != nil {
		t.Fatal(err)
	}
	// The token already given out: refused on the next call, as the
	// document says.
	r := h.do(t, "GET", "/api/v1/agencies", tok, nil)
	if r.status != 401 || r.header.Get("Content-Type") != "application/problem+json" || r.json(t)["detail"] != want ||
		!strings.Contains(r.header.Get("WWW-Authenticate"), `error="invalid_token"`) {
		t.Fatalf("a token given out before the agency left: %d %v %s; want 401 saying %q", r.status, r.header, r.body, want)
	}
	ct := loadContract(t)
	ops := ct.operations()
	i := slices.IndexFunc(ops, func(o operation) bool { return o.id == "listAgencies" })
	if i < 0 {
		t.Fatal("the document has no listAgencies")
	}
	ct.check(t, ops[i], r)
	// A new token: refused the way RFC 6749 §5.2 refuses a client.
	resp := h.tokenRequest(t, c, url.Values{"grant_type": {"client_credentials"}}.Encode())
	var e struct {
		Error       string `json:"error"`
		Description string `json:"error_description"`
	}
	err = json.NewDecoder(resp.Body).Decode(&e)
	resp.Body.Close()
	if err != nil || resp.StatusCode != 401 || e.Error != "invalid_client" || e.Description != want {
		t.Fatalf("a token for the retired agency's system: %d %+v (%v); want 401 invalid_client saying %q", resp.StatusCode, e, err, want)
	}

	h.env.Clock.Advance(time.Minute)
	if err := h.env.Engine.UnretireAgency(ctx, h.env.Net.CAB, co); err != nil {
		t.Fatal(err)
	}
	if r := h.do(t, "GET", "/api/v1/agencies", tok, nil); r.status != 200 {
		t.Fatalf("the same token after the agency came back: %d %s", r.status, r.body)
	}
	if r := h.do(t, "GET", "/api/v1/agencies", h.token(t, c), nil); r.status != 200 {
		t.Fatalf("a new token with the same secret after the agency came back: %d %s", r.status, r.body)
	}
}
