package fhir_test

import (
	"encoding/json"
	"slices"
	"strings"
	"testing"

	"github.com/onward-network/onward/core"
)

// TestFHIRBearerSchemeIsCaseInsensitive: FHIR takes the token as the JSON
// API does, the scheme in any case (RFC 9110 §11.1).
func TestFHIRBearerSchemeIsCaseInsensitive(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	tok := h.token(t, h.env.Net.CAB, core.ScopeRead)
	for _, scheme := range []string{"Bearer ", "bearer ", "BEARER "} {
		if status, _, body := h.do(t, "GET", "/fhir/Task", "", "", "Authorization", scheme+tok); status != 200 {
			t.Errorf("Authorization: %s…: %d %s, want 200", scheme, status, body)
		}
	}
}

// SMART's discovery document for backend services says where to get a
// token and how (a partner system's review found it missing).
func TestSMARTConfiguration(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	status, hdr, body := h.do(t, "GET", "/fhir/.well-known/smart-configuration", "", "")
	var conf struct {
		TokenEndpoint string   `json:"token_endpoint"`
		AuthMethods   []string `json:"token_endpoint_auth_methods_supported"`
		GrantTypes    []string `json:"grant_types_supported"`
		Scopes        []string `json:"scopes_supported"`
		Capabilities  []string `json:"capabilities"`
	}
	if err := json.Unmarshal(body, &conf); err != nil || status != 200 || !strings.HasPrefix(hdr.Get("Content-Type"), "application/json") {
		t.Fatalf("smart-configuration: %d %s (%v)", status, body, err)
	}
	if conf.TokenEndpoint != "https://onward.example/oauth/token" || !slices.Equal(conf.GrantTypes, []string{"client_credentials"}) ||
		!slices.Contains(conf.Scopes, "system/ServiceRequest.c") || !slices.Contains(conf.Capabilities, "client-confidential-symmetric") ||
		!slices.Contains(conf.AuthMethods, "client_secret_basic") {
		t.Errorf("smart-configuration: %+v", conf)
	}
}
