package notify_test

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/onward-network/onward/core"
	"github.com/onward-network/onward/notify"
)

// deliveries is a receiver that keeps every delivery as it came, for the
// test to verify under whichever secret it likes.
type deliveries struct {
	mu   sync.Mutex
	got  []http.Header
	body [][]byte
}

func (d *deliveries) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	b, _ := io.ReadAll(r.Body)
	d.mu.Lock()
	defer d.mu.Unlock()
	d.got, d.body = append(d.got, r.Header.Clone()), append(d.body, b)
	w.WriteHeader(http.StatusNoContent)
}

// last verifies the last delivery under secret.
func (d *deliveries) last(t *testing.T, secret string, now time.Time) error {
	t.Helper()
	d.mu.Lock()
	defer d.mu.Unlock()
	if len(d.got) == 0 {
		t.Fatal("nothing was delivered")
	}
	return notify.VerifyWebhook(secret, d.got[len(d.got)-1], d.body[len(d.body)-1], now, 5*time.Minute)
}

// A subscription's secret replaced in place: for a day each delivery is
// signed under the new secret and the one it replaced, so a receiver
// holding either accepts it; after the day, only the new one signs.
func TestWebhookSignedUnderBothSecretsForADayAfterARotation(t *testing.T) {
	t.Parallel()
	h := newHarness(t, harnessOpts{})
	env, ctx := h.env, context.Background()
	creds, err := env.Engine.AddPartner(ctx, core.NewPartner{Name: "Kirkcaldy casework", AgencyID: env.Net.CAB,
		Scopes: []core.PartnerScope{core.ScopeRead}}, env.Net.Coordinator.Actor())
	if err != nil {
		t.Fatal(err)
	}
	d := &deliveries{}
	srv := httptest.NewServer(d)
	t.Cleanup(srv.Close)
	sub, old, err := env.Engine.Subscribe(ctx, creds.Partner.ID, srv.URL+"/hooks")
	if err != nil {
		t.Fatal(err)
	}
	w := h.worker(t, func(o *notify.Options) { o.WebhookClient = srv.Client() })

	ref, err := env.Engine.StaffRefer(ctx, core.StaffReferral{IdempotencyKey: "rotate-1", By: env.Net.WelfareAdviser.Actor(),
		Client: core.ClientDetails{Name: "Morag Baird", Phone: "07700 900123"}, Needs: []core.Need{core.NeedDebt},
		ToAgency: env.Net.CAB, ConsentConfirmed: true, WordingVersion: "v1"})
	if err != nil {
		t.Fatal(err)
	}
	drain(t, w)
	if err := d.last(t, old, env.Clock.Now()); err != nil {
		t.Fatalf("before the rotation the delivery does not verify under the secret: %v", err)
	}

	rotated, fresh, err := env.Engine.RotateWebhookSecret(ctx, creds.Partner.ID, sub.ID)
	if err != nil {
		t.Fatal(err)
	}
	if fresh == old || rotated.PreviousSecretUntil == nil || !rotated.PreviousSecretUntil.Equal(env.Clock.Now().Add(core.WebhookSecretOverlap)) {
		t.Fatalf("rotation gave secret changed=%v, previous kept until %v", fresh != old, rotated.PreviousSecretUntil)
	}
	if _, err := env.Engine.Act(ctx, core.TransitionRequest{Referral: ref.ID, Action: core.ActionAccept, Actor: env.Net.Adviser.Actor()}); err != nil {
		t.Fatal(err)
	}
	drain(t, w)
	for name, secret := range map[string]string{"new": fresh, "replaced": old} {
		if err := d.last(t, secret, env.Clock.Now()); err != nil {
			t.Errorf("during the overlap the delivery does not verify under the %s secret: %v", name, err)
		}
	}

	env.Clock.Advance(core.WebhookSecretOverlap + time.Minute)
	if _, err := env.Engine.Act(ctx, core.TransitionRequest{Referral: ref.ID, Action: core.ActionContact, Actor: env.Net.Adviser.Actor()}); err != nil {
		t.Fatal(err)
	}
	drain(t, w)
	if err := d.last(t, fresh, env.Clock.Now()); err != nil {
		t.Errorf("after the overlap the delivery does not verify under the new secret: %v", err)
	}
	if err := d.last(t, old, env.Clock.Now()); err == nil {
		t.Error("after the overlap the delivery still verifies under the replaced secret")
	}
	subs, err := env.Engine.Subscriptions(ctx, creds.Partner.ID)
	if err != nil {
		t.Fatal(err)
	}
	if len(subs) != 1 || subs[0].PreviousSecretUntil != nil {
		t.Fatalf("after the overlap the subscription says %+v, want no replaced secret kept", subs)
	}
	// Another partner cannot rotate it.
	other, err := env.Engine.AddPartner(ctx, core.NewPartner{Name: "Other casework", AgencyID: env.Net.CAB,
		Scopes: []core.PartnerScope{core.ScopeRead}}, env.Net.Coordinator.Actor())
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := env.Engine.RotateWebhookSecret(ctx, other.Partner.ID, sub.ID); !errors.Is(err, core.ErrNotFound) {
		t.Fatalf("another partner's rotation: %v, want not found", err)
	}
}
