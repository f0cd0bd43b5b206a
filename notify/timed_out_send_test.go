package notify_test

import (
	"context"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/onward-network/onward/core"
	"github.com/onward-network/onward/notify"
	"github.com/onward-network/onward/notify/notifytest"
)

// A call to send a text that timed out may still have reached Twilio,
// which took the text and answered too late: the row keeps its
// "sending" mark, and its next attempt asks Twilio's message log first.
// The text Twilio took is recorded with its SID and never sent twice.
func TestTimedOutSendIsCheckedNotSentAgain(t *testing.T) {
	t.Parallel()
	h := newHarness(t, harnessOpts{noSlack: true, maxAttempt: 8, timeout: 200 * time.Millisecond})
	h.twilio.SetClock(h.clock.Now)
	h.twilio.SetScript(notifytest.FailFirst(1, notifytest.Reply{Delay: time.Second}))
	h.selfRefer(t, "slow", toWelfare)
	drain(t, h.worker(t, nil))
	row := h.scheduled(t, string(core.OutboxClientSMS), core.SMSConfirmation)
	if row.Sent || row.Dead || !strings.Contains(row.LastError, "interrupted") {
		t.Fatalf("after the timed-out call: %+v, want a row waiting to be checked with Twilio", row)
	}
	drainRetries(t, h, 2)
	got := h.twilio.Accepted()
	if len(got) != 1 {
		t.Fatalf("Twilio took %d texts, want the one the timed-out call sent", len(got))
	}
	row = h.rowByID(t, row.ID)
	if !row.Sent || row.ProviderID != got[0].SID || row.DeliveryStatus != foundNote {
		t.Errorf("row after the check: %+v, want sent with %s, %q", row, got[0].SID, foundNote)
	}
	noDeadLetters(t, h)
}

// A call Twilio answered with its own error did not create a message: it
// is retried as usual, without asking Twilio's log.
func TestASendTwilioRefusedIsRetriedAsUsual(t *testing.T) {
	t.Parallel()
	h := newHarness(t, harnessOpts{noSlack: true, maxAttempt: 8})
	h.twilio.SetScript(notifytest.FailFirst(1, notifytest.Reply{Status: 500}))
	h.selfRefer(t, "refused", toWelfare)
	drain(t, h.worker(t, nil))
	row := h.scheduled(t, string(core.OutboxClientSMS), core.SMSConfirmation)
	if row.Sent || row.Dead || strings.Contains(row.LastError, "interrupted") {
		t.Fatalf("after Twilio's 500: %+v, want an ordinary retry", row)
	}
	drainRetries(t, h, 1)
	if got := h.twilio.Accepted(); len(got) != 1 {
		t.Fatalf("Twilio took %d texts, want 1", len(got))
	}
	if row = h.rowByID(t, row.ID); !row.Sent || row.DeliveryStatus == foundNote {
		t.Errorf("row after the retry: %+v, want sent by the retry", row)
	}
}

// A phone the carrier says has unsubscribed (21610 on a send) is told to
// the SMS webhook (Options.CarrierOptOut), whose cached answer would
// otherwise still say "opted in".
func TestCarrierOptOutIsPassedOn(t *testing.T) {
	t.Parallel()
	h := newHarness(t, harnessOpts{noSlack: true})
	var mu sync.Mutex
	var told []core.Phone
	w := h.worker(t, func(o *notify.Options) {
		o.CarrierOptOut = func(_ context.Context, p core.Phone) {
			mu.Lock()
			told = append(told, p)
			mu.Unlock()
		}
	})
	h.twilio.SetScript(notifytest.FailFirst(1, notifytest.Reply{Code: "21610"}))
	h.selfRefer(t, "carrier", toWelfare)
	drain(t, w)
	mu.Lock()
	defer mu.Unlock()
	if len(told) != 1 || told[0] != clientPhone {
		t.Errorf("the carrier's opt-out was passed on for %v, want [%s]", told, clientPhone)
	}
}

// A WhatsApp message whose call got no answer may have gone: it is never
// sent again blind. A WhatsApp row found "sending" cannot be matched in
// Twilio's log (a template's words are not the body), so it is
// dead-lettered as interrupted for someone to check, with Twilio holding
// the one message.
func TestTimedOutWhatsAppIsNotSentAgain(t *testing.T) {
	t.Parallel()
	h := newHarness(t, harnessOpts{timeout: 200 * time.Millisecond})
	h.cfg.WhatsAppFrom = "whatsapp:" + testWhatsAppFrom
	h.cfg.WhatsAppTemplates = "accepted=" + acceptedSID
	s, err := notify.NewTwilioSender(h.cfg, notify.SenderOptions{Timeout: 200 * time.Millisecond,
		Transport: notifytest.Guard(t, h.twilio.URL(), h.slack.URL())})
	if err != nil {
		t.Fatal(err)
	}
	if err := h.engine.RecordInbound(context.Background(), testClientPhone, core.MessagingWhatsApp); err != nil {
		t.Fatal(err)
	}
	h.twilio.SetScript(notifytest.FailFirst(1, notifytest.Reply{Delay: time.Second}))
	h.selfRefer(t, "wa-slow", toWelfare)
	w := h.worker(t, func(o *notify.Options) { o.WhatsApp = s; o.SMS = s })
	drain(t, w)
	for range 3 {
		h.env.Clock.Advance(2 * time.Minute)
		drain(t, w)
	}
	if got := h.twilio.Accepted(); len(got) != 1 {
		t.Fatalf("Twilio took %d WhatsApp messages, want the one the timed-out call sent", len(got))
	}
	row := h.scheduled(t, string(core.OutboxClientSMS), core.SMSConfirmation)
	if row.Sent || !row.Dead || !strings.Contains(row.LastError, "interrupted") {
		t.Errorf("the timed-out WhatsApp row: %+v, want dead-lettered as interrupted", row)
	}
}
