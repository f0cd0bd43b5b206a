package notify_test

import (
	"context"
	"encoding/json"
	"io"
	"maps"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/onward-network/onward/core"
	"github.com/onward-network/onward/notify"
)

// A webhook only says that a referral changed, never who the client is,
// even to a system allowed to read the client's details: those are read
// on purpose, and audited, at GET
// /api/v1/referrals/{reference}/client. Neither the bodies delivered nor
// the outbox rows they are sent from carry any detail the client gave.
func TestWebhooksCarryNoClientDetails(t *testing.T) {
	t.Parallel()
	h := newHarness(t, harnessOpts{})
	env, ctx := h.env, context.Background()
	creds, err := env.Engine.AddPartner(ctx, core.NewPartner{Name: "Kirkcaldy casework", AgencyID: env.Net.CAB,
		Scopes: []core.PartnerScope{core.ScopeRead, core.ScopeAct}}, env.Net.Coordinator.Actor())
	if err != nil {
		t.Fatal(err)
	}
	var (
		mu     sync.Mutex
		bodies [][]byte
		secret string
	)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		mu.Lock()
		defer mu.Unlock()
		if err := notify.VerifyWebhook(secret, r.Header, body, env.Clock.Now(), 5*time.Minute); err != nil {
			w.WriteHeader(http.StatusUnauthorized)
			return
		}
		bodies = append(bodies, body)
		w.WriteHeader(http.StatusNoContent)
	}))
	t.Cleanup(srv.Close)
	_, secret, err = env.Engine.Subscribe(ctx, creds.Partner.ID, srv.URL+"/hooks")
	if err != nil {
		t.Fatal(err)
	}
	details := core.ClientDetails{Name: "Morag Baird", Phone: "07700 900123", Email: "morag@example.org", Postcode: "KY1 1AB",
		Town: "Kirkcaldy", Notes: "Rent arrears letter arrived on Friday", PreferredContact: "call", ContactTime: "morning",
		InterpreterLanguage: "ro"}
	ref, err := env.Engine.StaffRefer(ctx, core.StaffReferral{IdempotencyKey: "hook-no-client", By: env.Net.WelfareAdviser.Actor(),
		Client: details, Needs: []core.Need{core.NeedDebt}, ToAgency: env.Net.CAB, ConsentConfirmed: true, WordingVersion: "v1"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := env.Engine.Act(ctx, core.TransitionRequest{Referral: ref.ID, Action: core.ActionAccept, Actor: creds.Partner.Actor()}); err != nil {
		t.Fatal(err)
	}
	w := h.worker(t, func(o *notify.Options) { o.WebhookClient = srv.Client() })
	drain(t, w)

	var payloads []string
	rows, err := env.Pool.Query(ctx, `SELECT payload::text FROM outbox WHERE kind = $1`, core.OutboxWebhook)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var p string
		if err := rows.Scan(&p); err != nil {
			t.Fatal(err)
		}
		payloads = append(payloads, p)
	}
	if rows.Err() != nil {
		t.Fatal(rows.Err())
	}
	mu.Lock()
	defer mu.Unlock()
	if len(bodies) < 2 || len(payloads) < 2 {
		t.Fatalf("%d webhooks delivered from %d outbox rows, want the created and accepted events", len(bodies), len(payloads))
	}
	given := []string{"Morag", "Baird", "900123", "900 123", "morag@", "KY1 1AB", "KY1", "Kirkcaldy", "Rent arrears", "morning", `"ro"`}
	for _, text := range append(payloads, func() []string {
		var out []string
		for _, b := range bodies {
			out = append(out, string(b))
		}
		return out
	}()...) {
		for _, g := range given {
			if strings.Contains(text, g) {
				t.Errorf("a webhook carries %q, something the client gave: %s", g, text)
			}
		}
	}
	// Only the members the document gives a webhook, at both levels.
	for _, b := range bodies {
		var body map[string]json.RawMessage
		var data map[string]any
		if err := json.Unmarshal(b, &body); err != nil {
			t.Fatal(err)
		}
		if err := json.Unmarshal(body["data"], &data); err != nil {
			t.Fatal(err)
		}
		if got := slices.Sorted(maps.Keys(body)); !slices.Equal(got, []string{"data", "timestamp", "type"}) {
			t.Errorf("webhook members %v", got)
		}
		if got := slices.Sorted(maps.Keys(data)); !slices.Equal(got, []string{"fhir_task", "reference", "status", "url", "version"}) {
			t.Errorf("webhook data members %v: %s", got, b)
		}
	}
}
