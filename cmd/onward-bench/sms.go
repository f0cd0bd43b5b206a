package main

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/onward-network/onward/intake/sms"
	"github.com/twilio/twilio-go/twiml"

	"github.com/onward-network/onward/cmd/internal/wiring"
)

// The SMS benchmark drives the inbound webhook as Twilio would: signed
// forms from benchSMSConns phones, one connection each, each phone walking
// through the conversation (and RESTART at the consent question, so it
// cycles through every step without making referrals). The onward side is
// the full path as serve mounts it, served over loopback on a fresh
// database and Redis key prefix: the edge's check of the form for bytes
// PostgreSQL refuses, the signature, then in one Redis call the
// MessageSid dedupe, the per-phone limit and the lock, the conversation
// step, the opt-out check (cached in Redis), TwiML, and the save. (The
// per-IP limit counts only unsigned requests, so none of these.) The bare
// side, in the same run, only parses the same form and answers with the
// same kind of TwiML. Both sides get identical, identically signed
// requests from the same load generator.
const (
	benchSMSConns    = 64
	benchSMSDuration = 10 * time.Second
	benchSMSRounds   = 5 // the sides alternate, so a busy moment on the machine hits both
	benchSMSWarmup   = time.Second
	benchSMSToken    = "benchtwilioauthtoken0123456789ab"
	benchSMSPublic   = "https://onward.example.org"
	benchSMSNumber   = "+447700900000"
)

// benchSMSScript is what each phone sends, over and over, after "Hi".
var benchSMSScript = []string{"1 3", "KY1 1AB", "no", "no", "Ailsa Fictional", "1", "1", "RESTART"}

// benchSMSScriptPolish is the same conversation in Polish: the language
// chosen by name, the answers in Polish, the interpreter question it adds.
var benchSMSScriptPolish = []string{"POLSKI", "dług i czynsz", "KY1 1AB", "nie", "nie", "Ania Fikcyjna", "1", "tak", "rano", "RESTART"}

func init() {
	registerBench("sms", func(ctx context.Context, stdout io.Writer) error {
		return benchSMS(ctx, stdout, benchSMSScript, "sms-inbound")
	})
	// The same load in Polish, for comparing a conversation in another
	// language with the English one.
	registerBench("sms-pl", func(ctx context.Context, stdout io.Writer) error {
		return benchSMS(ctx, stdout, benchSMSScriptPolish, "sms-inbound-pl")
	})
}

func benchSMS(ctx context.Context, stdout io.Writer, script []string, label string) error {
	env, err := openBenchEnv(ctx, 16, benchSMSConns*2)
	if err != nil {
		return err
	}
	defer env.Close()
	eng, pool, rdb, prefix, quiet := env.engine, env.pool, env.rdb, env.prefix, env.quiet

	// The limits are raised so the benchmark measures the work, not the
	// refusals; the limiter still runs on every request.
	ap, err := wiring.PipelinedRedis(rdb)
	if err != nil {
		return err
	}
	webhook, err := sms.New(sms.Config{Engine: eng, Redis: ap, Log: quiet, KeyPrefix: prefix,
		PublicURL: benchSMSPublic, AuthToken: benchSMSToken, SMSRatePerHour: 1 << 30, IPRatePerMinute: 1 << 30})
	if err != nil {
		return err
	}
	onward, onwardURL, err := serveRoutes(webhook.Routes)
	if err != nil {
		return err
	}
	defer onward.Close()
	bare, bareURL, err := serveLocal(http.HandlerFunc(benchSMSBare))
	if err != nil {
		return err
	}
	defer bare.Close()

	fmt.Fprintf(stdout, "sms: %d connections, %s per side in %d alternating rounds (after %s warm-up each), one phone per connection walking the conversation\n",
		benchSMSConns, benchSMSDuration, benchSMSRounds, benchSMSWarmup)
	// Phones 100–163 for onward, 300–363 for bare; each round starts
	// from the phone's next step, so conversations carry on across rounds,
	// and message ids never repeat, so no text is a retry.
	var on, br benchSMSResult
	var onCost, brCost benchCounters
	onCost.cpu, brCost.cpu = knownCPU(), knownCPU()
	var seq atomic.Int64
	onSteps, brSteps := make([]int, benchSMSConns), make([]int, benchSMSConns)
	slice := benchSMSDuration / benchSMSRounds
	for round := 0; round < benchSMSRounds; round++ {
		warm := time.Duration(0)
		if round == 0 {
			warm = benchSMSWarmup
		}
		before := env.counters()
		r, err := benchSMSLoad(ctx, onwardURL, 100, script, onSteps, &seq, warm, slice, true)
		if err != nil {
			return fmt.Errorf("onward side: %w", err)
		}
		on = on.add(r)
		onCost = onCost.add(env.counters().sub(before))
		before = env.counters()
		r, err = benchSMSLoad(ctx, bareURL, 300, script, brSteps, &seq, warm, slice, false)
		if err != nil {
			return fmt.Errorf("bare side: %w", err)
		}
		br = br.add(r)
		brCost = brCost.add(env.counters().sub(before))
	}
	slices.Sort(on.latencies)
	slices.Sort(br.latencies)
	for _, s := range []struct {
		name string
		r    benchSMSResult
	}{{"onward", on}, {"bare", br}} {
		fmt.Fprintf(stdout, "sms-%s: %d requests in %s, %.0f/s, p50=%sms p99=%sms max=%sms\n", s.name, len(s.r.latencies),
			s.r.elapsed.Round(time.Millisecond), s.r.rate(), ms(percentile(s.r.latencies, 50)),
			ms(percentile(s.r.latencies, 99)), ms(percentile(s.r.latencies, 100)))
	}
	// Per request, counting warm-up requests too; the CPU here includes
	// the load generator's, the same on both sides.
	fmt.Fprintf(stdout, "sms-onward per request: %s\n", onCost.perRequest(on.sent))
	fmt.Fprintf(stdout, "sms-bare per request: %s\n", brCost.perRequest(br.sent))
	var referrals int64
	if err := pool.QueryRow(ctx, "SELECT count(*) FROM referrals").Scan(&referrals); err != nil {
		return err
	}
	if referrals != 0 {
		return fmt.Errorf("the benchmark made %d referrals; its script should make none", referrals)
	}
	fmt.Fprintf(stdout, "%s: onward=%.0f/s bare=%.0f/s ratio=%.2f p99=%sms\n",
		label, on.rate(), br.rate(), on.rate()/br.rate(), ms(percentile(on.latencies, 99)))
	return nil
}

type benchSMSResult struct {
	latencies []time.Duration // sorted
	elapsed   time.Duration
	sent      int // requests, warm-up included
}

func (r benchSMSResult) rate() float64 { return float64(len(r.latencies)) / r.elapsed.Seconds() }

func (r benchSMSResult) add(o benchSMSResult) benchSMSResult {
	return benchSMSResult{latencies: append(r.latencies, o.latencies...), elapsed: r.elapsed + o.elapsed, sent: r.sent + o.sent}
}

// benchSMSLoad runs the load generator against one side: a warm-up, then
// d of measured requests. steps[c] is where connection c's phone is in
// its script, carried from round to round. Every answer must be 200
// TwiML; on the onward side every answer must also carry a message, or a
// step went wrong.
func benchSMSLoad(ctx context.Context, target string, firstPhone int, script []string, steps []int, seq *atomic.Int64, warmup, d time.Duration, checkReply bool) (benchSMSResult, error) {
	client := &http.Client{Timeout: 10 * time.Second, Transport: &http.Transport{
		MaxIdleConnsPerHost: benchSMSConns, MaxConnsPerHost: benchSMSConns, DisableCompression: true}}
	defer client.CloseIdleConnections()
	var (
		mu       sync.Mutex
		all      []time.Duration
		firstErr error
		wg       sync.WaitGroup
		sent     atomic.Int64
	)
	warmEnd := time.Now().Add(warmup)
	end := warmEnd.Add(d)
	for c := 0; c < benchSMSConns; c++ {
		wg.Add(1)
		go func(c int) {
			defer wg.Done()
			phone := fmt.Sprintf("+447700900%03d", firstPhone+c)
			var mine []time.Duration
			defer func() { mu.Lock(); all = append(all, mine...); mu.Unlock() }()
			for ; ctx.Err() == nil; steps[c]++ {
				now := time.Now()
				if now.After(end) {
					return
				}
				body := "Hi"
				if step := steps[c]; step > 0 {
					body = script[(step-1)%len(script)]
				}
				d, err := benchSMSPost(ctx, client, target, phone, body, seq.Add(1), checkReply)
				sent.Add(1)
				if err != nil {
					mu.Lock()
					if firstErr == nil {
						firstErr = err
					}
					mu.Unlock()
					return
				}
				if now.After(warmEnd) {
					mine = append(mine, d)
				}
			}
		}(c)
	}
	wg.Wait()
	if firstErr != nil {
		return benchSMSResult{}, firstErr
	}
	return benchSMSResult{latencies: all, elapsed: d, sent: int(sent.Load())}, nil
}

// benchSMSPost sends one text as Twilio posts it and times the answer.
func benchSMSPost(ctx context.Context, client *http.Client, target, phone, body string, n int64, checkReply bool) (time.Duration, error) {
	sid := fmt.Sprintf("SM%032x", n)
	params := map[string]string{
		"ToCountry": "GB", "ToState": "", "SmsMessageSid": sid, "NumMedia": "0", "ToCity": "", "FromZip": "",
		"SmsSid": sid, "FromState": "", "SmsStatus": "received", "FromCity": "", "Body": body, "FromCountry": "GB",
		"To": benchSMSNumber, "ToZip": "", "NumSegments": "1", "MessageSid": sid,
		"AccountSid": "AC00000000000000000000000000000000", "From": phone, "ApiVersion": "2010-04-01",
	}
	form := url.Values{}
	for k, v := range params {
		form.Set(k, v)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, target+"/twilio/sms", strings.NewReader(form.Encode()))
	if err != nil {
		return 0, err
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("X-Twilio-Signature", sms.TwilioSignature(benchSMSToken, benchSMSPublic+"/twilio/sms", params))
	start := time.Now()
	res, err := client.Do(req)
	if err != nil {
		return 0, err
	}
	reply, err := io.ReadAll(res.Body)
	res.Body.Close()
	d := time.Since(start)
	if err != nil {
		return 0, err
	}
	if res.StatusCode != http.StatusOK {
		return 0, fmt.Errorf("status %d for %q", res.StatusCode, body)
	}
	if checkReply && !strings.Contains(string(reply), "<Message>") {
		return 0, fmt.Errorf("no message in the reply to %q: %s", body, reply)
	}
	return d, nil
}

// benchSMSBareReply is a typical reply: the postcode question.
var benchSMSBareReply = "Thanks. What is your postcode? For example KY1 1AB. If you don't know it, reply DON'T KNOW."

// benchSMSBare is the floor: read the same form and answer with TwiML
// built the same way, doing nothing else.
func benchSMSBare(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, 64<<10)
	if err := r.ParseForm(); err != nil || r.PostForm.Get("MessageSid") == "" {
		http.Error(w, "bad request", http.StatusBadRequest)
		return
	}
	doc, err := twiml.Messages([]twiml.Element{twiml.MessagingMessage{Body: benchSMSBareReply}})
	if err != nil {
		http.Error(w, "twiml", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/xml; charset=utf-8")
	_, _ = io.WriteString(w, doc)
}
