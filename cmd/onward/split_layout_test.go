package main

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/onward-network/onward/core"
	"github.com/onward-network/onward/core/config"
	"github.com/onward-network/onward/core/coretest"
)

// The layout "Running it for real" shows: `serve --worker=false` beside
// `onward worker` processes. Each background job serve's in-process
// worker runs is run by the worker (the report rollups were not, so
// figures in /onward stats and the reports never moved), and a serve
// without a worker still finishes at its stop what its requests started
// (partners' calls waiting to be audited were lost).

// splitLayoutEnv is a test network that serve and the worker reach
// through their environment, with one partner allowed to read.
func splitLayoutEnv(t *testing.T) (*coretest.Env, core.PartnerCredentials) {
	t.Helper()
	env := coretest.NewEnv(t)
	t.Setenv("ONWARD_ENV", "dev") // the test engines chain events with the stand-in audit key
	t.Setenv("ONWARD_DATABASE_URL", env.URL)
	t.Setenv("ONWARD_REDIS_URL", coretest.RedisURL())
	t.Setenv("ONWARD_ENCRYPTION_KEY", base64.StdEncoding.EncodeToString(coretest.TestKey))
	t.Setenv("ONWARD_SESSION_SECRET", config.NewKey())
	creds, err := env.Engine.AddPartner(context.Background(), core.NewPartner{Name: "Kirkton casework", AgencyID: env.Net.CAB,
		Scopes: []core.PartnerScope{core.ScopeRead}}, core.SystemActor)
	if err != nil {
		t.Fatal(err)
	}
	return env, creds
}

func TestTheWorkerRunsTheReportRollups(t *testing.T) {
	env, _ := splitLayoutEnv(t)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var log coretest.LogBuffer
	done := make(chan error, 1)
	go func() { done <- runWorker(ctx, nil, io.Discard, &log) }()
	deadline := time.Now().Add(30 * time.Second)
	for !strings.Contains(log.String(), "report rollups rebuilt") {
		if time.Now().After(deadline) {
			t.Fatalf("onward worker did not bring the report rollups up to date within 30 s:\n%s", log.String())
		}
		select {
		case err := <-done:
			t.Fatalf("onward worker stopped: %v\n%s", err, log.String())
		case <-time.After(100 * time.Millisecond):
		}
	}
	var refreshed *time.Time
	if err := env.Pool.QueryRow(ctx, `SELECT refreshed_at FROM report_refresh`).Scan(&refreshed); err != nil || refreshed == nil {
		t.Errorf("the worker said the rollups were built, yet none are recorded: %v %v", refreshed, err)
	}
	cancel()
	if err := <-done; err != nil {
		t.Fatalf("worker: %v", err)
	}
}

func TestServeWithoutAWorkerAuditsEveryPartnerCallAtItsStop(t *testing.T) {
	env, creds := splitLayoutEnv(t)
	addr := freeAddr(t)
	t.Setenv("ONWARD_HTTP_ADDR", addr)
	t.Setenv("ONWARD_PUBLIC_URL", "http://"+addr)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var stdout, stderr strings.Builder
	code := make(chan int, 1)
	go func() { code <- dispatch(ctx, []string{"serve", "--worker=false"}, &stdout, &stderr) }()
	waitFor(t, addr, "/readyz", http.StatusOK, "ready", 30*time.Second)

	form := url.Values{"grant_type": {"client_credentials"}, "client_id": {creds.Partner.ClientID}, "client_secret": {creds.Secret}}
	resp, err := http.PostForm("http://"+addr+"/oauth/token", form)
	if err != nil {
		t.Fatal(err)
	}
	var tok struct {
		AccessToken string `json:"access_token"`
	}
	err = json.NewDecoder(resp.Body).Decode(&tok)
	resp.Body.Close()
	if err != nil || tok.AccessToken == "" {
		t.Fatalf("token: status %d, %v", resp.StatusCode, err)
	}
	const calls = 20
	var wg sync.WaitGroup
	for i := range calls {
		wg.Add(1)
		go func() {
			defer wg.Done()
			req, _ := http.NewRequest("GET", fmt.Sprintf("http://%s/api/v1/referrals/ONW-NONE%03d", addr, i), nil)
			req.Header.Set("Authorization", "Bearer "+tok.AccessToken)
			if resp, err := http.DefaultClient.Do(req); err == nil {
				_, _ = io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
			} else {
				t.Errorf("call %d: %v", i, err)
			}
		}()
	}
	wg.Wait()
	// The stop comes straight after the answers, before the audit's
	// next batch is due.
	cancel()
	select {
	case c := <-code:
		if c != 0 {
			t.Fatalf("serve exited %d: %s", c, stderr.String())
		}
	case <-time.After(30 * time.Second):
		t.Fatal("serve did not stop")
	}
	var audited int
	if err := env.Pool.QueryRow(context.Background(), `SELECT count(*) FROM partner_calls WHERE partner_id = $1 AND path LIKE '/api/v1/referrals/%'`,
		creds.Partner.ID).Scan(&audited); err != nil {
		t.Fatal(err)
	}
	if audited != calls {
		t.Errorf("%d of the partner's %d calls audited after serve --worker=false stopped", audited, calls)
	}
}
