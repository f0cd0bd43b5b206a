package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/onward-network/onward/bot/api"
	"github.com/onward-network/onward/cmd/internal/wiring"
	"github.com/onward-network/onward/core"
)

func init() { registerBench("api", benchAPI) }

const (
	apiConns  = 32
	apiN      = 3200 // per side
	apiRounds = 4
)

// benchAPI creates referrals through the partner API at 32 connections
// and, in the same run, through core directly (the same PartnerRefer the
// API ends in), in alternating rounds, and compares the two.
func benchAPI(ctx context.Context, stdout io.Writer) error {
	env, err := openBenchEnv(ctx, 40, 64)
	if err != nil {
		return err
	}
	defer env.Close()
	creds, err := env.engine.AddPartner(ctx, core.NewPartner{Name: "Bench casework", AgencyID: env.net.Welfare,
		Scopes: []core.PartnerScope{core.ScopeRead, core.ScopeRefer}, RatePerMinute: 100000}, core.SystemActor)
	if err != nil {
		return err
	}
	ap, err := wiring.PipelinedRedis(env.rdb)
	if err != nil {
		return err
	}
	a, err := api.New(api.Options{Engine: env.engine, Redis: ap, Log: env.quiet,
		TokenSecret: api.TokenSecret(randomHex(32)), KeyPrefix: env.prefix})
	if err != nil {
		return err
	}
	srv, base, err := serveRoutes(a.Routes)
	if err != nil {
		return err
	}
	defer srv.Close()
	client := &http.Client{Timeout: 30 * time.Second, Transport: &http.Transport{MaxIdleConnsPerHost: apiConns, MaxConnsPerHost: apiConns}}
	token, err := benchToken(ctx, client, base, creds)
	if err != nil {
		return err
	}
	body := func(i int) []byte {
		b, _ := json.Marshal(map[string]any{
			"case_id": fmt.Sprintf("API-%d", i),
			"client":  map[string]any{"name": "Morag Baird", "phone": fmt.Sprintf("07700 900%03d", i%1000), "postcode": "KY1 1AB"},
			"needs":   []string{"debt"}, "to_agency": "kirkton-cab",
			"consent": map[string]any{"wording_version": "v1", "scope": "agencies", "agencies": []string{"kirkton-cab"}, "witnessed_by": "Isla Moffat"},
		})
		return b
	}
	run := func(n int, one func(i int) error) (time.Duration, []time.Duration, error) {
		var next atomic.Int64
		lat := make([]time.Duration, n)
		var firstErr error
		var mu sync.Mutex
		var wg sync.WaitGroup
		start := time.Now()
		for w := 0; w < apiConns; w++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for {
					i := int(next.Add(1)) - 1
					if i >= n || ctx.Err() != nil {
						return
					}
					t0 := time.Now()
					if err := one(i); err != nil {
						mu.Lock()
						if firstErr == nil {
							firstErr = err
						}
						mu.Unlock()
						return
					}
					lat[i] = time.Since(t0)
				}
			}()
		}
		wg.Wait()
		elapsed := time.Since(start)
		slices.Sort(lat)
		return elapsed, lat, firstErr
	}
	viaAPI := func(offset int) func(i int) error {
		return func(i int) error {
			req, _ := http.NewRequestWithContext(ctx, "POST", base+"/api/v1/referrals", bytes.NewReader(body(offset+i)))
			req.Header.Set("Authorization", "Bearer "+token)
			req.Header.Set("Content-Type", "application/json")
			req.Header.Set("Idempotency-Key", fmt.Sprintf("bench-%d", offset+i))
			resp, err := client.Do(req)
			if err != nil {
				return err
			}
			defer resp.Body.Close()
			b, _ := io.ReadAll(resp.Body)
			if resp.StatusCode != http.StatusCreated {
				return fmt.Errorf("create through the API: %d %s", resp.StatusCode, b)
			}
			return nil
		}
	}
	actor := creds.Partner.Actor()
	viaCore := func(offset int) func(i int) error {
		return func(i int) error {
			_, err := env.engine.PartnerRefer(ctx, core.PartnerReferral{IdempotencyKey: fmt.Sprintf("core-%d", offset+i), By: actor,
				CaseID: fmt.Sprintf("CORE-%d", offset+i), Needs: []core.Need{core.NeedDebt}, ToAgency: env.net.CAB,
				Client:  core.ClientDetails{Name: "Morag Baird", Phone: fmt.Sprintf("07700 900%03d", (offset+i)%1000), Postcode: "KY1 1AB"},
				Consent: core.PartnerConsent{WordingVersion: "v1", Scope: core.ScopeAgencies, Agencies: []core.AgencyID{env.net.CAB}, WitnessedBy: "Isla Moffat"}})
			return err
		}
	}
	// Warm both paths (connections, caches) before measuring.
	if _, _, err := run(apiConns*2, viaAPI(1_000_000)); err != nil {
		return err
	}
	if _, _, err := run(apiConns*2, viaCore(1_000_000)); err != nil {
		return err
	}
	// The sides alternate in rounds, so a busy moment on the machine hits
	// both rather than one.
	var coreTime, apiTime time.Duration
	var coreLat, apiLat []time.Duration
	per := apiN / apiRounds
	var coreCost, apiCost benchCounters
	coreCost.cpu, apiCost.cpu = knownCPU(), knownCPU()
	for round := range apiRounds {
		before := env.counters()
		t, lat, err := run(per, viaCore(round*per))
		if err != nil {
			return err
		}
		coreTime, coreLat = coreTime+t, append(coreLat, lat...)
		coreCost = coreCost.add(env.counters().sub(before))
		before = env.counters()
		if t, lat, err = run(per, viaAPI(round*per)); err != nil {
			return err
		}
		apiTime, apiLat = apiTime+t, append(apiLat, lat...)
		apiCost = apiCost.add(env.counters().sub(before))
	}
	// The CPU here includes the load generator's: the HTTP client's on
	// the API side.
	fmt.Fprintf(stdout, "core-create per referral: %s\n", coreCost.perRequest(apiN))
	fmt.Fprintf(stdout, "api-create per referral: %s\n", apiCost.perRequest(apiN))
	slices.Sort(coreLat)
	slices.Sort(apiLat)
	coreRate := float64(apiN) / coreTime.Seconds()
	apiRate := float64(apiN) / apiTime.Seconds()
	fmt.Fprintf(stdout, "core-create: n=%d rate=%.0f/s p50=%sms p99=%sms\n", apiN, coreRate, ms(percentile(coreLat, 50)), ms(percentile(coreLat, 99)))
	fmt.Fprintf(stdout, "api-create: n=%d rate=%.0f/s p50=%sms p99=%sms ratio=%.2f\n", apiN, apiRate,
		ms(percentile(apiLat, 50)), ms(percentile(apiLat, 99)), apiRate/coreRate)
	return nil
}

func benchToken(ctx context.Context, client *http.Client, base string, c core.PartnerCredentials) (string, error) {
	req, _ := http.NewRequestWithContext(ctx, "POST", base+"/oauth/token", strings.NewReader(url.Values{"grant_type": {"client_credentials"}}.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.SetBasicAuth(c.Partner.ClientID, c.Secret)
	resp, err := client.Do(req)
	if err != nil {
		return "", err
	}
	defer resp.Body.Close()
	var out struct {
		AccessToken string `json:"access_token"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&out); err != nil || out.AccessToken == "" {
		return "", fmt.Errorf("token: status %d: %v", resp.StatusCode, err)
	}
	return out.AccessToken, nil
}
