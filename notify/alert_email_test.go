package notify_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/onward-network/onward/core"
	"github.com/onward-network/onward/notify/smtpfake"
)

// TestAlertEmailIsPlainWords: a coordinator alert is queued as the triage
// channel posts it (bot's capacity alert: an emoji, and "&", "<", ">"
// escaped for Slack). Its email says the same words plainly: no emoji
// code, the note as it was typed in the text part, escaped once in HTML.
func TestAlertEmailIsPlainWords(t *testing.T) {
	h := newMailHarness(t, harnessOpts{noSlack: true}, smtpfake.Options{}, nil)
	h.markAllSent(t)
	slack := ":no_entry_sign: Kirkton Citizens Advice is at capacity: Volunteers &amp; van &lt;off&gt; till Mon (set by Ailsa Brodie). New referrals are not routed to it."
	if err := h.engine.Outbox().Enqueue(context.Background(), core.OutboxAlert, 0,
		core.OutboxPayload{AgencyID: h.net.CAB, Text: slack}, "capacity-test", time.Time{}); err != nil {
		t.Fatal(err)
	}
	drain(t, h.mailWorker(t))
	ms := byRecipient(h.smtp.Messages())[h.net.Coordinator.Email]
	if len(ms) != 1 {
		t.Fatalf("the coordinator got %d emails, want 1", len(ms))
	}
	m := parse(t, ms[0])
	plain := "Kirkton Citizens Advice is at capacity: Volunteers & van <off> till Mon (set by Ailsa Brodie). New referrals are not routed to it."
	if !strings.Contains(m.Text, plain) {
		t.Errorf("text part lacks %q:\n%s", plain, m.Text)
	}
	if html := "Volunteers &amp; van &lt;off&gt; till Mon"; !strings.Contains(m.HTML, html) {
		t.Errorf("HTML part lacks %q:\n%s", html, m.HTML)
	}
	for _, part := range []string{m.Text, m.HTML} {
		for _, bad := range []string{":no_entry_sign:", "&amp;amp;", "&amp;lt;"} {
			if strings.Contains(part, bad) {
				t.Errorf("email carries Slack markup %q:\n%s", bad, part)
			}
		}
	}
	if strings.Contains(m.Text, "&amp;") || strings.Contains(m.Text, "&lt;") {
		t.Errorf("text part carries Slack's escapes:\n%s", m.Text)
	}
}
