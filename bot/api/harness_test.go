package api_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/onward-network/onward/bot/api"
	"github.com/onward-network/onward/core"
	"github.com/onward-network/onward/core/coretest"

	"github.com/redis/go-redis/v9"
)

// harness is the partner API on a seeded test network, served over HTTP.
type harness struct {
	env    *coretest.Env
	api    *api.API
	srv    *httptest.Server
	rdb    *redis.Client
	prefix string // of every key the API writes in rdb
}

func newHarness(t *testing.T) *harness {
	t.Helper()
	return newHarnessWrapped(t, nil)
}

// newHarnessWrapped serves the API through wrap, when not nil.
func newHarnessWrapped(t *testing.T, wrap func(http.Handler) http.Handler) *harness {
	t.Helper()
	env := coretest.NewEnv(t)
	rdb, prefix := coretest.NewRedis(t)
	// The API gets Redis as serve gives it: through the autopipeliner.
	ap, err := rdb.AsyncAutoPipeline()
	if err != nil {
		t.Fatal(err)
	}
	a, err := api.New(api.Options{Engine: env.Engine, Redis: ap, Log: slog.New(slog.DiscardHandler),
		TokenSecret: api.TokenSecret("test-session-secret"), KeyPrefix: prefix})
	if err != nil {
		t.Fatal(err)
	}
	mux := http.NewServeMux()
	a.Routes(mux)
	var handler http.Handler = mux
	if wrap != nil {
		handler = wrap(mux)
	}
	srv := httptest.NewServer(handler)
	t.Cleanup(func() { srv.Close(); a.Close() })
	return &harness{env: env, api: a, srv: srv, rdb: rdb, prefix: prefix}
}

// partner registers a partner system and returns its credentials.
func (h *harness) partner(t *testing.T, agency core.AgencyID, scopes ...core.PartnerScope) core.PartnerCredentials {
	t.Helper()
	c, err := h.env.Engine.AddPartner(context.Background(), core.NewPartner{Name: "Casework system", AgencyID: agency, Scopes: scopes},
		h.env.Net.Coordinator.Actor())
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// tokenRequest posts form to the token endpoint with c's credentials, as
// a partner does; the caller closes the answer's body.
func (h *harness) tokenRequest(t *testing.T, c core.PartnerCredentials, form string) *http.Response {
	t.Helper()
	req, _ := http.NewRequest("POST", h.srv.URL+"/oauth/token", strings.NewReader(form))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.SetBasicAuth(c.Partner.ClientID, c.Secret)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	return resp
}

// token gets an access token the way a partner does.
func (h *harness) token(t *testing.T, c core.PartnerCredentials) string {
	t.Helper()
	resp := h.tokenRequest(t, c, url.Values{"grant_type": {"client_credentials"}}.Encode())
	defer resp.Body.Close()
	var out struct {
		AccessToken string `json:"access_token"`
		TokenType   string `json:"token_type"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&out); err != nil || resp.StatusCode != 200 || out.TokenType != "Bearer" {
		t.Fatalf("token: status %d, %+v, %v", resp.StatusCode, out, err)
	}
	return out.AccessToken
}

type response struct {
	status int
	header http.Header
	body   []byte
}

func (r response) json(t *testing.T) map[string]any {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal(r.body, &m); err != nil {
		t.Fatalf("answer is not a JSON object: %v: %s", err, r.body)
	}
	return m
}

// do makes one call; headers come in pairs.
func (h *harness) do(t *testing.T, method, path, token string, body any, headers ...string) response {
	t.Helper()
	var rd io.Reader
	switch b := body.(type) {
	case nil:
	case string:
		rd = strings.NewReader(b)
	case []byte:
		rd = bytes.NewReader(b)
	default:
		raw, err := json.Marshal(b)
		if err != nil {
			t.Fatal(err)
		}
		rd = bytes.NewReader(raw)
	}
	req, err := http.NewRequest(method, h.srv.URL+path, rd)
	if err != nil {
		t.Fatal(err)
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	if rd != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return response{status: resp.StatusCode, header: resp.Header, body: b}
}

// newReferral is a valid create request from the Welfare Rights partner
// to Kirkton Citizens Advice.
func newReferral(caseID string) map[string]any {
	return map[string]any{
		"case_id": caseID,
		"client":  map[string]any{"name": "Morag Baird", "phone": "07700 900123", "postcode": "KY1 1AB", "notes": "Rent arrears letter"},
		"needs":   []string{"debt"}, "to_agency": "kirkton-cab",
		"consent": map[string]any{"wording_version": "v1", "scope": "agencies", "agencies": []string{"kirkton-cab"}, "witnessed_by": "Isla Moffat"},
	}
}
