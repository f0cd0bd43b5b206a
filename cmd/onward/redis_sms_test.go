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
	"github.com/onward-network/onward/intake/sms"
)

// smsPhone is one client's phone texting serve's SMS webhook, mounted as
// serve mounts it on the Redis that redisURL names.
type smsPhone struct {
	t     *testing.T
	app   *app
	mux   *http.ServeMux
	cfg   config.Config
	env   map[string]string // the environment cfg was loaded from
	phone string
	seq   atomic.Int64
}

const smsPhoneToken, smsPhonePublic = "redistesttwiliotoken0123456789ab", "https://onward.test"

// newSMSPhone opens the app on a fresh database seeded with the test
// network and redisURL, and mounts the SMS webhook.
func newSMSPhone(t *testing.T, redisURL string) *smsPhone {
	t.Helper()
	ctx := context.Background()
	env := map[string]string{"ONWARD_ENV": "dev", "ONWARD_DATABASE_URL": coretest.NewDatabase(t),
		"ONWARD_REDIS_URL": redisURL, "ONWARD_ENCRYPTION_KEY": config.NewKey(),
		"ONWARD_SESSION_SECRET": config.NewKey(), "ONWARD_PUBLIC_URL": smsPhonePublic,
		"ONWARD_TWILIO_ACCOUNT_SID": "AC" + strings.Repeat("2", 32), "ONWARD_TWILIO_AUTH_TOKEN": smsPhoneToken,
		"ONWARD_TWILIO_FROM": "+447700900000"}
	cfg, err := config.Load(func(k string) string { return env[k] })
	if err != nil {
		t.Fatal(err)
	}
	logTo := io.Discard
	if testing.Verbose() {
		logTo = os.Stderr
	}
	a, err := openApp(ctx, cfg, slog.New(slog.NewTextHandler(logTo, &slog.HandlerOptions{Level: slog.LevelDebug})))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(a.Close)
	if _, err := coretest.SeedNetwork(ctx, a.engine, a.pool); err != nil {
		t.Fatal(err)
	}
	mux := http.NewServeMux()
	if err := mountSMS(a, mux); err != nil {
		t.Fatal(err)
	}
	return &smsPhone{t: t, app: a, mux: mux, cfg: cfg, env: env, phone: fmt.Sprintf("+447700900%03d", time.Now().UnixNano()%1000)}
}

// newSID makes a MessageSid no earlier text had.
func (p *smsPhone) newSID() string {
	return fmt.Sprintf("SM%024x%08x", time.Now().UnixNano(), p.seq.Add(1))
}

// text sends body as a new text and returns the TwiML answer.
func (p *smsPhone) text(body string) string {
	p.t.Helper()
	return p.textSID(p.newSID(), body)
}

// textSID sends body with the MessageSid sid, signed as Twilio signs it,
// and returns the TwiML answer.
func (p *smsPhone) textSID(sid, body string) string {
	p.t.Helper()
	rec := httptest.NewRecorder()
	p.mux.ServeHTTP(rec, p.request(sid, body))
	if rec.Code != http.StatusOK {
		p.t.Fatalf("status %d: %s", rec.Code, rec.Body.String())
	}
	return rec.Body.String()
}

// request is the webhook request Twilio makes for a text of body with
// the MessageSid sid, signed as Twilio signs it.
func (p *smsPhone) request(sid, body string) *http.Request {
	params := map[string]string{"MessageSid": sid, "SmsSid": sid, "AccountSid": p.cfg.TwilioAccountSID,
		"From": p.phone, "To": p.cfg.TwilioFrom, "Body": body, "NumMedia": "0"}
	form := url.Values{}
	for k, v := range params {
		form.Set(k, v)
	}
	req := httptest.NewRequest(http.MethodPost, "/twilio/sms", strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("X-Twilio-Signature", sms.TwilioSignature(smsPhoneToken, smsPhonePublic+"/twilio/sms", params))
	return req
}
