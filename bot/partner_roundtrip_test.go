package bot

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
	"sync"
	"testing"
	"time"

	"github.com/onward-network/onward/bot/api"
	"github.com/onward-network/onward/bot/fhir"
	"github.com/onward-network/onward/core"
	"github.com/onward-network/onward/core/coretest"
	"github.com/onward-network/onward/notify"
)

// TestPartnerRoundTrip: a partner system creates a referral through the
// API; the agency accepts it in Slack; the partner's receiver gets the
// signed webhook; the partner reads the new status over JSON and FHIR.
func TestPartnerRoundTrip(t *testing.T) {
	t.Parallel()
	tb := newTestBot(t)
	ctx := context.Background()
	rdb, prefix := coretest.NewRedis(t)
	p, err := api.New(api.Options{Engine: tb.Engine, Redis: rdb, Log: slog.New(slog.DiscardHandler),
		TokenSecret: api.TokenSecret(testSessionSecret), KeyPrefix: prefix})
	if err != nil {
		t.Fatal(err)
	}
	mux := http.NewServeMux()
	p.Routes(mux)
	fhir.New(tb.Engine, p, slog.New(slog.DiscardHandler), tb.cfg.PublicURL).Routes(mux)
	partnerAPI := httptest.NewServer(mux)
	defer partnerAPI.Close()

	// The partner's receiver keeps the events whose signature verifies. It
	// answers as https://casework.example.com (its Client routes
	// example.com there): partners subscribe only public https addresses.
	var mu sync.Mutex
	var events []notify.WebhookBody
	var secret string
	receiver := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		mu.Lock()
		defer mu.Unlock()
		if err := notify.VerifyWebhook(secret, r.Header, body, tb.Clock.Now(), 5*time.Minute); err != nil {
			t.Errorf("webhook does not verify: %v", err)
			w.WriteHeader(http.StatusUnauthorized)
			return
		}
		var ev notify.WebhookBody
		if err := json.Unmarshal(body, &ev); err != nil {
			t.Errorf("webhook body: %v", err)
		}
		events = append(events, ev)
		w.WriteHeader(http.StatusNoContent)
	}))
	defer receiver.Close()

	creds, err := tb.Engine.AddPartner(ctx, core.NewPartner{Name: "Welfare casework", AgencyID: tb.Net.Welfare,
		Scopes: []core.PartnerScope{core.ScopeRead, core.ScopeRefer}}, tb.Net.Coordinator.Actor())
	if err != nil {
		t.Fatal(err)
	}
	call := func(method, path, token string, body any, headers ...string) (int, []byte) {
		t.Helper()
		var rd io.Reader
		if s, ok := body.(string); ok {
			rd = strings.NewReader(s)
		} else if body != nil {
			raw, _ := json.Marshal(body)
			rd = bytes.NewReader(raw)
		}
		req, _ := http.NewRequest(method, partnerAPI.URL+path, rd)
		if token != "" {
			req.Header.Set("Authorization", "Bearer "+token)
		} else {
			req.SetBasicAuth(creds.Partner.ClientID, creds.Secret)
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
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
		return resp.StatusCode, b
	}
	status, body := call("POST", "/oauth/token", "", url.Values{"grant_type": {"client_credentials"}}.Encode())
	var tok struct {
		AccessToken string `json:"access_token"`
	}
	if err := json.Unmarshal(body, &tok); status != 200 || err != nil {
		t.Fatalf("token: %d %s", status, body)
	}
	status, body = call("POST", "/api/v1/webhooks", tok.AccessToken, map[string]any{"url": "https://casework.example.com/onward"}, "Idempotency-Key", "hook-1")
	var sub struct {
		Secret string `json:"secret"`
	}
	if err := json.Unmarshal(body, &sub); status != 201 || err != nil || !strings.HasPrefix(sub.Secret, "whsec_") {
		t.Fatalf("subscribe: %d %s", status, body)
	}
	mu.Lock()
	secret = sub.Secret
	mu.Unlock()

	status, body = call("POST", "/api/v1/referrals", tok.AccessToken, map[string]any{
		"case_id": "WR-2231",
		"client":  map[string]any{"name": "Morag Baird", "phone": "07700 900123", "postcode": "KY1 1AB"},
		"needs":   []string{"debt"}, "to_agency": "kirkton-cab",
		"consent": map[string]any{"wording_version": "v1", "scope": "agencies", "agencies": []string{"kirkton-cab"}, "witnessed_by": "Isla Moffat"},
	}, "Idempotency-Key", "create-1")
	var created struct {
		Reference string `json:"reference"`
	}
	if err := json.Unmarshal(body, &created); status != 201 || err != nil {
		t.Fatalf("create: %d %s", status, body)
	}
	ref, err := tb.Engine.ReferralByReference(ctx, created.Reference)
	if err != nil {
		t.Fatal(err)
	}

	sender, err := notify.NewSlackClient(tb.cfg, notify.SenderOptions{})
	if err != nil {
		t.Fatal(err)
	}
	w, err := notify.New(notify.Options{Engine: tb.Engine, Config: tb.cfg, Log: slog.New(slog.DiscardHandler),
		Slack: sender, Cards: notifyCards{tb.bot.cards}, DisableDigest: true, WebhookClient: receiver.Client()})
	if err != nil {
		t.Fatal(err)
	}
	tb.deliver(w)
	if _, blocks := tb.lastCard("C0CAB"); !strings.Contains(blocks, ref.Reference) || !strings.Contains(blocks, `"action_id":"accept"`) {
		t.Fatalf("no card for the partner's referral in CAB's channel: %s", blocks)
	}

	tb.Clock.Advance(time.Hour)
	tb.press("U0AILSA", "C0CAB", "accept", ref.ID)
	tb.deliver(w)

	mu.Lock()
	got := append([]notify.WebhookBody(nil), events...)
	mu.Unlock()
	if len(got) != 2 || got[0].Type != core.WebhookReferralCreated || got[1].Type != core.WebhookReferralUpdated ||
		got[1].Data.Status != "accepted" || got[1].Data.Reference != ref.Reference {
		t.Fatalf("webhooks received: %+v", got)
	}
	if strings.Contains(mustJSON(t, got), "Morag") {
		t.Fatal("a webhook carried the client's details")
	}

	// An hour has passed: the first token has expired, so the partner
	// gets a new one, as it would.
	status, body = call("POST", "/oauth/token", "", url.Values{"grant_type": {"client_credentials"}}.Encode())
	if err := json.Unmarshal(body, &tok); status != 200 || err != nil {
		t.Fatalf("token: %d %s", status, body)
	}
	status, body = call("GET", "/api/v1/referrals/"+ref.Reference, tok.AccessToken, nil)
	if status != 200 || !strings.Contains(string(body), `"status":"accepted"`) || !strings.Contains(string(body), `"case_id":"WR-2231"`) {
		t.Fatalf("JSON read after accept: %d %s", status, body)
	}
	status, body = call("GET", "/fhir/Task/"+ref.Reference, tok.AccessToken, nil)
	if status != 200 || !strings.Contains(string(body), `"status":"accepted"`) {
		t.Fatalf("FHIR read after accept: %d %s", status, body)
	}
}
