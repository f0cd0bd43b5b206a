package notify_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/onward-network/onward/core"
	"github.com/onward-network/onward/core/coretest"
	"github.com/onward-network/onward/notify"
)

// The Standard Webhooks specification's own example.
func TestSignWebhookSpecExample(t *testing.T) {
	got, err := notify.SignWebhook("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", "msg_p5jXN8AQM9LWM0D4loKWxJek", 1614265330, []byte(`{"test": 2432232314}`))
	if err != nil {
		t.Fatal(err)
	}
	if want := "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="; got != want {
		t.Fatalf("signature %s, want %s", got, want)
	}
	h := http.Header{}
	h.Set(notify.HeaderWebhookID, "msg_p5jXN8AQM9LWM0D4loKWxJek")
	h.Set(notify.HeaderWebhookTimestamp, "1614265330")
	h.Set(notify.HeaderWebhookSignature, "v1,bm9ldHUjKzFob2VudXRob2VodWUzMjRvdWVvdW9ldQo= "+got)
	at := time.Unix(1614265330, 0).Add(time.Minute)
	if err := notify.VerifyWebhook("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", h, []byte(`{"test": 2432232314}`), at, 5*time.Minute); err != nil {
		t.Fatalf("spec example does not verify: %v", err)
	}
	if err := notify.VerifyWebhook("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", h, []byte(`{"test": 2432232315}`), at, 5*time.Minute); err == nil {
		t.Fatal("a changed body verified")
	}
	if err := notify.VerifyWebhook("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", h, []byte(`{"test": 2432232314}`), at.Add(time.Hour), 5*time.Minute); err == nil {
		t.Fatal("an old timestamp verified")
	}
}

// receiver is a partner's webhook endpoint that answers what the test
// says and keeps what verified.
type receiver struct {
	mu       sync.Mutex
	status   atomic.Int32
	secret   string
	now      func() time.Time
	got      []notify.WebhookBody
	attempts int
	bad      int
}

func (rc *receiver) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	rc.mu.Lock()
	defer rc.mu.Unlock()
	rc.attempts++
	if err := notify.VerifyWebhook(rc.secret, r.Header, body, rc.now(), 5*time.Minute); err != nil {
		rc.bad++
		w.WriteHeader(http.StatusUnauthorized)
		return
	}
	status := int(rc.status.Load())
	if status < 300 {
		var b notify.WebhookBody
		if err := json.Unmarshal(body, &b); err != nil {
			rc.bad++
		}
		rc.got = append(rc.got, b)
	}
	w.WriteHeader(status)
}

func TestWebhookRetriedPausedAlertedThenDelivered(t *testing.T) {
	h := newHarness(t, harnessOpts{})
	env := h.env
	ctx := context.Background()
	creds, err := env.Engine.AddPartner(ctx, core.NewPartner{Name: "Kirkcaldy casework", AgencyID: env.Net.CAB,
		Scopes: []core.PartnerScope{core.ScopeRead}}, env.Net.Adviser.Actor())
	if err != nil {
		t.Fatal(err)
	}
	rc := &receiver{now: env.Clock.Now}
	rc.status.Store(http.StatusInternalServerError)
	srv := httptest.NewServer(rc)
	defer srv.Close()
	sub, secret, err := env.Engine.Subscribe(ctx, creds.Partner.ID, srv.URL+"/hooks")
	if err != nil {
		t.Fatal(err)
	}
	rc.secret = secret

	ref, err := env.Engine.StaffRefer(ctx, core.StaffReferral{IdempotencyKey: "hook-1", By: env.Net.WelfareAdviser.Actor(),
		Client: core.ClientDetails{Name: "Morag Baird", Phone: "07700 900123"}, Needs: []core.Need{core.NeedDebt},
		ToAgency: env.Net.CAB, ConsentConfirmed: true, WordingVersion: "v1"})
	if err != nil {
		t.Fatal(err)
	}
	w := h.worker(t, func(o *notify.Options) { o.WebhookClient = srv.Client() })
	// Each round: deliver what is due, then let the backoff pass.
	for i := 0; i < core.WebhookPausedAfter+2; i++ {
		drain(t, w)
		env.Clock.Advance(2 * time.Minute)
	}
	subs, err := env.Engine.Subscriptions(ctx, creds.Partner.ID)
	if err != nil {
		t.Fatal(err)
	}
	if len(subs) != 1 || subs[0].PausedAt == nil || subs[0].Failures != core.WebhookPausedAfter {
		t.Fatalf("subscription after %d failures: %+v, want paused", core.WebhookPausedAfter, subs)
	}
	if rc.attempts != core.WebhookPausedAfter || rc.bad != 0 {
		t.Fatalf("receiver saw %d attempts (%d badly signed), want %d", rc.attempts, rc.bad, core.WebhookPausedAfter)
	}
	alerted := false
	for _, e := range coretest.OutboxRows(t, env.Engine) {
		if e.Kind == core.OutboxAlert && e.Payload.Level == "webhook-paused" {
			alerted = true
		}
		if e.Kind == core.OutboxWebhook && e.DeadAt != nil {
			t.Fatalf("webhook row dead-lettered while paused: %+v", e)
		}
	}
	if !alerted {
		t.Fatal("coordinators were not alerted when the subscription paused")
	}

	// The receiver is fixed; resuming delivers what waited, signed.
	rc.status.Store(http.StatusNoContent)
	if err := env.Engine.ResumeSubscription(ctx, sub.ID); err != nil {
		t.Fatal(err)
	}
	drain(t, w)
	if len(rc.got) != 1 || rc.got[0].Type != core.WebhookReferralCreated || rc.got[0].Data.Reference != ref.Reference ||
		rc.got[0].Data.Status != string(core.StatusRequested) {
		t.Fatalf("delivered %+v, want the created event of %s", rc.got, ref.Reference)
	}

	// A receiver that answers 410 Gone is retried like any failure, not
	// dropped.
	rc.status.Store(http.StatusGone)
	if _, err := env.Engine.Act(ctx, core.TransitionRequest{Referral: ref.ID, Action: core.ActionAccept, Actor: env.Net.Adviser.Actor()}); err != nil {
		t.Fatal(err)
	}
	drain(t, w)
	env.Clock.Advance(2 * time.Minute)
	rc.status.Store(http.StatusOK)
	drain(t, w)
	if len(rc.got) != 2 || rc.got[1].Type != core.WebhookReferralUpdated || rc.got[1].Data.Status != string(core.StatusAccepted) {
		t.Fatalf("after a 410 and a retry got %+v, want the accepted event", rc.got)
	}
}
