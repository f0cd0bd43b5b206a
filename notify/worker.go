package notify

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"maps"
	"math/rand/v2"
	"net/http"
	"slices"
	"sync"
	"text/template"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/onward-network/onward/core"
	"github.com/onward-network/onward/core/config"
	"github.com/onward-network/onward/core/lang"
	"github.com/onward-network/onward/templates"
)

// Options configure a Worker. Engine is required; everything else has a
// default taken from Engine and Config.
type Options struct {
	Engine *core.Engine
	Config config.Config // WorkerBatch, WorkerMaxAttempts, WorkerPoll, SlackTriageChannel, SlackCrisisMention
	Log    *slog.Logger

	// Senders; nil means the provider is not configured and its rows are
	// marked sent with a "skipped: … not configured" delivery status.
	SMS   SMSSender
	Slack SlackSender
	// WhatsApp sends to clients who write by WhatsApp; nil sends them
	// SMS instead. Config.WhatsAppTemplates names its templates.
	WhatsApp WhatsAppSender
	Mail     MailSender
	// Cards renders referral cards; nil uses PlainCards.
	Cards CardRenderer

	Clock core.Clock    // default: the engine's clock
	Rand  Random        // jitter; default a randomly seeded PCG
	Lease time.Duration // how long a claim holds a row; default Config.WorkerLease, else 2 minutes
	// Grace is how long Run lets deliveries in flight finish once its
	// context ends before it gives back the rows it holds; default
	// Config.ShutdownGrace, else 20 s.
	Grace       time.Duration
	Concurrency int           // deliveries in flight at once; default 64
	BaseBackoff time.Duration // first retry wait; default 10 s
	MaxBackoff  time.Duration // longest retry wait; default 1 h
	// UrgentBackoff is the first retry wait of crisis alerts and crisis
	// cards (default 1 s), doubling like the routine schedule: a crisis
	// card after three provider failures still arrives within seconds.
	UrgentBackoff time.Duration
	// EmailRetryWindow is how long after it was queued an email that
	// fails for a reason that may pass (a mail server down, 4xx) is still
	// tried, past the attempts every other row gets; default 24 h.
	// Negative: attempts only.
	EmailRetryWindow time.Duration
	// DigestAt is the network-local time of day when each working day's
	// digests are queued (default 09:00); DisableDigest turns them off.
	DigestAt      time.Duration
	DisableDigest bool
	Metrics       *Metrics // default: a fresh one
	// WebhookClient posts partner webhooks; default newWebhookClient's,
	// which refuses internal addresses unless Config is dev. A client
	// given here (tests) is used as it is, except that it never follows
	// a redirect.
	WebhookClient *http.Client
	// Catalogue is the message files client texts come from; nil loads
	// templates/i18n.
	Catalogue *lang.Catalogue
	// CarrierOptOut, when set, is called once a phone's opt-out at the
	// carrier (Twilio 21610 on a send) is recorded: the SMS webhook's
	// cached answer for the phone is dropped (sms.ForgetCachedOptOut), so
	// its next text is not answered as from a phone still opted in.
	CarrierOptOut func(ctx context.Context, phone core.Phone)
}

// Worker delivers outbox rows. Several workers, in one process or many,
// can run against one database: they coordinate through SKIP LOCKED and
// leases only.
type Worker struct {
	engine        *core.Engine
	outbox        *core.Outbox
	pool          *pgxpool.Pool // read queries (cards, digests) and the LISTEN connection's settings
	cfg           config.Config
	log           *slog.Logger
	sms           SMSSender
	messages      MessageLog    // the SMS sender's, when it can list what Twilio holds
	eraser        MessageEraser // the SMS (or WhatsApp) sender's, when it can delete what Twilio holds
	slack         SlackSender
	cards         CardRenderer
	clock         core.Clock
	backoff       Backoff
	urgentBackoff Backoff
	emailWindow   time.Duration // see Options.EmailRetryWindow
	lease         time.Duration
	grace         time.Duration
	batch         int
	maxAttempts   int
	poll          time.Duration
	concurrency   int
	digestAt      time.Duration
	noDigest      bool
	metrics       *Metrics
	tmpl          *template.Template
	whatsapp      WhatsAppSender
	waTemplates   map[string]whatsAppTemplate // wording and variables per kind
	waSIDs        map[string]string           // approved template per kind
	webhooks      *http.Client
	receivers     core.WebhookReceivers // which receiver addresses webhooks may go to
	cat           *lang.Catalogue
	mail          MailSender
	mailTmpl      *emailTemplates
	mailGate      *mailGate // the mail server's outages
	carrierOptOut func(ctx context.Context, phone core.Phone)

	wakeCh chan struct{}

	mu        sync.Mutex
	slackHold time.Time // Slack asked us to wait (429) until then
	// credentialsSaid is when each provider's refusal of Onward's
	// credentials was last logged (credentialsRefused).
	credentialsSaid map[string]time.Time
	dbDownSince     time.Time // the claims have failed since then; zero while they work
	digestDate      string    // the local date whose digests are queued
	digestCheck     time.Time
}

// New builds a worker.
func New(o Options) (*Worker, error) {
	if o.Engine == nil {
		return nil, errors.New("notify: a worker needs the engine")
	}
	tmpl, err := parseTemplates()
	if err != nil {
		return nil, err
	}
	waTemplates, err := loadWhatsAppTemplates(templates.FS)
	if err != nil {
		return nil, err
	}
	waSIDs, err := whatsAppTemplateSIDs(o.Config, waTemplates)
	if err != nil {
		return nil, err
	}
	cat := o.Catalogue
	if cat == nil {
		if cat, err = lang.Load(templates.FS, o.Log); err != nil {
			return nil, fmt.Errorf("notify: %w", err)
		}
	}
	mailTmpl, err := parseEmailTemplates()
	if err != nil {
		return nil, err
	}
	w := &Worker{mail: o.Mail, mailTmpl: mailTmpl, carrierOptOut: o.CarrierOptOut, credentialsSaid: map[string]time.Time{},
		engine: o.Engine, outbox: o.Engine.Outbox(), pool: o.Engine.Pool(), cfg: o.Config, log: o.Log,
		sms: o.SMS, slack: o.Slack, cards: o.Cards, clock: o.Clock,
		lease: o.Lease, grace: o.Grace, batch: o.Config.WorkerBatch, maxAttempts: o.Config.WorkerMaxAttempts,
		poll: o.Config.WorkerPoll, concurrency: o.Concurrency, digestAt: o.DigestAt, noDigest: o.DisableDigest,
		metrics: o.Metrics, tmpl: tmpl, cat: cat, wakeCh: make(chan struct{}, 1), webhooks: o.WebhookClient,
		whatsapp: o.WhatsApp, waTemplates: waTemplates, waSIDs: waSIDs,
	}
	if l, ok := o.SMS.(MessageLog); ok {
		w.messages = l
	}
	if d, ok := o.SMS.(MessageEraser); ok {
		w.eraser = d
	} else if d, ok := o.WhatsApp.(MessageEraser); ok {
		w.eraser = d
	}
	w.receivers = o.Engine.WebhookReceivers()
	if w.webhooks == nil {
		w.webhooks = newWebhookClient(w.receivers)
	} else {
		c := *w.webhooks
		c.CheckRedirect = refuseRedirect
		w.webhooks = &c
	}
	if w.log == nil {
		w.log = slog.New(slog.DiscardHandler)
	}
	if w.cards == nil {
		w.cards = PlainCards{Engine: o.Engine, TriageChannel: o.Config.SlackTriageChannel}
	}
	if w.clock == nil {
		w.clock = o.Engine.Clock()
	}
	r := o.Rand
	if r == nil {
		r = rand.New(rand.NewPCG(rand.Uint64(), rand.Uint64()))
	}
	w.backoff = Backoff{Base: o.BaseBackoff, Max: o.MaxBackoff, Rand: &lockedRandom{r: r}}
	if w.backoff.Base <= 0 {
		w.backoff.Base = 10 * time.Second
	}
	if w.backoff.Max <= 0 {
		w.backoff.Max = time.Hour
	}
	w.urgentBackoff = Backoff{Base: o.UrgentBackoff, Max: w.backoff.Max, Rand: w.backoff.Rand}
	if w.urgentBackoff.Base <= 0 {
		w.urgentBackoff.Base = time.Second
	}
	switch w.emailWindow = o.EmailRetryWindow; {
	case w.emailWindow == 0:
		w.emailWindow = 24 * time.Hour
	case w.emailWindow < 0:
		w.emailWindow = 0
	}
	if w.lease <= 0 {
		w.lease = o.Config.WorkerLease
	}
	if w.lease <= 0 {
		w.lease = 2 * time.Minute
	}
	if w.grace <= 0 {
		w.grace = o.Config.ShutdownGrace
	}
	if w.grace <= 0 {
		w.grace = 20 * time.Second
	}
	if w.batch <= 0 {
		w.batch = 50
	}
	if w.maxAttempts <= 0 {
		w.maxAttempts = 8
	}
	if w.poll <= 0 {
		w.poll = 10 * time.Second
	}
	if w.concurrency <= 0 {
		w.concurrency = 64
	}
	if w.digestAt <= 0 {
		w.digestAt = 9 * time.Hour
	}
	if w.metrics == nil {
		w.metrics = NewMetrics()
	}
	w.metrics.workerRuns()
	// While the mail server cannot be reached, one email tries it after
	// the crisis schedule's first wait, doubling up to a minute.
	w.mailGate = &mailGate{first: w.urgentBackoff.Base, most: min(w.backoff.Max, time.Minute), log: w.log, metrics: w.metrics}
	return w, nil
}

func (w *Worker) now() time.Time { return w.clock.Now() }

// wake makes the run loop look for due rows now.
func (w *Worker) wake() {
	select {
	case w.wakeCh <- struct{}{}:
	default:
	}
}

// Run delivers rows until ctx ends: it wakes on NOTIFY onward_outbox, when
// the next scheduled row falls due, when a delivery finishes (which may
// free the next row of the same referral), and at least every WorkerPoll.
// On shutdown it lets deliveries in flight finish for up to the grace
// period, so no text is left half-sent; then it gives back the rows it
// still holds (not a text or email marked "sending") for another worker
// to take at once, uncounted, and returns. While PostgreSQL does not answer it backs
// off, and says so once in the log and in /readyz (Metrics), and once more
// when it answers again.
func (w *Worker) Run(ctx context.Context) error {
	listenCtx, stopListen := context.WithCancel(ctx)
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		w.listen(listenCtx)
	}()
	// Deliveries outlive ctx for the grace period: a send that started is
	// finished and recorded.
	deliverCtx, stopDeliveries := context.WithCancel(context.WithoutCancel(ctx))
	defer stopDeliveries()
	done := make(chan struct{}, w.concurrency)
	inflight := 0
	var heldMu sync.Mutex
	held := map[core.OutboxID]core.OutboxClaim{}
	defer func() {
		stopListen()
		grace := time.NewTimer(w.grace)
		defer grace.Stop()
	wait:
		for inflight > 0 {
			select {
			case <-done:
				inflight--
			case <-grace.C:
				break wait
			}
		}
		if inflight > 0 {
			heldMu.Lock()
			rows := slices.Collect(maps.Values(held))
			heldMu.Unlock()
			w.giveBack(rows)
			stopDeliveries()
		}
		wg.Wait()
	}()
	errPause := time.Duration(0)
	for {
		for drained := false; !drained; {
			select {
			case <-done:
				inflight--
			default:
				drained = true
			}
		}
		if ctx.Err() != nil {
			return ctx.Err()
		}
		w.maybeScheduleDigests(ctx)
		want := min(w.batch, w.concurrency-inflight)
		got := 0
		if want > 0 {
			claimCtx, cancelClaim := context.WithTimeout(ctx, claimWithin)
			rows, err := w.claim(claimCtx, want)
			cancelClaim()
			if err != nil && ctx.Err() == nil {
				errPause = min(max(2*errPause, 100*time.Millisecond), 5*time.Second)
				w.databaseDown(err)
			} else if err == nil {
				errPause = 0
				w.databaseUp()
			}
			for _, r := range rows {
				inflight++
				heldMu.Lock()
				held[r.ID] = r
				heldMu.Unlock()
				go func(r core.OutboxClaim) {
					w.deliver(deliverCtx, r)
					heldMu.Lock()
					delete(held, r.ID)
					heldMu.Unlock()
					done <- struct{}{}
				}(r)
			}
			got = len(rows)
		}
		if got > 0 && got == want {
			continue // there may be more due
		}
		wait := w.poll
		if errPause > 0 {
			wait = errPause
		} else if next, err := w.outbox.NextDue(ctx, w.now()); err == nil && !next.IsZero() {
			wait = min(wait, max(next.Sub(w.now()), 0))
		}
		if !w.noDigest {
			wait = min(wait, time.Minute)
		}
		timer := time.NewTimer(wait)
		select {
		case <-ctx.Done():
		case <-w.wakeCh:
		case <-done:
			inflight--
		case <-timer.C:
		}
		timer.Stop()
	}
}

// claimWithin bounds one claim: a PostgreSQL that hangs (accepts and
// never answers) then counts as unreachable, so the worker backs off and
// says so rather than waiting on it unseen.
const claimWithin = 15 * time.Second

// RunOnce claims one batch of due rows and delivers them one after
// another, returning how many it claimed. Tests and `onward outbox` use it
// to drive delivery step by step.
func (w *Worker) RunOnce(ctx context.Context) (int, error) {
	rows, err := w.claim(ctx, w.batch)
	if err != nil {
		return 0, err
	}
	for _, r := range rows {
		w.deliver(ctx, r)
	}
	return len(rows), nil
}

// giveBack returns rows a stopping worker still holds, so another worker
// takes them at once rather than when the lease runs out; a text or an
// email marked "sending" stays, as its call may have reached the
// provider, and so does a row whose delivery ended meanwhile. The log
// line says how many were given back, and only says they were when some
// were.
func (w *Worker) giveBack(rows []core.OutboxClaim) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	given := 0
	var failed error
	for _, r := range rows {
		err := w.outbox.Release(ctx, r, w.now())
		switch {
		case err == nil:
			given++
		case !errors.Is(err, core.ErrLeaseLost):
			failed = err // the database did not answer: left to the lease too
		}
	}
	why := "marked sending, their send may have reached the provider"
	if failed != nil {
		why = "PostgreSQL did not answer"
	}
	msg := "stopped with deliveries unfinished after the grace period"
	switch {
	case given == len(rows):
		msg += "; rows given back for another worker to take at once"
	case given > 0:
		msg += "; some rows given back for another worker to take at once, the rest left until their lease ends (" + why + ")"
	default:
		msg += "; no row given back, left until their lease ends (" + why + ")"
	}
	args := []any{"held", len(rows), "given_back", given, "left", len(rows) - given}
	if failed != nil {
		args = append(args, "err", failed)
	}
	w.log.Warn(msg, args...)
}

// databaseDown notes a claim that failed: the first failure of a run of
// them is logged, the rest are not (the worker backs off meanwhile).
func (w *Worker) databaseDown(err error) {
	w.mu.Lock()
	first := w.dbDownSince.IsZero()
	if first {
		w.dbDownSince = time.Now()
	}
	w.mu.Unlock()
	if first {
		w.metrics.databaseDown(true)
		w.log.Error("cannot reach PostgreSQL: deliveries paused, retrying with backoff", "err", err)
	}
}

// databaseUp notes a claim that worked, logging once if the database had
// been unreachable.
func (w *Worker) databaseUp() {
	w.mu.Lock()
	since := w.dbDownSince
	w.dbDownSince = time.Time{}
	w.mu.Unlock()
	if !since.IsZero() {
		w.metrics.databaseDown(false)
		w.log.Info("PostgreSQL answers again: deliveries resume", "after", time.Since(since).Round(time.Second))
	}
}

// DatabaseTrouble reports since when the worker has failed to reach
// PostgreSQL (false while it reaches it), for /readyz.
func (w *Worker) DatabaseTrouble() (time.Time, bool) {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.dbDownSince, !w.dbDownSince.IsZero()
}
