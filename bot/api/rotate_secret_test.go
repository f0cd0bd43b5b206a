package api_test

import (
	"context"
	"testing"

	"github.com/onward-network/onward/core"
)

// A partner system's review: a leaked secret could only be replaced by
// registering a new partner, which changed every Patient id it knew and
// lost its webhooks. RotatePartnerSecret gives the same system a new
// secret: the old one and every token got with it stop at once; the
// client id and webhook subscriptions stay.
func TestRotatedSecretStopsTheOldSecretAndItsTokens(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	ctx := context.Background()
	old := h.partner(t, h.env.Net.Welfare, core.ScopeRead)
	tok := h.token(t, old)
	if r := h.do(t, "POST", "/api/v1/webhooks", tok, map[string]any{"url": "https://casework.example/hooks"}, "Idempotency-Key", "hook"); r.status != 201 {
		t.Fatalf("subscribe: %d %s", r.status, r.body)
	}
	fresh, err := h.env.Engine.RotatePartnerSecret(ctx, old.Partner.ID, h.env.Net.Coordinator.Actor())
	if err != nil {
		t.Fatal(err)
	}
	if fresh.Partner.ClientID != old.Partner.ClientID || fresh.Secret == old.Secret || fresh.Partner.SecretGeneration != 1 {
		t.Fatalf("rotated: client id %s secret changed %v generation %d", fresh.Partner.ClientID, fresh.Secret != old.Secret, fresh.Partner.SecretGeneration)
	}
	if r := h.do(t, "GET", "/api/v1/agencies", tok, nil); r.status != 401 {
		t.Errorf("a token got with the old secret: %d %s, want 401", r.status, r.body)
	}
	if _, err := h.env.Engine.AuthenticatePartner(ctx, old.Partner.ClientID, old.Secret); err == nil {
		t.Error("the old secret still authenticates")
	}
	tok = h.token(t, fresh)
	if r := h.do(t, "GET", "/api/v1/webhooks", tok, nil); r.status != 200 || len(r.json(t)["data"].([]any)) != 1 {
		t.Errorf("with the new secret, the subscriptions: %d %s, want the one made before", r.status, r.body)
	}
	if _, err := h.env.Engine.RotatePartnerSecret(ctx, 999999, h.env.Net.Coordinator.Actor()); err == nil {
		t.Error("rotating the secret of no partner succeeded")
	}
}
