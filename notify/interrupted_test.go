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

// clientPhone is the number coretest's self-referrals give.
const clientPhone core.Phone = "+447700900123"

const foundNote = "sms accepted, found at Twilio after an interruption"

// interruptedHarness is a harness whose fake Twilio keeps the test's
// clock, so the messages it lists fall before or after a row's
// "sending" mark as the test moves the clock.
func interruptedHarness(t *testing.T, maxAttempts int) *harness {
	t.Helper()
	h := newHarness(t, harnessOpts{noSlack: true, maxAttempt: maxAttempts})
	h.twilio.SetClock(h.clock.Now)
	return h
}

// noDeadLetters fails the test on a dead letter or a coordinator alert.
func noDeadLetters(t *testing.T, h *harness) {
	t.Helper()
	for _, r := range h.rows(t) {
		if r.Dead || r.Kind == string(core.OutboxAlert) {
			t.Errorf("row %+v: want no dead letter and no alert", r)
		}
	}
}

// A text left "sending" whose message Twilio holds is marked sent with
// Twilio's SID, and not sent again: here a directory text, whose words
// are the row's own. The same words sent to the number before the row
// was marked are another text, not this one.
func TestInterruptedTextFoundAtTwilio(t *testing.T) {
	t.Parallel()
	h := interruptedHarness(t, 8)
	ctx := context.Background()
	const words = "Kirkcaldy Foodbank: 01592 000000, Mon-Fri 10-2"
	earlier, err := h.sms.SendSMS(ctx, 0, clientPhone, words)
	if err != nil {
		t.Fatal(err)
	}
	h.env.Clock.Advance(10 * time.Minute)
	if err := h.engine.TextService(ctx, clientPhone, words, "foodbank"); err != nil {
		t.Fatal(err)
	}
	row := markedSending(t, h, core.OutboxDirectoryText)
	took, err := h.sms.SendSMS(ctx, row.ID, clientPhone, words)
	if err != nil {
		t.Fatal(err)
	}
	drainRetries(t, h, 1)
	r := h.rowByID(t, int64(row.ID))
	if !r.Sent || r.Dead || r.ProviderID != took.SID || r.DeliveryStatus != foundNote {
		t.Errorf("row after the check: %+v, want sent with %s (not %s), %q", r, took.SID, earlier.SID, foundNote)
	}
	if n := len(h.twilio.Accepted()); n != 2 {
		t.Errorf("Twilio took %d texts, want the 2 the test sent", n)
	}
	noDeadLetters(t, h)
}

// A text left "sending" that Twilio has no trace of never reached it:
// it is sent, once, as usual.
func TestInterruptedTextTwilioNeverTook(t *testing.T) {
	t.Parallel()
	h := interruptedHarness(t, 8)
	h.selfRefer(t, "never-took", toWelfare)
	row := markedSending(t, h, core.OutboxClientSMS)
	drainRetries(t, h, 2)
	got := h.twilio.Accepted()
	if len(got) != 1 || got[0].To != string(clientPhone) {
		t.Fatalf("Twilio took %+v, want the one text", got)
	}
	r := h.rowByID(t, int64(row.ID))
	if !r.Sent || r.Dead || r.ProviderID != got[0].SID || r.DeliveryStatus != "sms queued" {
		t.Errorf("row: %+v, want sent as %s", r, got[0].SID)
	}
	noDeadLetters(t, h)
}

// A message to the number that a row of its own records is that row's
// text, not a trace of this one: the text goes.
func TestInterruptedTextOtherRowsMessagesAreNotItsOwn(t *testing.T) {
	t.Parallel()
	h := interruptedHarness(t, 8)
	h.selfRefer(t, "first", toWelfare)
	drain(t, h.worker(t, nil))
	if n := len(h.twilio.Accepted()); n != 1 {
		t.Fatalf("first confirmation: %d texts", n)
	}
	h.selfRefer(t, "second", toWelfare)
	row := markedSending(t, h, core.OutboxClientSMS)
	drainRetries(t, h, 2)
	got := h.twilio.Accepted()
	if len(got) != 2 {
		t.Fatalf("Twilio took %d texts, want 2", len(got))
	}
	if r := h.rowByID(t, int64(row.ID)); !r.Sent || r.ProviderID != got[1].SID {
		t.Errorf("row: %+v, want sent as %s", r, got[1].SID)
	}
	noDeadLetters(t, h)
}

// Twilio holds a message to the number since the mark with other words,
// which no row records: it may be the row's text changed on the way, so
// the text is not sent again; the check is retried, then the row is
// dead-lettered as interrupted, saying Twilio could not confirm it.
func TestInterruptedTextOtherWordsNotResent(t *testing.T) {
	t.Parallel()
	h := interruptedHarness(t, 3)
	h.selfRefer(t, "other-words", toWelfare)
	row, _, _ := sendingText(t, h)
	drainRetries(t, h, 1)
	if r := h.rowByID(t, int64(row.ID)); r.Dead || r.Sent || r.DeliveryStatus != "sending" || !strings.Contains(r.LastError, "other words") {
		t.Fatalf("after one check: %+v, want kept sending for another check", r)
	}
	drainRetries(t, h, 3)
	r := h.rowByID(t, int64(row.ID))
	if !r.Dead || r.Sent || !strings.Contains(r.LastError, "interrupted during send") ||
		!strings.Contains(r.LastError, "Twilio could not confirm it (it holds a message to the number since then with other words)") {
		t.Errorf("row: %+v, want dead-lettered as interrupted, Twilio not confirming", r)
	}
	if n := len(h.twilio.Accepted()); n != 1 {
		t.Errorf("Twilio took %d texts, want only the test's one", n)
	}
}

// Twilio failing the lookup (an outage, rate limiting) sends nothing:
// the check is retried with backoff, keeping the "sending" mark, and when
// the attempts run out the row is dead-lettered as interrupted, naming
// Twilio's failure.
func TestInterruptedTextTwilioCannotBeAsked(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name  string
		reply notifytest.Reply
		want  string
	}{
		{"outage", notifytest.Reply{Status: 503}, "twilio: status 503 (server error"},
		{"rate limited", notifytest.Reply{Status: 429}, "error 20429 (rate limited)"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			h := interruptedHarness(t, 3)
			h.selfRefer(t, "cannot-ask", toWelfare)
			row := markedSending(t, h, core.OutboxClientSMS)
			h.twilio.SetScript(func(int) notifytest.Reply { return tc.reply })
			drainRetries(t, h, 1)
			if r := h.rowByID(t, int64(row.ID)); r.Dead || r.DeliveryStatus != "sending" || !r.AvailableAt.After(h.clock.Now()) {
				t.Fatalf("after the first failed check: %+v, want kept sending, retried later", r)
			}
			drainRetries(t, h, 3)
			r := h.rowByID(t, int64(row.ID))
			if !r.Dead || !strings.Contains(r.LastError, "interrupted during send") ||
				!strings.Contains(r.LastError, "Twilio could not confirm it (asking it failed: ") || !strings.Contains(r.LastError, tc.want) {
				t.Errorf("row: %+v, want dead-lettered as interrupted, naming Twilio's failure", r)
			}
			if n := h.twilio.Requests(); n != 3 {
				t.Errorf("Twilio was asked %d times, want 3 (one an attempt)", n)
			}
			if n := len(h.twilio.Accepted()); n != 0 {
				t.Errorf("Twilio took %d texts, want none", n)
			}
		})
	}
}

// With no Twilio to ask, a text left "sending" is dead-lettered as
// interrupted at once, as before the check existed.
func TestInterruptedTextWithoutTwilio(t *testing.T) {
	t.Parallel()
	h := interruptedHarness(t, 8)
	h.selfRefer(t, "no-twilio", toWelfare)
	row := markedSending(t, h, core.OutboxClientSMS)
	h.env.Clock.Advance(2 * time.Minute)
	drain(t, h.worker(t, func(o *notify.Options) { o.SMS = nil }))
	r := h.rowByID(t, int64(row.ID))
	if !r.Dead || r.Attempts != 1 || !strings.Contains(r.LastError, "interrupted during send") ||
		!strings.Contains(r.LastError, "message log cannot be asked here") {
		t.Errorf("row: %+v, want dead-lettered as interrupted at once", r)
	}
	if n := h.twilio.Requests(); n != 0 {
		t.Errorf("Twilio got %d requests, want none", n)
	}
}
