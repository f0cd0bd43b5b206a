package api_test

import (
	"net/http"
	"testing"

	"github.com/onward-network/onward/core"
)

// TestMethods: a call with a method its path does not answer is a 405
// naming the methods it does, in the API's format (the token endpoint's
// own); an address that is not an operation stays a 404.
func TestMethods(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	tok := h.token(t, h.partner(t, h.env.Net.Welfare, core.ScopeRead, core.ScopeRefer, core.ScopeAct))
	cases := []struct {
		method, path string
		status       int
		allow        string
		contentType  string
	}{
		{"DELETE", "/api/v1/referrals", 405, "GET, HEAD, POST", "application/problem+json"},
		{"PUT", "/api/v1/referrals/ONW-ABCDEFG", 405, "GET, HEAD", "application/problem+json"},
		{"GET", "/api/v1/referrals/ONW-ABCDEFG/accept", 405, "POST", "application/problem+json"},
		{"PATCH", "/api/v1/webhooks/7", 405, "DELETE", "application/problem+json"},
		{"POST", "/api/v1/openapi.json", 405, "GET, HEAD", "application/problem+json"},
		{"GET", "/oauth/token", 405, "POST", "application/json"},
		{"DELETE", "/api/v1/nothing-here", 404, "", "application/problem+json"},
		{"GET", "/api/v1/referrals/ONW-ABCDEFG/explode", 404, "", "application/problem+json"},
	}
	for _, c := range cases {
		t.Run(c.method+" "+c.path, func(t *testing.T) {
			r := h.do(t, c.method, c.path, tok, nil)
			if r.status != c.status {
				t.Fatalf("status %d, want %d: %s", r.status, c.status, r.body)
			}
			if got := r.header.Get("Allow"); got != c.allow {
				t.Fatalf("Allow %q, want %q", got, c.allow)
			}
			if ct := r.header.Get("Content-Type"); ct != c.contentType {
				t.Fatalf("Content-Type %q, want %q", ct, c.contentType)
			}
			m := r.json(t)
			if c.contentType == "application/json" {
				if m["error"] != "invalid_request" || m["error_description"] == "" {
					t.Fatalf("token error %v", m)
				}
				return
			}
			if m["status"].(float64) != float64(c.status) || m["detail"] == "" {
				t.Fatalf("problem %v", m)
			}
		})
	}
	// The operations themselves still answer their own methods.
	if r := h.do(t, http.MethodGet, "/api/v1/referrals", tok, nil); r.status != http.StatusOK {
		t.Fatalf("GET /api/v1/referrals = %d: %s", r.status, r.body)
	}
	if r := h.do(t, http.MethodHead, "/api/v1/openapi.json", "", nil); r.status != http.StatusOK {
		t.Fatalf("HEAD /api/v1/openapi.json = %d", r.status)
	}
}
