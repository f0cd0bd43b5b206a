package notify_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/onward-network/onward/core"
	"github.com/onward-network/onward/notify"
	"github.com/onward-network/onward/notify/notifytest"
)

// TestCrisisCardNotHeldBehindBackoff: with Slack failing the first three
// calls, a crisis referral's card and alert reach the triage channel
// within 15 s, on the short schedule (first retry within seconds), while
// a routine card's first retry keeps the long schedule's wait.
func TestCrisisCardNotHeldBehindBackoff(t *testing.T) {
	t.Parallel()
	h := newHarness(t, harnessOpts{realClock: true, noTwilio: true})
	h.markAllSent(t)
	routineBackoff := func(o *notify.Options) { o.BaseBackoff, o.MaxBackoff = 10*time.Second, time.Hour }
	h.slack.SetScript(notifytest.FailFirst(3, notifytest.Reply{Status: 500}))
	stop := runWorker(t, h.worker(t, routineBackoff))
	start := time.Now()
	r := h.selfRefer(t, "crisis", func(in *core.SelfReferral) { in.Crisis = true; in.CrisisReasons = []string{"no food"} })
	h.engine.WakeWorkers()
	waitDelivered(t, h, 20*time.Second)
	took := time.Since(start)
	stop()
	if took > 15*time.Second {
		t.Errorf("crisis card and alert after three Slack failures took %v, want within 15 s", took)
	}
	for _, row := range h.rows(t) {
		if row.Kind == string(core.OutboxCard) && row.Attempts < 2 {
			t.Errorf("the card was not retried (attempts %d): the fake's failures went elsewhere", row.Attempts)
		}
	}
	_ = r

	// A routine referral's card failing once waits the long schedule.
	h.markAllSent(t)
	h.slack.SetScript(notifytest.FailFirst(1, notifytest.Reply{Status: 500}))
	h.selfRefer(t, "routine", toWelfare)
	w := h.worker(t, routineBackoff)
	if _, err := w.RunOnce(context.Background()); err != nil {
		t.Fatal(err)
	}
	var card outboxRow
	for _, row := range h.rows(t) {
		if row.Kind == string(core.OutboxCard) && !row.Sent {
			card = row
		}
	}
	if card.ID == 0 || card.Attempts != 1 {
		t.Fatalf("routine card after one failure: %+v", card)
	}
	if wait := time.Until(card.AvailableAt); wait < 4*time.Second {
		t.Errorf("routine card's first retry in %v, want the long schedule (5-10 s)", wait)
	}
}

// TestDatabaseBlipAfterSendDoesNotLoseTheText: PostgreSQL goes away just
// after Twilio accepted a text and comes back a second later. The worker
// keeps trying to record "sent" while its lease holds, so the text ends
// sent with Twilio's id, not "sending" (and later dead-lettered as
// interrupted), and it was sent once.
func TestDatabaseBlipAfterSendDoesNotLoseTheText(t *testing.T) {
	t.Parallel()
	h := newHarness(t, harnessOpts{noSlack: true})
	h.selfRefer(t, "blip", toWelfare)
	eng, p := h.engineThroughProxy(t, h.clock)
	blipped := false
	h.twilio.OnAccept(func(notifytest.SMS) {
		if blipped {
			return
		}
		blipped = true
		p.SetUp(false)
		go func() {
			time.Sleep(time.Second)
			p.SetUp(true)
		}()
	})
	w := h.worker(t, func(o *notify.Options) { o.Engine = eng })
	drain(t, w)
	if !blipped {
		t.Fatal("no text was sent")
	}
	var sms outboxRow
	for _, r := range h.rows(t) {
		if r.Kind == string(core.OutboxClientSMS) {
			sms = r
		}
	}
	if !sms.Sent || sms.ProviderID == "" || sms.Dead {
		t.Errorf("text after a database blip: %+v, want sent with Twilio's id", sms)
	}
	if n := len(h.twilio.Accepted()); n != 1 {
		t.Errorf("Twilio took %d texts, want 1", n)
	}
}

// TestInterruptedTextWithKnownIDIsNotAFalseAlarm: a text left "sending"
// whose Twilio id was recorded afterwards (the worker could not mark it
// sent before its lease ran out) is marked sent on the next claim, not
// dead-lettered as interrupted, and is not sent again.
func TestInterruptedTextWithKnownIDIsNotAFalseAlarm(t *testing.T) {
	t.Parallel()
	h := newHarness(t, harnessOpts{noSlack: true})
	ctx := context.Background()
	h.selfRefer(t, "late", toWelfare)
	o := h.engine.Outbox()
	now := h.clock.Now()
	var text core.OutboxClaim
	var cs []core.OutboxClaim
	for i := 0; i < 3 && text.ID == 0; i++ {
		var err error
		if cs, err = o.Claim(ctx, now, time.Minute, 10); err != nil {
			t.Fatal(err)
		}
		for _, c := range cs {
			if c.Kind == core.OutboxClientSMS {
				text = c
			} else if err := o.MarkSent(ctx, c, now, "", core.DeliveryPosted, nil); err != nil {
				t.Fatal(err)
			}
		}
	}
	if text.ID == 0 {
		t.Fatalf("no text claimed: %+v", cs)
	}
	if err := o.MarkSending(ctx, text); err != nil {
		t.Fatal(err)
	}
	if ok, err := o.RecordSendingID(ctx, text.ID, "SM"+strings.Repeat("b", 32)); err != nil || !ok {
		t.Fatalf("record the id: %v %v", ok, err)
	}
	h.env.Clock.Advance(2 * time.Minute)
	drain(t, h.worker(t, nil))
	row := h.rowByID(t, int64(text.ID))
	if !row.Sent || row.Dead || row.ProviderID != "SM"+strings.Repeat("b", 32) {
		t.Errorf("interrupted text with a known id: %+v, want sent", row)
	}
	if n := len(h.twilio.Accepted()); n != 0 {
		t.Errorf("Twilio got %d texts, want none (it had the text already)", n)
	}
}
