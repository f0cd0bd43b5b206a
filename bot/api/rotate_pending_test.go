package api_test

import (
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/onward-network/onward/core"
)

// TestWebhookRotateAgainWhileReplacedSecretSigns: a second rotation while
// the secret the first replaced still signs deliveries (its day) would
// drop that secret under receivers still verifying with it, so it is a
// 409 rotation-pending problem saying until when, and that deleting the
// subscription stops a leaked secret at once; nothing changes. After the
// day the subscription rotates again.
func TestWebhookRotateAgainWhileReplacedSecretSigns(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	c := loadContract(t)
	rotate := c.operation(t, "rotateWebhookSecret")
	creds := h.partner(t, h.env.Net.Welfare, core.ScopeRead)
	tok := h.token(t, creds)
	made := h.do(t, "POST", "/api/v1/webhooks", tok, map[string]any{"url": "https://casework.example/rotate"}, "Idempotency-Key", "sub")
	if made.status != http.StatusCreated {
		t.Fatalf("subscribe: %d %s", made.status, made.body)
	}
	path := fmt.Sprintf("/api/v1/webhooks/%d/rotate-secret", int64(made.json(t)["id"].(float64)))
	first := h.do(t, "POST", path, tok, nil, "Idempotency-Key", "rot-1")
	if first.status != http.StatusOK {
		t.Fatalf("first rotation: %d %s", first.status, first.body)
	}
	until := first.json(t)["previous_secret_expires_at"].(string)

	h.env.Clock.Advance(core.WebhookSecretOverlap - time.Minute)
	tok = h.token(t, creds) // the first has expired
	again := h.do(t, "POST", path, tok, nil, "Idempotency-Key", "rot-2")
	c.check(t, rotate, again)
	p := again.json(t)
	detail, _ := p["detail"].(string)
	if again.status != http.StatusConflict || p["type"] != "/api/v1/problems#rotation-pending" || p["previous_secret_expires_at"] != until ||
		!strings.Contains(detail, until) || !strings.Contains(detail, "delete the subscription") {
		t.Fatalf("a second rotation within the day: %d %s, want 409 rotation-pending saying until %s and to delete the subscription", again.status, again.body, until)
	}
	if page := h.do(t, "GET", "/api/v1/problems", "", nil); !strings.Contains(string(page.body), `id="rotation-pending"`) {
		t.Error("the problems page does not explain rotation-pending")
	}
	list := h.do(t, "GET", "/api/v1/webhooks", tok, nil).json(t)["data"].([]any)[0].(map[string]any)
	if list["previous_secret_expires_at"] != until {
		t.Fatalf("the refused rotation changed the subscription: %v", list)
	}

	h.env.Clock.Advance(time.Minute)
	tok = h.token(t, creds)
	if r := h.do(t, "POST", path, tok, nil, "Idempotency-Key", "rot-3"); r.status != http.StatusOK || r.json(t)["secret"] == first.json(t)["secret"] {
		t.Fatalf("a rotation after the day: %d %s, want a new secret", r.status, r.body)
	}
}
