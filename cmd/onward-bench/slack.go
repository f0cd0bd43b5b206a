package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"os"
	"slices"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/onward-network/onward/bot"
	"github.com/onward-network/onward/core"
	"github.com/onward-network/onward/core/config"
	"github.com/onward-network/onward/core/coretest"
)

// The Slack benchmark measures how fast the bot acknowledges button
// presses (Slack's three-second rule): benchSlackClients clients press
// Accept, each press on a different referral, one after another, for
// benchSlackDuration, as signed block_actions payloads against the bot's
// routes served in this process on a fresh database. Latency runs from
// sending the request to reading the acknowledgement; the accepts
// themselves run after it, and the benchmark waits for them and checks
// every one landed.
const (
	benchSlackClients  = 50
	benchSlackDuration = 10 * time.Second
	benchSlackSecret   = "bench-signing-secret"
	benchSlackToken    = "xoxb-bench"
	// benchSlackReferrals is how many referrals are made before the
	// clock starts: more than the presses expected, so every press is on
	// a referral nobody has pressed.
	benchSlackReferrals = 200000
	// benchSlackDrain bounds the wait for the accepts queued behind the
	// acknowledgements: the acks come faster than Postgres commits.
	benchSlackDrain = 5 * time.Minute
)

func init() { registerBench("slack", benchSlack) }

func benchSlack(ctx context.Context, stdout io.Writer) error {
	env, err := openBenchEnv(ctx, 24, 0)
	if err != nil {
		return err
	}
	defer env.Close()
	eng, pool, seeded, rdb, prefix := env.engine, env.pool, env.net, env.rdb, env.prefix

	// A fake Slack that answers every Web API call: a successful accept
	// makes none, so it only sees replies to presses that went wrong.
	fake, fakeURL, err := serveLocal(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body)
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write([]byte(`{"ok":true,"message_ts":"1.2","ts":"1.2","channel":"C0","view":{"id":"V0"}}`))
	}))
	if err != nil {
		return err
	}
	defer fake.Close()

	cfg := config.Config{Env: "production", PublicURL: "http://localhost", SessionSecret: randomHex(16),
		SlackBotToken: benchSlackToken, SlackSigningSecret: benchSlackSecret, SlackAPIURL: fakeURL + "/api/",
		SlackTriageChannel: "C0TRIAGE"}
	// Warnings (failed presses) go to stderr; the summary to stdout.
	warnings := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	b, err := bot.New(bot.Options{Engine: eng, Config: cfg, Log: warnings, Redis: rdb, KeyPrefix: prefix})
	if err != nil {
		return err
	}
	srv, srvURL, err := serveRoutes(b.Routes)
	if err != nil {
		return err
	}
	defer srv.Close()

	fmt.Fprintf(stdout, "slack: making %d referrals…\n", benchSlackReferrals)
	made := time.Now()
	ids, err := benchSlackMakeReferrals(ctx, eng, pool, benchSlackReferrals)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "slack: made them in %s\n", time.Since(made).Round(time.Second))

	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: benchSlackClients * 2, MaxConnsPerHost: benchSlackClients * 2}}
	users := []string{*seeded.Adviser.SlackUserID, *seeded.Adviser2.SlackUserID}
	var (
		next      atomic.Int64
		mu        sync.Mutex
		latencies = make([]time.Duration, 0, len(ids))
		firstErr  error
		wg        sync.WaitGroup
	)
	fmt.Fprintf(stdout, "slack: %d clients pressing Accept for %s\n", benchSlackClients, benchSlackDuration)
	deadline := time.Now().Add(benchSlackDuration)
	for c := 0; c < benchSlackClients; c++ {
		wg.Add(1)
		go func(c int) {
			defer wg.Done()
			var mine []time.Duration
			defer func() { mu.Lock(); latencies = append(latencies, mine...); mu.Unlock() }()
			for time.Now().Before(deadline) && ctx.Err() == nil {
				i := int(next.Add(1)) - 1
				if i >= len(ids) {
					return
				}
				d, err := benchSlackPress(ctx, client, srvURL, users[c%len(users)], ids[i], i)
				if err != nil {
					mu.Lock()
					if firstErr == nil {
						firstErr = err
					}
					mu.Unlock()
					return
				}
				mine = append(mine, d)
			}
		}(c)
	}
	wg.Wait()
	if firstErr != nil {
		return firstErr
	}
	pressed := int(min(next.Load(), int64(len(ids))))
	if pressed >= len(ids) {
		fmt.Fprintf(stdout, "slack: warning: ran out of referrals after %d presses; raise benchSlackReferrals\n", pressed)
	}
	drainStart := time.Now()
	drainCtx, cancelDrain := context.WithTimeout(ctx, benchSlackDrain)
	err = b.Drain(drainCtx)
	cancelDrain()
	b.Close()
	if err != nil {
		return fmt.Errorf("the accepts after the acknowledgements did not finish within %s: %w", benchSlackDrain, err)
	}
	var accepted int
	if err := pool.QueryRow(ctx, `SELECT count(*) FROM referrals WHERE status = 'accepted'`).Scan(&accepted); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "slack: %d presses acknowledged, %d referrals accepted (work after the acks drained in %s)\n",
		len(latencies), accepted, time.Since(drainStart).Round(time.Millisecond))
	if accepted != len(latencies) {
		return fmt.Errorf("%d presses acknowledged but %d referrals accepted", len(latencies), accepted)
	}
	slices.Sort(latencies)
	fmt.Fprintf(stdout, "slack-ack: n=%d p50=%sms p99=%sms\n", len(latencies), ms(percentile(latencies, 50)), ms(percentile(latencies, 99)))
	return nil
}

// sqlBenchCloneReferrals copies one referral n times as new requested
// referrals with their own references: setting up tens of thousands of
// referrals through core would take longer than the benchmark.
const sqlBenchCloneReferrals = `
INSERT INTO referrals (reference, client_id, consent_id, source, to_agency_id, needs, postcode_district,
    status, status_at, created_at, ack_due_at)
SELECT 'ONW-B' || lpad(i::text, 7, '0'), t.client_id, t.consent_id, t.source, t.to_agency_id, t.needs,
    t.postcode_district, 'requested', t.status_at, t.created_at, t.ack_due_at
FROM referrals t, generate_series(1, $2::int) AS i
WHERE t.id = $1
RETURNING id`

// benchSlackMakeReferrals makes one SMS self-referral through core, routed
// to the seeded Citizens Advice, and n-1 copies of it.
func benchSlackMakeReferrals(ctx context.Context, eng *core.Engine, pool *pgxpool.Pool, n int) ([]core.ReferralID, error) {
	res, err := eng.SelfRefer(ctx, coretest.SelfReferral("bench-slack-"+randomHex(4)))
	if err != nil {
		return nil, fmt.Errorf("make bench referral: %w", err)
	}
	if res.Agency == nil {
		return nil, errors.New("bench referral went to triage, not to an agency")
	}
	rows, _ := pool.Query(ctx, sqlBenchCloneReferrals, res.Referral.ID, n-1)
	ids, err := pgx.CollectRows(rows, pgx.RowTo[core.ReferralID])
	if err != nil {
		return nil, fmt.Errorf("copy bench referrals: %w", err)
	}
	return append([]core.ReferralID{res.Referral.ID}, ids...), nil
}

// benchSlackPress sends one signed block_actions payload, as Slack sends
// it, and returns how long the acknowledgement took.
func benchSlackPress(ctx context.Context, client *http.Client, base, user string, id core.ReferralID, seq int) (time.Duration, error) {
	now := time.Now()
	ts := fmt.Sprintf("%d.%06d", now.Unix(), seq%1000000)
	payload, _ := json.Marshal(map[string]any{
		"type": "block_actions", "user": map[string]any{"id": user, "username": user, "team_id": "T0BENCH"},
		"api_app_id": "A0ONWARD", "token": "legacy", "trigger_id": "1." + ts,
		"team":         map[string]any{"id": "T0BENCH", "domain": "bench"},
		"container":    map[string]any{"type": "message", "message_ts": "1.1", "channel_id": "C0CAB"},
		"channel":      map[string]any{"id": "C0CAB", "name": "referrals"},
		"response_url": "http://localhost/unused",
		"actions": []any{map[string]any{"action_id": "accept", "block_id": "card_actions", "type": "button",
			"value": fmt.Sprintf("%d:1", id), "action_ts": ts}},
	})
	body := []byte(url.Values{"payload": {string(payload)}}.Encode())
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, base+"/slack/interactions", bytes.NewReader(body))
	if err != nil {
		return 0, err
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("X-Slack-Request-Timestamp", strconv.FormatInt(now.Unix(), 10))
	req.Header.Set("X-Slack-Signature", bot.SlackSignature(benchSlackSecret, now.Unix(), body))
	start := time.Now()
	resp, err := client.Do(req)
	if err != nil {
		return 0, err
	}
	_, _ = io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	d := time.Since(start)
	if resp.StatusCode != http.StatusOK {
		return 0, fmt.Errorf("press acknowledged with status %d", resp.StatusCode)
	}
	return d, nil
}
