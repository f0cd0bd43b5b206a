package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/onward-network/onward/core"
	"github.com/onward-network/onward/core/config"
	"github.com/onward-network/onward/core/coretest"
	"github.com/onward-network/onward/notify"
	"github.com/onward-network/onward/notify/notifytest"
)

// The notify benchmark sends benchNotifyRows outbox rows through a real
// worker to fake Slack and Twilio servers in this process, half
// coordinator posts and half client texts (five per referral, so causal
// order is in play). A producer commits small batches at a steady offered
// rate, each with NOTIFY, as core does after a change; latency runs from
// each row's commit to the fake provider receiving it.
const (
	benchNotifyRows      = 10000
	benchNotifyReferrals = 1000
	benchNotifyBatch     = 10                   // rows per producer commit
	benchNotifyEvery     = 5 * time.Millisecond // one commit this often: 2,000 rows/s offered
)

func init() { registerBench("notify", benchNotify) }

// benchReporter collects errors the fakes report.
type benchReporter struct {
	mu   sync.Mutex
	errs []string
	done []func()
}

func (r *benchReporter) Errorf(format string, args ...any) {
	r.mu.Lock()
	r.errs = append(r.errs, fmt.Sprintf(format, args...))
	r.mu.Unlock()
}

func (r *benchReporter) Cleanup(f func()) { r.done = append(r.done, f) }

// err is the first five errors the fakes reported, or nil; who names
// the fakes.
func (r *benchReporter) err(who string) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	if len(r.errs) == 0 {
		return nil
	}
	return fmt.Errorf("%s reported: %s", who, strings.Join(r.errs[:min(len(r.errs), 5)], "; "))
}

func (r *benchReporter) close() {
	for i := len(r.done) - 1; i >= 0; i-- {
		r.done[i]()
	}
}

var benchTexts = []struct{ template, prefix string }{
	{core.SMSConfirmation, "Thank you."},
	{core.SMSCancelled, "Your referral ONW"},
	{core.SMSConsentRemoved, "We have recorded"},
	{core.SMSRerouted, "The service you were referred to"},
	{core.SMSRedirected, "Your referral has been passed"},
}

func benchNotify(ctx context.Context, stdout io.Writer) error {
	pcfg, drop, err := benchPoolConfig(ctx, 24)
	if err != nil {
		return err
	}
	defer drop()
	pool, err := pgxpool.NewWithConfig(ctx, pcfg)
	if err != nil {
		return err
	}
	defer pool.Close()
	crypt, err := core.NewCrypter(randomKey(), nil, nil)
	if err != nil {
		return err
	}
	quiet := slog.New(slog.DiscardHandler)
	seedEng := core.NewEngine(pool, crypt, core.SystemClock{}, core.RandomIDs{}, quiet)
	if _, err := coretest.SeedNetwork(ctx, seedEng, pool); err != nil {
		seedEng.Close()
		return fmt.Errorf("seed bench network: %w", err)
	}
	seedEng.Close()
	// Texts at any hour: the benchmark must not wait for the morning.
	if _, err := pool.Exec(ctx, `UPDATE network_settings SET quiet_start = '00:00', quiet_end = '00:00'`); err != nil {
		return err
	}
	eng := core.NewEngine(pool, crypt, core.SystemClock{}, core.RandomIDs{}, quiet)
	defer eng.Close()

	fmt.Fprintf(stdout, "notify: making %d referrals…\n", benchNotifyReferrals)
	refs, err := benchReferrals(ctx, eng)
	if err != nil {
		return err
	}
	if err := coretest.MarkAllOutboxSent(ctx, pool); err != nil {
		return err
	}

	rep := &benchReporter{}
	defer rep.close()
	tw := notifytest.NewTwilio(rep, "AC00000000000000000000000000000000", "benchtoken0000000000000000000000")
	sl := notifytest.NewSlack(rep, "xoxb-bench")
	cfg := config.Config{PublicURL: "http://localhost:8080", TwilioAccountSID: tw.AccountSID, TwilioAuthToken: tw.AuthToken,
		TwilioFrom: "+447700900000", TwilioAPIURL: tw.URL(), SlackBotToken: sl.Token, SlackSigningSecret: "x",
		SlackAPIURL: sl.URL(), SlackTriageChannel: "C0TRIAGE", WorkerBatch: 50, WorkerMaxAttempts: 8, WorkerPoll: 10 * time.Second}
	guard := notifytest.Guard(rep, tw.URL(), sl.URL())
	sms, err := notify.NewTwilioSender(cfg, notify.SenderOptions{Transport: guard})
	if err != nil {
		return err
	}
	slk, err := notify.NewSlackClient(cfg, notify.SenderOptions{Transport: guard})
	if err != nil {
		return err
	}
	w, err := notify.New(notify.Options{Engine: eng, Config: cfg, Log: quiet, SMS: sms, Slack: slk, DisableDigest: true})
	if err != nil {
		return err
	}

	d := newDeliveries(benchNotifyRows, rep)
	sl.OnAccept(func(c notifytest.SlackCall) {
		key := strings.TrimPrefix(c.Text, ":bell: ")
		d.receive(key, key, c.At)
	})
	tw.OnAccept(func(m notifytest.SMS) {
		i := strings.Index(m.Body, "ONW-")
		for _, bt := range benchTexts {
			if strings.HasPrefix(m.Body, bt.prefix) && i >= 0 {
				key := strings.TrimRight(m.Body[i:i+11], ".) ") + " " + bt.template
				d.receive(key, key, m.At)
				return
			}
		}
		rep.Errorf("unexpected text %q", m.Body)
	})

	stopWorker := runWorker(ctx, w)
	defer stopWorker()

	start := time.Now()
	if err := benchProduce(ctx, eng, refs, d.commit); err != nil {
		return err
	}
	if err := d.wait(ctx, 2*time.Minute, "rows"); err != nil {
		return err
	}
	end := time.Now()
	if err := stopWorker(); err != nil {
		return err
	}
	if err := rep.err("fakes"); err != nil {
		return err
	}
	lat, err := d.latencies("provider")
	if err != nil {
		return err
	}
	rate := float64(len(lat)) / end.Sub(start).Seconds()
	fmt.Fprintf(stdout, "notify: offered %d rows/s in commits of %d; %d Slack posts, %d texts\n",
		int(time.Second/benchNotifyEvery)*benchNotifyBatch, benchNotifyBatch, len(sl.Calls()), len(tw.Accepted()))
	fmt.Fprintf(stdout, "notify: n=%d rate=%.0f/s p50=%sms p99=%sms\n", len(lat), rate, ms(percentile(lat, 50)), ms(percentile(lat, 99)))
	return nil
}

// benchReferrals makes the referrals the texts belong to, eight at a time.
func benchReferrals(ctx context.Context, eng *core.Engine) ([]core.Referral, error) {
	refs := make([]core.Referral, benchNotifyReferrals)
	var next atomic.Int64
	var wg sync.WaitGroup
	errs := make(chan error, 8)
	for g := 0; g < 8; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				i := int(next.Add(1)) - 1
				if i >= len(refs) {
					return
				}
				in := coretest.SelfReferral(fmt.Sprintf("bench-notify-%d", i))
				in.Client.Phone = fmt.Sprintf("07700 9%05d", i)
				res, err := eng.SelfRefer(ctx, in)
				if err != nil {
					errs <- err
					return
				}
				refs[i] = res.Referral
			}
		}()
	}
	wg.Wait()
	close(errs)
	if err := <-errs; err != nil {
		return nil, fmt.Errorf("make bench referrals: %w", err)
	}
	return refs, nil
}

// benchProduce commits the rows in small batches at the offered rate,
// through core.Outbox as the engine writes them (EnqueueTx in the batch's
// transaction, then a wake-up after the commit), and reports commit times.
func benchProduce(ctx context.Context, eng *core.Engine, refs []core.Referral, committed func(keys []string, at time.Time)) error {
	tick := time.NewTicker(benchNotifyEvery)
	defer tick.Stop()
	perRef := len(benchTexts)
	type row struct {
		kind     core.OutboxKind
		referral core.ReferralID
		payload  core.OutboxPayload
		dedupe   string
	}
	for start := 0; start < benchNotifyRows; start += benchNotifyBatch {
		var rows []row
		var keys []string
		for i := start; i < min(start+benchNotifyBatch, benchNotifyRows); i++ {
			dedupe := fmt.Sprintf("bench:%d", i)
			if i%2 == 0 {
				text := fmt.Sprintf("bench %d", i)
				rows, keys = append(rows, row{core.OutboxAlert, 0, core.OutboxPayload{Text: text}, dedupe}), append(keys, text)
			} else {
				n := i / 2 // the n-th text: referral n mod R, step n / R
				r := refs[n%len(refs)]
				bt := benchTexts[(n/len(refs))%perRef]
				rows = append(rows, row{core.OutboxClientSMS, r.ID, core.OutboxPayload{ReferralID: r.ID, Template: bt.template}, dedupe})
				keys = append(keys, r.Reference+" "+bt.template)
			}
		}
		err := pgx.BeginFunc(ctx, eng.Pool(), func(tx pgx.Tx) error {
			for _, r := range rows {
				if err := eng.Outbox().EnqueueTx(ctx, tx, r.kind, r.referral, r.payload, r.dedupe, time.Time{}); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			return fmt.Errorf("queue bench rows: %w", err)
		}
		eng.WakeWorkers()
		committed(keys, time.Now())
		select {
		case <-tick.C:
		case <-ctx.Done():
			return ctx.Err()
		}
	}
	return nil
}
