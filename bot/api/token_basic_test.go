package api_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/onward-network/onward/core"
)

// TestTokenBasicCredentialsAreFormDecoded: RFC 6749 §2.3.1 has a client
// form-encode its id and secret before HTTP Basic encodes them, and OAuth
// libraries do. A client that encodes even the characters that need none
// gets its token; one whose encoding cannot be read is told so.
func TestTokenBasicCredentialsAreFormDecoded(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	c := h.partner(t, h.env.Net.Welfare, core.ScopeRead)
	every := func(s string) string { // every byte as %XX
		var b strings.Builder
		for i := 0; i < len(s); i++ {
			fmt.Fprintf(&b, "%%%02X", s[i])
		}
		return b.String()
	}
	for _, tc := range []struct {
		name, id, secret string
		status           int
		says             string
	}{
		{"every byte encoded", every(c.Partner.ClientID), every(c.Secret), 200, ""},
		{"an encoding that cannot be read", c.Partner.ClientID, c.Secret + "%zz", 400, "form-encoded"},
	} {
		req, _ := http.NewRequest("POST", h.srv.URL+"/oauth/token", strings.NewReader("grant_type=client_credentials"))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.SetBasicAuth(tc.id, tc.secret)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		var out struct {
			AccessToken string `json:"access_token"`
			Error       string `json:"error"`
			Description string `json:"error_description"`
		}
		err = json.NewDecoder(resp.Body).Decode(&out)
		resp.Body.Close()
		if err != nil || resp.StatusCode != tc.status || !strings.Contains(out.Description, tc.says) || (tc.status == 200) != (out.AccessToken != "") {
			t.Errorf("%s: %d %+v (%v), want %d saying %q", tc.name, resp.StatusCode, out, err, tc.status, tc.says)
		}
	}
}
