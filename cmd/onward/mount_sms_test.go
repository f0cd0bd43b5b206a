package main

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/onward-network/onward/core/coretest"
)

// smsWebhook mounts the SMS webhook as serve does, on an app whose Redis
// is reached through a proxy the test can cut or hang, and returns a
// function that sends one signed text from one phone and its answer.
func smsWebhook(t *testing.T) (*app, *proxy, func(body string) string) {
	t.Helper()
	redisURL, err := url.Parse(coretest.RedisURL())
	if err != nil {
		t.Fatal(err)
	}
	p := newProxy(t, redisURL.Host)
	redisURL.Host = p.Addr()
	phone := newSMSPhone(t, redisURL.String())
	return phone.app, p, phone.text
}

// TestSMSWebhookThroughRedisOutage drives the SMS webhook as serve mounts
// it (through the autopipelined Redis face) while Redis goes away and
// comes back: texts meanwhile get the apology, and conversations work
// again once Redis answers.
func TestSMSWebhookThroughRedisOutage(t *testing.T) {
	_, p, text := smsWebhook(t)
	if got := text("Hi"); !strings.Contains(got, "Hello from") {
		t.Fatalf("greeting: %s", got)
	}
	p.SetUp(false)
	if got := text("1"); !strings.Contains(got, "<Message>") || strings.Contains(got, "postcode") {
		t.Fatalf("with Redis down, want the apology: %s", got)
	}
	p.SetUp(true)
	deadline := time.Now().Add(10 * time.Second)
	for {
		got := text("RESTART")
		if strings.Contains(got, "Hello from") {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the webhook did not recover after Redis came back: %s", got)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// TestSMSWebhookWhileRedisHangs: a Redis that stops answering (connections
// open, nothing coming back) is treated as a Redis that is down: the text
// gets the apology within a few seconds, far inside Twilio's 15 s, and
// /readyz says so within its 2 s. When Redis answers again, the commands
// it held run late; the phone's lock they would take is not left behind,
// so the client's next text is answered at once, not refused as busy.
func TestSMSWebhookWhileRedisHangs(t *testing.T) {
	a, p, text := smsWebhook(t)
	if got := text("Hi"); !strings.Contains(got, "Hello from") {
		t.Fatalf("greeting: %s", got)
	}
	p.Hang(true)
	start := time.Now()
	got := text("1")
	if took := time.Since(start); took > 4*time.Second {
		t.Errorf("with Redis hanging the text took %v to answer, want well inside Twilio's 15 s", took)
	}
	if !strings.Contains(got, "<Message>") || strings.Contains(got, "postcode") {
		t.Errorf("with Redis hanging, want the apology: %s", got)
	}
	start = time.Now()
	code, body := readyz(t, a)
	if took := time.Since(start); took > 2*time.Second || code != http.StatusServiceUnavailable || !strings.Contains(body, "redis") {
		t.Errorf("readyz with Redis hanging = %d %q after %v, want 503 naming redis within 2 s", code, body, took)
	}
	p.Hang(false)
	time.Sleep(200 * time.Millisecond) // the held commands reach Redis
	start = time.Now()
	if got := text("RESTART"); !strings.Contains(got, "Hello from") {
		t.Fatalf("after Redis answers again, want the greeting: %s", got)
	}
	if took := time.Since(start); took > 2*time.Second {
		t.Errorf("the next text waited %v for a lock left by the hung request", took)
	}
}
