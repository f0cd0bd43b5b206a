package notify_test

import (
	"context"
	"io"
	"log/slog"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/onward-network/onward/core"
	"github.com/onward-network/onward/core/config"
	"github.com/onward-network/onward/core/coretest"
	"github.com/onward-network/onward/notify"
	"github.com/onward-network/onward/notify/notifytest"
)

const (
	testAccountSID = "AC0123456789abcdef0123456789abcdef"
	testAuthToken  = "0123456789abcdef0123456789abcdef"
	testFrom       = "+447700900000"
	testBotToken   = "xoxb-1-test-token"
	triageChannel  = "C0TRIAGE"
)

// harness is a seeded network, fake Twilio and Slack, and a worker whose
// real clients may only talk to the fakes.
type harness struct {
	env    *coretest.Env
	engine *core.Engine
	clock  core.Clock
	cfg    config.Config
	twilio *notifytest.Twilio
	slack  *notifytest.Slack
	sms    notify.SMSSender
	slackS notify.SlackSender
}

type harnessOpts struct {
	realClock  bool          // deliveries paced by real time (fault tests); quiet hours are switched off
	timeout    time.Duration // provider client timeout
	noSlack    bool
	noTwilio   bool
	maxAttempt int
}

func newHarness(t *testing.T, o harnessOpts) *harness {
	t.Helper()
	env := coretest.NewEnv(t)
	h := &harness{env: env, engine: env.Engine, clock: env.Clock}
	if o.realClock {
		if _, err := env.Pool.Exec(context.Background(), `UPDATE network_settings SET quiet_start = '00:00', quiet_end = '00:00'`); err != nil {
			t.Fatal(err)
		}
		h.engine = core.NewEngine(env.Pool, env.Crypt, core.SystemClock{}, env.IDs, slog.New(slog.DiscardHandler))
		t.Cleanup(h.engine.Close)
		h.clock = core.SystemClock{}
	}
	// The harness is a developer's setup (ONWARD_ENV=dev): receivers on
	// this machine are taken.
	env.Engine.UseWebhookReceivers(core.LocalReceivers)
	h.engine.UseWebhookReceivers(core.LocalReceivers)
	h.twilio = notifytest.NewTwilio(t, testAccountSID, testAuthToken)
	h.slack = notifytest.NewSlack(t, testBotToken)
	h.cfg = config.Config{Env: "dev", PublicURL: "https://onward.example",
		TwilioAccountSID: testAccountSID, TwilioAuthToken: testAuthToken, TwilioFrom: testFrom, TwilioAPIURL: h.twilio.URL(),
		SlackBotToken: testBotToken, SlackSigningSecret: "signing-secret", SlackAPIURL: h.slack.URL(),
		SlackTriageChannel: triageChannel, SlackCrisisMention: "<!here>",
		WorkerBatch: 50, WorkerMaxAttempts: 8, WorkerPoll: 10 * time.Second}
	if o.maxAttempt > 0 {
		h.cfg.WorkerMaxAttempts = o.maxAttempt
	}
	guard := notifytest.Guard(t, h.twilio.URL(), h.slack.URL())
	so := notify.SenderOptions{Timeout: o.timeout, Transport: guard}
	if !o.noTwilio {
		s, err := notify.NewTwilioSender(h.cfg, so)
		if err != nil {
			t.Fatal(err)
		}
		h.sms = s
	}
	if !o.noSlack {
		s, err := notify.NewSlackClient(h.cfg, so)
		if err != nil {
			t.Fatal(err)
		}
		h.slackS = s
	}
	return h
}

// worker builds a worker on the harness; change opts to taste.
func (h *harness) worker(t *testing.T, change func(*notify.Options)) *notify.Worker {
	t.Helper()
	o := notify.Options{Engine: h.engine, Config: h.cfg, Log: slog.New(slog.NewTextHandler(io.Discard, nil)),
		SMS: h.sms, Slack: h.slackS, Clock: h.clock, Rand: rand.New(rand.NewPCG(1, 2)), DisableDigest: true,
		BaseBackoff: 20 * time.Millisecond, MaxBackoff: 200 * time.Millisecond}
	if change != nil {
		change(&o)
	}
	w, err := notify.New(o)
	if err != nil {
		t.Fatal(err)
	}
	return w
}

// drain runs the worker step by step until nothing is due.
func drain(t *testing.T, w *notify.Worker) int {
	t.Helper()
	total := 0
	for i := 0; i < 200; i++ {
		n, err := w.RunOnce(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		if n == 0 {
			return total
		}
		total += n
	}
	t.Fatal("outbox never drained")
	return total
}

// outboxRow is a row as a test reads it back.
type outboxRow struct {
	ID             int64
	Kind           string
	Template       string
	Channel        string
	Level          string
	Attempts       int
	Sent, Dead     bool
	ProviderID     string
	DeliveryStatus string
	LastError      string
	AvailableAt    time.Time
}

func (h *harness) rows(t *testing.T) []outboxRow {
	t.Helper()
	es, err := h.engine.Outbox().List(context.Background(), core.OutboxFilter{State: core.OutboxAll, Limit: 1 << 20})
	if err != nil {
		t.Fatal(err)
	}
	out := make([]outboxRow, 0, len(es))
	for _, e := range es {
		out = append(out, outboxRow{ID: int64(e.ID), Kind: string(e.Kind), Template: e.Payload.Template,
			Channel: e.Payload.Channel, Level: e.Payload.Level, Attempts: e.Attempts,
			Sent: e.SentAt != nil, Dead: e.DeadAt != nil, ProviderID: e.ProviderID,
			DeliveryStatus: string(e.DeliveryStatus), LastError: e.LastError, AvailableAt: e.AvailableAt})
	}
	return out
}

// pending counts the rows not yet delivered nor dead-lettered, but for
// those scheduled for later and never tried (a reminder at a referral's
// target), which nothing waits for yet. A row the worker put back for
// later (a text whose interrupted send is checked with Twilio once its
// timeout has passed, quiet hours) is pending: its attempt was not
// counted, but its status says it was tried.
func (h *harness) pending(t *testing.T) int {
	t.Helper()
	var n int
	if err := h.env.Pool.QueryRow(context.Background(), `SELECT count(*) FROM outbox
WHERE sent_at IS NULL AND dead_at IS NULL
  AND NOT (attempts = 0 AND available_at > $1 AND delivery_status = '')`, h.clock.Now()).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

// selfRefer makes an SMS self-referral that asks for a confirmation text.
func (h *harness) selfRefer(t *testing.T, key string, change func(*core.SelfReferral)) core.Referral {
	t.Helper()
	in := coretest.SelfReferral(key)
	in.ConfirmBySMS = true
	if change != nil {
		change(&in)
	}
	res, err := h.engine.SelfRefer(context.Background(), in)
	if err != nil {
		t.Fatal(err)
	}
	return res.Referral
}

// markAllSent clears the outbox of what setup queued, so a test counts
// only its own rows.
func (h *harness) markAllSent(t *testing.T) {
	t.Helper()
	coretest.MarkOutboxSent(t, h.env.Pool)
}

// engineThroughProxy is an engine on the test's database reached through a
// proxy the test can cut, hang or restore.
func (h *harness) engineThroughProxy(t *testing.T, clock core.Clock) (*core.Engine, *coretest.Proxy) {
	t.Helper()
	pool, p := coretest.PoolThroughProxy(t, h.env.URL)
	eng := core.NewEngine(pool, h.env.Crypt, clock, h.env.IDs, slog.New(slog.DiscardHandler))
	t.Cleanup(eng.Close)
	return eng, p
}
