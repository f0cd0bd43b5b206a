package notify_test

import (
	"context"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/onward-network/onward/core"
	"github.com/onward-network/onward/notify"
)

// sendingText claims the referral's client text and marks it "sending",
// then sends it to the fake Twilio through the real sender and records
// nothing more: the worker died after Twilio took it. It returns the row
// and what Twilio holds: the SID and the row its StatusCallback names.
func sendingText(t *testing.T, h *harness) (core.OutboxClaim, string, core.OutboxID) {
	t.Helper()
	ctx := context.Background()
	text := markedSending(t, h, core.OutboxClientSMS)
	before := len(h.twilio.Accepted())
	rec, err := h.sms.SendSMS(ctx, text.ID, "+447700900123", "Your referral was accepted.")
	if err != nil {
		t.Fatal(err)
	}
	got := h.twilio.Accepted()
	if len(got) != before+1 {
		t.Fatalf("Twilio took %d texts, want 1", len(got)-before)
	}
	m := got[len(got)-1]
	cb, err := url.Parse(m.StatusCallback)
	if err != nil {
		t.Fatal(err)
	}
	row, err := strconv.ParseInt(cb.Query().Get(notify.StatusRowParam), 10, 64)
	if err != nil || core.OutboxID(row) != text.ID || len(cb.Query()) != 1 {
		t.Fatalf("StatusCallback %q does not name row %d alone", m.StatusCallback, text.ID)
	}
	return text, rec.SID, core.OutboxID(row)
}

// markedSending claims the first due row of the kind and marks it
// "sending", as a worker does just before it calls Twilio, marking the
// other rows it claims sent. It returns the claim.
func markedSending(t *testing.T, h *harness, kind core.OutboxKind) core.OutboxClaim {
	t.Helper()
	ctx := context.Background()
	o := h.engine.Outbox()
	now := h.clock.Now()
	var text core.OutboxClaim
	for i := 0; i < 3 && text.ID == 0; i++ {
		cs, err := o.Claim(ctx, now, time.Minute, 10)
		if err != nil {
			t.Fatal(err)
		}
		for _, c := range cs {
			if c.Kind == kind && text.ID == 0 {
				text = c
			} else if err := o.MarkSent(ctx, c, now, "", core.DeliveryPosted, nil); err != nil {
				t.Fatal(err)
			}
		}
	}
	if text.ID == 0 {
		t.Fatalf("no %s row claimed", kind)
	}
	if err := o.MarkSending(ctx, text); err != nil {
		t.Fatal(err)
	}
	return text
}

// TestInterruptedTextCallbackBeforeClaimIsNotAFalseAlarm: Twilio's
// callback for a text whose worker died before recording its SID names
// the row; the next claim then finds it sent: no dead letter, no alert,
// no second text.
func TestInterruptedTextCallbackBeforeClaimIsNotAFalseAlarm(t *testing.T) {
	t.Parallel()
	h := newHarness(t, harnessOpts{noSlack: true})
	ctx := context.Background()
	h.selfRefer(t, "died", toWelfare)
	text, sid, row := sendingText(t, h)
	res, err := h.engine.RecordCallbackForRow(ctx, row, sid, "sent", "")
	if err != nil || res != core.CallbackMarkedSent {
		t.Fatalf("callback: %q %v, want marked sent", res, err)
	}
	h.env.Clock.Advance(2 * time.Minute)
	drain(t, h.worker(t, nil))
	r := h.rowByID(t, int64(text.ID))
	if !r.Sent || r.Dead || r.ProviderID != sid || r.DeliveryStatus != "sent" {
		t.Errorf("text after its callback: %+v, want sent with the SID", r)
	}
	for _, r := range h.rows(t) {
		if r.Dead || r.Kind == string(core.OutboxAlert) || strings.Contains(r.LastError, "interrupted") {
			t.Errorf("row %+v: want no dead letter and no alert", r)
		}
	}
	if n := len(h.twilio.Accepted()); n != 1 {
		t.Errorf("Twilio got %d texts, want 1", n)
	}
}

// TestInterruptedTextCorrectedByLateCallback: the claim found the text
// "sending" with no SID, Twilio could not confirm it (it held other
// words for the number), and it was dead-lettered as interrupted,
// alerting the coordinators; Twilio's callback naming the row then arrives. The row
// is corrected to sent, the referral's audit trail records it, and the
// coordinators are told the alert was a false alarm. A callback reporting
// the text failed leaves a dead letter standing, and one an hour late
// leaves it to the people looking after it.
func TestInterruptedTextCorrectedByLateCallback(t *testing.T) {
	t.Parallel()
	// Two attempts: the other words Twilio holds for the number are not
	// the row's, so neither check confirms it and it is dead-lettered.
	h := newHarness(t, harnessOpts{noSlack: true, maxAttempt: 2})
	ctx := context.Background()
	ref := h.selfRefer(t, "late-callback", toWelfare)
	text, sid, row := sendingText(t, h)
	drainRetries(t, h, 3)
	if r := h.rowByID(t, int64(text.ID)); !r.Dead || !strings.Contains(r.LastError, "interrupted during send") {
		t.Fatalf("text before its callback: %+v, want dead-lettered as interrupted", r)
	}

	// A failure report confirms the dead letter: nothing changes.
	if res, err := h.engine.RecordCallbackForRow(ctx, row, sid, "undelivered", "30003"); err != nil || res != core.CallbackIgnored {
		t.Fatalf("failed callback: %q %v, want ignored", res, err)
	}
	res, err := h.engine.RecordCallbackForRow(ctx, row, sid, "delivered", "")
	if err != nil || res != core.CallbackCorrected {
		t.Fatalf("callback: %q %v, want corrected", res, err)
	}
	r := h.rowByID(t, int64(text.ID))
	if !r.Sent || r.Dead || r.ProviderID != sid || r.DeliveryStatus != "delivered" || !strings.Contains(r.LastError, "false alarm") {
		t.Errorf("text after its callback: %+v, want sent, delivered, noted as a false alarm", r)
	}
	var falseAlarm bool
	for _, a := range h.rows(t) {
		if a.Kind == string(core.OutboxAlert) && a.Level == "dead-letter-corrected" {
			falseAlarm = true
		}
	}
	if !falseAlarm {
		t.Error("no alert telling the coordinators the first was a false alarm")
	}
	evs, err := h.engine.ReferralEvents(ctx, ref.ID)
	if err != nil {
		t.Fatal(err)
	}
	if evs[len(evs)-1].Kind != core.EventInterruptedTextConfirmed {
		t.Errorf("last audit event %q, want %q", evs[len(evs)-1].Kind, core.EventInterruptedTextConfirmed)
	}
	// The same callback again changes nothing (the SID is on the row now).
	if res, err := h.engine.RecordCallbackForRow(ctx, row, sid, "delivered", ""); err != nil || res != core.CallbackIgnored {
		t.Errorf("repeated callback: %q %v, want ignored", res, err)
	}

	// Outside the window a dead letter stands.
	h.selfRefer(t, "too-late", toWelfare)
	text2, sid2, row2 := sendingText(t, h)
	drainRetries(t, h, 3)
	h.env.Clock.Advance(core.InterruptedCorrectionWindow + time.Minute)
	if res, err := h.engine.RecordCallbackForRow(ctx, row2, sid2, "delivered", ""); err != nil || res != core.CallbackIgnored {
		t.Errorf("callback after the window: %q %v, want ignored", res, err)
	}
	if r := h.rowByID(t, int64(text2.ID)); !r.Dead || r.Sent {
		t.Errorf("text with a callback after the window: %+v, want still dead", r)
	}
}

// drainRetries drains the outbox rounds times, moving the clock past the
// lease and every retry's backoff before each round.
func drainRetries(t *testing.T, h *harness, rounds int) {
	t.Helper()
	w := h.worker(t, nil)
	for range rounds {
		h.env.Clock.Advance(2 * time.Minute)
		drain(t, w)
	}
}
