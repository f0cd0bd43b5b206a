package api_test

import (
	"testing"

	"github.com/onward-network/onward/core"
)

// TestBearerSchemeIsCaseInsensitive: an authentication scheme is
// case-insensitive (RFC 9110 §11.1), so "bearer" and "BEARER" are Bearer
// (a lower-case scheme was once a 401); another scheme, or none, is not.
func TestBearerSchemeIsCaseInsensitive(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	tok := h.token(t, h.partner(t, h.env.Net.Welfare, core.ScopeRead))
	for _, c := range []struct {
		scheme string // what comes before the token, which the test does not print
		token  string
		status int
	}{
		{"Bearer ", tok, 200},
		{"bearer ", tok, 200},
		{"BEARER ", tok, 200},
		{"bEaReR  ", tok, 200},
		{"Basic ", tok, 401},
		{"Bearer", "", 401},
		{"bearer ", "", 401},
		{"", tok, 401},
	} {
		if r := h.do(t, "GET", "/api/v1/referrals", "", nil, "Authorization", c.scheme+c.token); r.status != c.status {
			t.Errorf("Authorization: %q and a token of %d characters: %d %s, want %d", c.scheme, len(c.token), r.status, r.body, c.status)
		}
	}
}
