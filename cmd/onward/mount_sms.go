package main

import (
	"context"
	"fmt"
	"net/http"
	"regexp"
	"strings"
	"time"

	"github.com/onward-network/onward/cmd/internal/wiring"
	"github.com/onward-network/onward/core/config"
	"github.com/onward-network/onward/intake/sim"
	"github.com/onward-network/onward/intake/sms"
)

// The SMS edge: Twilio's inbound webhook and delivery callbacks, and in dev
// the phone simulator standing in for Twilio.
func init() {
	registerMount(mount{name: "sms", routes: mountSMS, devInfo: smsDevInfo,
		job: func(ctx context.Context, a *app) error { runOptOutReplay(ctx, a); return nil }})
}

// optOutReplayEvery is how often held opt-outs are written to PostgreSQL.
const optOutReplayEvery = 5 * time.Second

// runOptOutReplay records in PostgreSQL, every few seconds until ctx
// ends, the STOPs the SMS webhook held in Redis while PostgreSQL did not
// answer (sms.ReplayHeldOptOuts), and the crisis texts after a referral
// it held (sms.ReplayHeldCrisisTexts). serve's in-process worker and `onward
// worker` both run it, as both send texts. A failure is PostgreSQL or
// Redis still away, which their own outage lines report; it is retried.
func runOptOutReplay(ctx context.Context, a *app) {
	t := time.NewTicker(optOutReplayEvery)
	defer t.Stop()
	for {
		n, err := sms.ReplayHeldOptOuts(ctx, a.engine, a.rdb, "onward:")
		if n > 0 {
			a.log.Info("sms opt-outs held during an outage recorded", "count", n)
		}
		if err != nil && ctx.Err() == nil {
			a.log.Debug("held sms opt-outs not recorded yet", "err", err)
		}
		// And the crisis texts after a referral, whose staff alerts wait
		// for PostgreSQL the same way (sms.ReplayHeldCrisisTexts).
		n, err = sms.ReplayHeldCrisisTexts(ctx, a.engine, a.rdb, "onward:")
		if n > 0 {
			a.log.Info("sms crisis texts held during an outage recorded, staff alerted", "count", n)
		}
		if err != nil && ctx.Err() == nil {
			a.log.Debug("held sms crisis texts not recorded yet", "err", err)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// simulatorOn: `onward dev` without Twilio credentials sets the
// simulator's account.
func simulatorOn(cfg config.Config) bool {
	return cfg.Dev() && cfg.TwilioAccountSID == devSimulatorSID
}

func mountSMS(a *app, mux *http.ServeMux) error {
	if !a.cfg.TwilioEnabled() {
		a.log.Info("twilio is not configured: /twilio/sms and /twilio/status are not served")
		return nil
	}
	log := a.log.With("part", "sms")
	rdb, err := wiring.PipelinedRedis(a.rdb)
	if err != nil {
		return err
	}
	proxies, err := a.cfg.Proxies()
	if err != nil {
		return err
	}
	cat, err := a.messages()
	if err != nil {
		return err
	}
	s, err := sms.New(sms.Config{Engine: a.engine, Redis: rdb, Log: log, KeyPrefix: "onward:", Catalogue: cat,
		PublicURL: a.cfg.PublicURL, AuthToken: a.cfg.TwilioAuthToken, SMSRatePerHour: a.cfg.SMSRatePerHour,
		IPRatePerMinute: a.cfg.IPRatePerMinute, TrustedProxies: proxies, ConversationTTL: a.cfg.ConversationTTL,
		RedisTimeout: a.cfg.RedisTimeout})
	if err != nil {
		return err
	}
	s.Routes(mux)
	a.refuseAs(twilioRefusal(s), "/twilio/")
	if !simulatorOn(a.cfg) {
		return nil
	}
	waTemplates, err := a.cfg.WhatsAppTemplateSIDs()
	if err != nil {
		return err
	}
	simulator, err := sim.New(sim.Config{SMS: s, Engine: a.engine, Redis: a.rdb, Log: log.With("part", "simulator"),
		KeyPrefix: "onward:", PublicURL: a.cfg.PublicURL, AccountSID: a.cfg.TwilioAccountSID,
		AuthToken: a.cfg.TwilioAuthToken, Number: a.cfg.TwilioFrom,
		WhatsAppNumber: a.cfg.WhatsAppSender(), WhatsAppTemplates: waTemplates})
	if err != nil {
		return err
	}
	// An erasure in this process also removes the phone's simulator
	// threads (sealed, and gone within a day anyway).
	a.engine.OnErase(simulator.ForgetToo(sms.Forget(a.rdb, "onward:")))
	simulator.Routes(mux)
	return nil
}

// twilioRefusal answers what the edge refuses under /twilio/ (a NUL or
// bytes that are not UTF-8: wiring.StorableInput) as Twilio reads it, in
// plain text, not the web form's page. A text to the webhook is the one
// exception: some carriers deliver GSM's "@" as a NUL, and a 400 would
// leave the client without an answer (Twilio sends none), so the webhook
// reads it, signature first, and repairs the body itself.
func twilioRefusal(s *sms.SMS) wiring.Refusal {
	return func(w http.ResponseWriter, r *http.Request, status int, title, detail string) {
		if status == http.StatusBadRequest && r.Method == http.MethodPost && r.URL.Path == "/twilio/sms" {
			s.Inbound(w, r)
			return
		}
		wiring.RefusePlain(w, r, status, title, detail)
	}
}

// twilioTokenRe is what twilio-go accepts as an auth token: it refuses
// anything else before sending (error 21224).
var twilioTokenRe = regexp.MustCompile(`^[a-zA-Z0-9]+$`)

// smsDevInfo says where to text Onward locally, or which URL to give
// Twilio.
func smsDevInfo(ctx context.Context, a *app) []string {
	base := strings.TrimRight(a.cfg.PublicURL, "/")
	switch {
	case simulatorOn(a.cfg):
		lines := []string{fmt.Sprintf("phone:      %s/dev/phone   (text Onward as a client, by SMS or WhatsApp; no Twilio account needed)", base)}
		if !twilioTokenRe.MatchString(a.cfg.TwilioAuthToken) {
			lines = append(lines, "  warning: the simulator's auth token is not letters and digits only, so twilio-go refuses it and later texts (confirmations, status updates) will not reach /dev/phone")
		}
		return lines
	case a.cfg.TwilioEnabled():
		return []string{fmt.Sprintf("twilio:     webhook %s/twilio/sms (paste into the number's \"A message comes in\", HTTP POST); delivery receipts at %s/twilio/status", base, base)}
	}
	return []string{"sms:        Twilio is not configured: no texts in or out"}
}
