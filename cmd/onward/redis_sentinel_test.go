package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/onward-network/onward/core/config"
	"github.com/onward-network/onward/core/coretest"
	"github.com/onward-network/onward/core/coretest/localserver"
	"github.com/onward-network/onward/intake/sms"
)

// TestSMSConversationAcrossSentinelFailover runs serve's SMS webhook on a
// Redis named by a redis+sentinel:// URL — a private master and replica
// with append-only files, watched by a Sentinel — and fails the master
// over between two texts of one conversation: the client's next answer
// carries on where they were, not greeted afresh.
func TestSMSConversationAcrossSentinelFailover(t *testing.T) {
	ctx := context.Background()
	master := localserver.StartRedis(t, nil)
	replica := localserver.StartRedis(t, master)
	sentinel := localserver.StartSentinel(t, "onward", master)

	const token, public = "sentineltesttoken0123456789abcde", "https://onward.test"
	// Load asks for every setting: build the values once.
	env := map[string]string{"ONWARD_ENV": "dev", "ONWARD_DATABASE_URL": coretest.NewDatabase(t),
		"ONWARD_REDIS_URL":      fmt.Sprintf("redis+sentinel://%s/onward?db=0", sentinel.Addr()),
		"ONWARD_ENCRYPTION_KEY": config.NewKey(), "ONWARD_PUBLIC_URL": public,
		"ONWARD_TWILIO_ACCOUNT_SID": "AC" + strings.Repeat("2", 32), "ONWARD_TWILIO_AUTH_TOKEN": token,
		"ONWARD_TWILIO_FROM": "+447700900000"}
	cfg, err := config.Load(func(k string) string { return env[k] })
	if err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	logTo := io.Discard
	if testing.Verbose() {
		logTo = os.Stderr
	}
	a, err := openApp(ctx, cfg, slog.New(slog.NewTextHandler(logTo, &slog.HandlerOptions{Level: slog.LevelDebug})))
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	if _, err := coretest.SeedNetwork(ctx, a.engine, a.pool); err != nil {
		t.Fatal(err)
	}
	mux := http.NewServeMux()
	if err := mountSMS(a, mux); err != nil {
		t.Fatal(err)
	}
	phone := fmt.Sprintf("+447700900%03d", time.Now().UnixNano()%1000)
	var seq atomic.Int64
	text := func(body string) string {
		t.Helper()
		sid := fmt.Sprintf("SM%024x%08x", time.Now().UnixNano(), seq.Add(1))
		params := map[string]string{"MessageSid": sid, "SmsSid": sid, "AccountSid": cfg.TwilioAccountSID,
			"From": phone, "To": cfg.TwilioFrom, "Body": body, "NumMedia": "0"}
		form := url.Values{}
		for k, v := range params {
			form.Set(k, v)
		}
		req := httptest.NewRequest(http.MethodPost, "/twilio/sms", strings.NewReader(form.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.Header.Set("X-Twilio-Signature", sms.TwilioSignature(token, public+"/twilio/sms", params))
		rec := httptest.NewRecorder()
		mux.ServeHTTP(rec, req)
		if rec.Code != http.StatusOK {
			t.Fatalf("status %d: %s", rec.Code, rec.Body.String())
		}
		return rec.Body.String()
	}

	if got := text("Hi"); !strings.Contains(got, "Hello from") {
		t.Fatalf("greeting: %s", got)
	}
	// Replication is asynchronous: a failover loses what the replica had
	// not yet received. WAIT makes the test deterministic; in production
	// that window is a replica's lag, usually under a millisecond.
	if n, err := master.Client(t).Do(ctx, "WAIT", 1, 5000).Int(); err != nil || n != 1 {
		t.Fatalf("WAIT for the replica: %d, %v", n, err)
	}

	if err := sentinel.Client(t).Do(ctx, "SENTINEL", "FAILOVER", "onward").Err(); err != nil {
		t.Fatalf("SENTINEL FAILOVER: %v", err)
	}
	deadline := time.Now().Add(30 * time.Second)
	for {
		addr, err := sentinel.MasterAddr(ctx, "onward")
		if err == nil && addr == replica.Addr() {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("sentinel did not promote the replica: master %s, %v", addr, err)
		}
		time.Sleep(100 * time.Millisecond)
	}
	// The promoted server must take writes before the client's next text
	// is a fair test (Sentinel names it before it leaves read-only mode).
	newMaster := replica.Client(t)
	for {
		role, err := newMaster.Do(ctx, "ROLE").Slice()
		if err == nil && len(role) > 0 && role[0] == "master" {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("promoted replica is not a master yet: %v %v", role, err)
		}
		time.Sleep(100 * time.Millisecond)
	}

	t.Logf("failed over after %s", time.Since(start))
	got := text("1")
	if strings.Contains(got, "Hello from") {
		t.Fatalf("after the failover the client was greeted afresh: %s", got)
	}
	if !strings.Contains(got, "What do you need help with?") {
		t.Fatalf("after the failover, want the next question (the needs): %s", got)
	}
}
