package main

import (
	"context"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/onward-network/onward/core/coretest"
)

// An on-call review found a serve started while Redis was down answering
// every request 503 until Redis came: Twilio does not retry an inbound
// text, so a client's STOP was lost. serve now waits for PostgreSQL only
// and meets a Redis that is not there yet as one lost while running: a
// STOP gets the answer it gets when Redis is lost, the outage is logged
// once each way, and /readyz follows Redis back.
func TestServeStartedWithoutRedisAnswersAsWhenRedisIsLost(t *testing.T) {
	redisURL, err := url.Parse(coretest.RedisURL())
	if err != nil {
		t.Fatal(err)
	}
	p := newProxy(t, redisURL.Host)
	redisURL.Host = p.Addr()
	running := newSMSPhone(t, redisURL.String())
	p.SetUp(false)
	// The answer of a serve that lost Redis while running.
	want := running.text("STOP")
	if !strings.Contains(want, "<Message>") {
		t.Fatalf("a STOP with Redis lost while running: %s", want)
	}

	addr := freeAddr(t)
	for k, v := range running.env {
		t.Setenv(k, v)
	}
	t.Setenv("ONWARD_HTTP_ADDR", addr)
	t.Setenv("ONWARD_SHUTDOWN_GRACE", "2s")
	var log coretest.LogBuffer
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- runServe(ctx, []string{"--worker=false"}, io.Discard, &log) }()
	defer func() {
		cancel()
		select {
		case err := <-done:
			if err != nil {
				t.Errorf("serve stopped with %v", err)
			}
		case <-time.After(30 * time.Second):
			t.Error("serve did not stop")
		}
	}()
	waitFor(t, addr, "/readyz", http.StatusServiceUnavailable, "not ready: redis: does not answer", 20*time.Second)

	started := &smsPhone{t: t, cfg: running.cfg, phone: "+447700900999"}
	if started.phone == running.phone {
		started.phone = "+447700900998"
	}
	req := started.request(started.newSID(), "STOP")
	req.RequestURI = ""
	req.URL, _ = url.Parse("http://" + addr + "/twilio/sms")
	res, err := (&http.Client{Timeout: 15 * time.Second}).Do(req)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(res.Body)
	res.Body.Close()
	if res.StatusCode != http.StatusOK || string(body) != want {
		t.Errorf("a STOP to a serve started without Redis = %d %s, want 200 %s", res.StatusCode, body, want)
	}

	p.SetUp(true)
	waitFor(t, addr, "/readyz", http.StatusOK, "ready", 20*time.Second)
	got := log.String()
	if n := strings.Count(got, "cannot reach Redis"); n != 1 {
		t.Errorf("logged %d times that it cannot reach Redis, want once:\n%s", n, got)
	}
	if n := strings.Count(got, "reached Redis"); n != 1 {
		t.Errorf("logged %d times that it reached Redis, want once:\n%s", n, got)
	}
	if strings.Contains(got, "lost Redis") {
		t.Errorf("a Redis missing at start is not lost:\n%s", got)
	}
}
