package notify_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"strings"
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
	t.Parallel()
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

// failingReceiver subscribes a partner of the CAB to a receiver that
// answers 500 until told otherwise, and has the welfare adviser refer a
// client to the CAB (idempotency key key), so its created event is due.
func failingReceiver(t *testing.T, h *harness, key string) (core.PartnerCredentials, *receiver, *httptest.Server, core.WebhookSubscription, core.Referral) {
	t.Helper()
	env, ctx := h.env, context.Background()
	creds, err := env.Engine.AddPartner(ctx, core.NewPartner{Name: "Kirkcaldy casework", AgencyID: env.Net.CAB,
		Scopes: []core.PartnerScope{core.ScopeRead}}, env.Net.Coordinator.Actor())
	if err != nil {
		t.Fatal(err)
	}
	rc := &receiver{now: env.Clock.Now}
	rc.status.Store(http.StatusInternalServerError)
	srv := httptest.NewServer(rc)
	t.Cleanup(srv.Close)
	sub, secret, err := env.Engine.Subscribe(ctx, creds.Partner.ID, srv.URL+"/hooks")
	if err != nil {
		t.Fatal(err)
	}
	rc.secret = secret
	ref, err := env.Engine.StaffRefer(ctx, core.StaffReferral{IdempotencyKey: key, By: env.Net.WelfareAdviser.Actor(),
		Client: core.ClientDetails{Name: "Morag Baird", Phone: "07700 900123"}, Needs: []core.Need{core.NeedDebt},
		ToAgency: env.Net.CAB, ConsentConfirmed: true, WordingVersion: "v1"})
	if err != nil {
		t.Fatal(err)
	}
	return creds, rc, srv, sub, ref
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

// throughSchedule drains w once per attempt of a webhook event's retry
// schedule (core.WebhookRetrySchedule), moving the clock on by each wait,
// and calls early (when not nil) after every attempt before the last.
func throughSchedule(t *testing.T, h *harness, w *notify.Worker, early func(attempt int)) {
	t.Helper()
	for attempt := 1; attempt <= core.WebhookAttempts; attempt++ {
		drain(t, w)
		wait, more := core.WebhookRetryWait(attempt)
		if !more {
			return
		}
		if early != nil {
			early(attempt)
		}
		h.env.Clock.Advance(wait)
	}
}

func TestWebhookRetriedPausedAlertedThenDelivered(t *testing.T) {
	t.Parallel()
	h := newHarness(t, harnessOpts{})
	env := h.env
	ctx := context.Background()
	creds, rc, srv, sub, ref := failingReceiver(t, h, "hook-1")
	w := h.worker(t, func(o *notify.Options) { o.WebhookClient = srv.Client() })
	subscription := func() core.WebhookSubscription {
		t.Helper()
		subs, err := env.Engine.Subscriptions(ctx, creds.Partner.ID)
		if err != nil || len(subs) != 1 {
			t.Fatalf("subscriptions %+v, %v: want one", subs, err)
		}
		return subs[0]
	}
	// Failing at every step of the schedule but the last pauses nothing
	// and alerts no one: the retries go on, hours apart.
	throughSchedule(t, h, w, func(attempt int) {
		if s := subscription(); s.PausedAt != nil || s.Failures != attempt || rc.attempts != attempt {
			t.Fatalf("after %d failed attempts: subscription %+v, receiver saw %d; want delivering, each attempt counted", attempt, s, rc.attempts)
		}
		for _, e := range coretest.OutboxRows(t, env.Engine) {
			if e.Kind == core.OutboxAlert || e.Kind == core.OutboxWebhook && e.DeadAt != nil {
				t.Fatalf("after %d failed attempts: %+v, want no alert and the event still waiting", attempt, e)
			}
		}
	})
	// The last attempt, a little over a day after the first, pauses it.
	if s := subscription(); s.PausedAt == nil || s.Failures != core.WebhookAttempts {
		t.Fatalf("subscription after the schedule %+v at %s, want paused after %d failures", s, env.Clock.Now(), core.WebhookAttempts)
	}
	if rc.attempts != core.WebhookAttempts || rc.bad != 0 {
		t.Fatalf("receiver saw %d attempts (%d badly signed), want %d", rc.attempts, rc.bad, core.WebhookAttempts)
	}
	alerted := false
	for _, e := range coretest.OutboxRows(t, env.Engine) {
		if e.Kind == core.OutboxAlert && e.Payload.Level == "webhook-paused" && strings.Contains(e.Payload.Text, "have failed for over 27 hours") {
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
	if err := env.Engine.ResumeSubscription(ctx, sub.ID, core.SystemActor); err != nil {
		t.Fatal(err)
	}
	drain(t, w)
	if len(rc.got) != 1 || rc.got[0].Type != core.WebhookReferralCreated || rc.got[0].Data.Reference != ref.Reference ||
		rc.got[0].Data.Status != string(core.StatusRequested) {
		t.Fatalf("delivered %+v, want the created event of %s", rc.got, ref.Reference)
	}

	// A receiver that answers 410 Gone wants no more (Standard Webhooks):
	// the subscription pauses at that one answer, not after a day of
	// retries (as any other failure is), with coordinators alerted and the
	// reason kept; its event waits, not dropped, until a resume.
	rc.status.Store(http.StatusGone)
	env.Clock.Advance(time.Minute)
	if _, err := env.Engine.Act(ctx, core.TransitionRequest{Referral: ref.ID, Action: core.ActionAccept, Actor: env.Net.Adviser.Actor()}); err != nil {
		t.Fatal(err)
	}
	alerts := func() int {
		n := 0
		for _, e := range coretest.OutboxRows(t, env.Engine) {
			if e.Kind == core.OutboxAlert && e.Payload.Level == "webhook-paused" && strings.Contains(e.Payload.Text, "410 Gone") &&
				!strings.Contains(e.Payload.Text, "have failed for") {
				n++
			}
		}
		return n
	}
	attempts := rc.attempts
	for range 3 {
		drain(t, w)
		env.Clock.Advance(2 * time.Minute)
	}
	subs, err := env.Engine.Subscriptions(ctx, creds.Partner.ID)
	if err != nil {
		t.Fatal(err)
	}
	if rc.attempts != attempts+1 || len(subs) != 1 || subs[0].PausedAt == nil || !strings.Contains(subs[0].LastError, "status 410") ||
		!strings.Contains(subs[0].LastError, "paused at once") || subs[0].Failures != 1 || alerts() != 1 {
		t.Fatalf("after a 410: %d more attempts, subscription %+v, %d alerts naming Gone; want one attempt, paused saying so, one alert",
			rc.attempts-attempts, subs, alerts())
	}
	rc.status.Store(http.StatusOK)
	if err := env.Engine.ResumeSubscription(ctx, sub.ID, core.SystemActor); err != nil {
		t.Fatal(err)
	}
	drain(t, w)
	if len(rc.got) != 2 || rc.got[1].Type != core.WebhookReferralUpdated || rc.got[1].Data.Status != string(core.StatusAccepted) {
		t.Fatalf("after a 410 and a resume got %+v, want the accepted event", rc.got)
	}
}

// TestWebhookDialRefusesInternalAddresses: the delivery client's check
// runs on each address after DNS, so a public name that resolves (or is
// re-pointed) to an internal address is refused when it connects.
func TestWebhookDialRefusesInternalAddresses(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		network, address string
		allowed          bool
	}{
		{"tcp4", "127.0.0.1:443", false},
		{"tcp4", "10.0.0.1:443", false},
		{"tcp4", "169.254.169.254:80", false},
		{"tcp4", "100.64.1.1:443", false},
		{"tcp4", "0.0.0.0:443", false},
		{"tcp6", "[::1]:443", false},
		{"tcp6", "[fe80::1%eth0]:443", false},
		{"tcp6", "[fd00:ec2::254]:80", false},
		{"tcp6", "[::ffff:10.0.0.1]:443", false},
		{"tcp6", "[::ffff:127.0.0.1]:443", false},
		{"tcp4", "not-an-address:443", false},
		{"tcp4", "93.184.215.14:443", true},
		{"tcp6", "[2606:4700:4700::1111]:443", true},
	} {
		err := notify.RefuseNotPermitted(core.PublicReceivers)(c.network, c.address, nil)
		if c.allowed && err != nil || !c.allowed && (err == nil || !strings.Contains(err.Error(), "address not allowed")) {
			t.Errorf("dial %s %s: %v, want allowed %v", c.network, c.address, err, c.allowed)
		}
	}
	// A network the operator lists (ONWARD_WEBHOOK_PRIVATE_NETWORKS) is
	// let through, and only that one.
	council := core.WebhookReceivers{Private: []netip.Prefix{netip.MustParsePrefix("10.20.0.0/16")}}
	for _, c := range []struct {
		address string
		allowed bool
	}{
		{"10.20.3.4:443", true},
		{"[::ffff:10.20.3.4]:443", true},
		{"10.21.0.1:443", false},
		{"127.0.0.1:443", false},
		{"169.254.169.254:80", false},
		{"93.184.215.14:443", true},
	} {
		err := notify.RefuseNotPermitted(council)("tcp", c.address, nil)
		if c.allowed != (err == nil) {
			t.Errorf("with 10.20.0.0/16 listed, dial %s: %v, want allowed %v", c.address, err, c.allowed)
		}
	}

	// The production client, to a receiver on this machine: nothing arrives.
	var hits atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { hits.Add(1) }))
	defer srv.Close()
	resp, err := notify.NewWebhookClient(core.PublicReceivers).Post(srv.URL+"/hooks", "application/json", strings.NewReader("{}"))
	if err == nil {
		resp.Body.Close()
		t.Fatalf("the production client posted to %s: %d", srv.URL, resp.StatusCode)
	}
	if hits.Load() != 0 || !strings.Contains(err.Error(), "address not allowed") {
		t.Fatalf("production client to 127.0.0.1: %v, %d requests arrived; want refused before connecting", err, hits.Load())
	}
	resp, err = notify.NewWebhookClient(core.LocalReceivers).Post(srv.URL+"/hooks", "application/json", strings.NewReader("{}"))
	if err != nil || hits.Load() != 1 {
		t.Fatalf("dev client to 127.0.0.1: %v, %d requests arrived; want one", err, hits.Load())
	}
	resp.Body.Close()
}

// webhookSetup is a partner subscribed (as a developer's setup allows) to
// url, and a referral whose created event is then due to it.
func webhookSetup(t *testing.T, h *harness, url string) core.PartnerID {
	t.Helper()
	ctx := context.Background()
	creds, err := h.env.Engine.AddPartner(ctx, core.NewPartner{Name: "Kirkcaldy casework", AgencyID: h.env.Net.CAB,
		Scopes: []core.PartnerScope{core.ScopeRead}}, h.env.Net.Coordinator.Actor())
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := h.env.Engine.Subscribe(ctx, creds.Partner.ID, url); err != nil {
		t.Fatal(err)
	}
	if _, err := h.env.Engine.StaffRefer(ctx, core.StaffReferral{IdempotencyKey: "hook-internal", By: h.env.Net.WelfareAdviser.Actor(),
		Client: core.ClientDetails{Name: "Morag Baird", Phone: "07700 900123"}, Needs: []core.Need{core.NeedDebt},
		ToAgency: h.env.Net.CAB, ConsentConfirmed: true, WordingVersion: "v1"}); err != nil {
		t.Fatal(err)
	}
	return creds.Partner.ID
}

// TestWebhookReceiverDownForADeploy: a receiver that fails for a couple
// of minutes (a deploy) while several events are due is not paused, though
// it failed more times in a row than there are attempts in the schedule:
// each event is retried on the schedule, all arrive once it is back, and
// the delivery clears the run of failures. No coordinator is alerted.
func TestWebhookReceiverDownForADeploy(t *testing.T) {
	t.Parallel()
	h := newHarness(t, harnessOpts{})
	env, ctx := h.env, context.Background()
	creds, rc, srv, _, _ := failingReceiver(t, h, "hook-deploy")
	for i := range core.WebhookAttempts {
		if _, err := env.Engine.StaffRefer(ctx, core.StaffReferral{IdempotencyKey: fmt.Sprintf("hook-deploy-%d", i), By: env.Net.WelfareAdviser.Actor(),
			Client: core.ClientDetails{Name: "Morag Baird", Phone: fmt.Sprintf("07700 9001%02d", 30+i)}, Needs: []core.Need{core.NeedDebt},
			ToAgency: env.Net.CAB, ConsentConfirmed: true, WordingVersion: "v1"}); err != nil {
			t.Fatal(err)
		}
	}
	w := h.worker(t, func(o *notify.Options) { o.WebhookClient = srv.Client() })
	drain(t, w) // every event fails at once
	wait, _ := core.WebhookRetryWait(1)
	env.Clock.Advance(wait)
	drain(t, w) // and again five seconds later
	subs, err := env.Engine.Subscriptions(ctx, creds.Partner.ID)
	if err != nil || len(subs) != 1 || subs[0].PausedAt != nil || subs[0].Failures != 2*(core.WebhookAttempts+1) {
		t.Fatalf("subscription during the deploy %+v, %v: want delivering, %d failures counted", subs, err, 2*(core.WebhookAttempts+1))
	}
	rc.status.Store(http.StatusNoContent) // the deploy is over
	wait, _ = core.WebhookRetryWait(2)
	env.Clock.Advance(wait)
	drain(t, w)
	if len(rc.got) != core.WebhookAttempts+1 {
		t.Fatalf("delivered %d events after the deploy, want %d", len(rc.got), core.WebhookAttempts+1)
	}
	subs, err = env.Engine.Subscriptions(ctx, creds.Partner.ID)
	if err != nil || len(subs) != 1 || subs[0].PausedAt != nil || subs[0].Failures != 0 || subs[0].LastError != "" {
		t.Fatalf("subscription after the deploy %+v, %v: want delivering, its failures cleared", subs, err)
	}
	for _, e := range coretest.OutboxRows(t, env.Engine) {
		if e.Kind == core.OutboxAlert {
			t.Fatalf("coordinators alerted of a two-minute outage: %+v", e)
		}
	}
}

// TestWebhookNotDeliveredToInternalAddress: a worker in production
// (ONWARD_ENV=production, its own delivery client) sends nothing to an
// https receiver on 127.0.0.1 kept from before addresses were checked; the
// partner reads a failure saying the address is not allowed, and the
// subscription pauses like any other that keeps failing.
func TestWebhookNotDeliveredToInternalAddress(t *testing.T) {
	t.Parallel()
	h := newHarness(t, harnessOpts{})
	var hits atomic.Int32 // connections, not requests: nothing may even connect
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {}))
	srv.Config.ConnState = func(_ net.Conn, s http.ConnState) {
		if s == http.StateNew {
			hits.Add(1)
		}
	}
	srv.StartTLS()
	defer srv.Close()
	partner := webhookSetup(t, h, srv.URL+"/hooks")
	h.engine.UseWebhookReceivers(core.PublicReceivers) // production's rule
	w := h.worker(t, nil)
	throughSchedule(t, h, w, nil)
	if hits.Load() != 0 {
		t.Fatalf("%d connections reached a receiver on 127.0.0.1", hits.Load())
	}
	subs, err := h.env.Engine.Subscriptions(context.Background(), partner)
	if err != nil {
		t.Fatal(err)
	}
	if len(subs) != 1 || subs[0].PausedAt == nil || !strings.Contains(subs[0].LastError, "address not allowed: the address points to a private, local or reserved network address") ||
		strings.Contains(subs[0].LastError, "127.0.0.1") {
		t.Fatalf("subscription %+v, want paused with a last_error saying the address is not allowed (and not which)", subs)
	}
}

// TestWebhookRedirectNotFollowed: a receiver that answers with a redirect
// has failed; the delivery never goes where the redirect points (which
// could be an internal address).
func TestWebhookRedirectNotFollowed(t *testing.T) {
	t.Parallel()
	h := newHarness(t, harnessOpts{})
	var hits atomic.Int32
	target := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { hits.Add(1) }))
	defer target.Close()
	redirect := httptest.NewServer(http.RedirectHandler(target.URL+"/internal", http.StatusTemporaryRedirect))
	defer redirect.Close()
	partner := webhookSetup(t, h, redirect.URL+"/hooks")
	for _, client := range []*http.Client{nil, redirect.Client()} { // the worker's own, and one a test gives it
		w := h.worker(t, func(o *notify.Options) { o.WebhookClient = client })
		drain(t, w)
		h.env.Clock.Advance(2 * time.Minute)
	}
	if hits.Load() != 0 {
		t.Fatalf("the redirect was followed %d times", hits.Load())
	}
	subs, err := h.env.Engine.Subscriptions(context.Background(), partner)
	if err != nil {
		t.Fatal(err)
	}
	if len(subs) != 1 || subs[0].Failures != 2 || !strings.Contains(subs[0].LastError, "status 307") {
		t.Fatalf("subscription %+v, want two failures, the last a 307", subs)
	}
}

// TestWebhookEventsWaitInOrderAndSurviveAResume: a partner resumes its
// paused subscription while its receiver still fails. Its events are not
// used up: the subscription pauses again before any runs out of attempts,
// and after the fix and a second resume every event arrives, a referral's
// created event before its update, though the update was made while the
// created event was waiting for a retry.
func TestWebhookEventsWaitInOrderAndSurviveAResume(t *testing.T) {
	t.Parallel()
	h := newHarness(t, harnessOpts{maxAttempt: 6})
	env := h.env
	ctx := context.Background()
	_, rc, srv, sub, ref := failingReceiver(t, h, "hook-order")
	w := h.worker(t, func(o *notify.Options) { o.WebhookClient = srv.Client() })
	rounds := func(n int) {
		for i := 0; i < n; i++ {
			drain(t, w)
			env.Clock.Advance(2 * time.Minute)
		}
	}
	throughSchedule(t, h, w, nil) // paused, with the created event's every attempt
	// Resumed with the receiver still failing, three times over: more
	// attempts in all than the worker's six, and nothing is given up.
	for i := 0; i < 3; i++ {
		if err := env.Engine.ResumeSubscription(ctx, sub.ID, core.SystemActor); err != nil {
			t.Fatal(err)
		}
		throughSchedule(t, h, w, nil)
	}
	for _, e := range coretest.OutboxRows(t, env.Engine) {
		if e.Kind == core.OutboxWebhook && e.DeadAt != nil {
			t.Fatalf("a webhook event was given up after resumes: %+v", e)
		}
	}
	// The update is made while the created event waits.
	if err := env.Engine.ResumeSubscription(ctx, sub.ID, core.SystemActor); err != nil {
		t.Fatal(err)
	}
	drain(t, w) // the created event fails once more and waits for its retry
	if _, err := env.Engine.Act(ctx, core.TransitionRequest{Referral: ref.ID, Action: core.ActionAccept, Actor: env.Net.Adviser.Actor()}); err != nil {
		t.Fatal(err)
	}
	rc.status.Store(http.StatusNoContent)
	rounds(3)
	if len(rc.got) != 2 || rc.got[0].Type != core.WebhookReferralCreated || rc.got[1].Data.Status != string(core.StatusAccepted) {
		t.Fatalf("delivered %+v, want the created event and then the accepted one", rc.got)
	}
}
