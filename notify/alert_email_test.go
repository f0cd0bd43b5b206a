package notify_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/onward-network/onward/core"
	"github.com/onward-network/onward/notify/smtpfake"
)

// typedNote is what a member of staff might type as their agency's
// capacity note: characters Slack's mrkdwn and HTML both treat as markup.
const typedNote = "Volunteers & van <off> till Mon <!channel>"

// capacityAlert is the plain words of a capacity alert, as bot writes it.
const capacityAlert = "Kirkton Citizens Advice is at capacity: " + typedNote + " (set by Ailsa Brodie). New referrals are not routed to it."

// TestAlertIsPlainWordsEveryChannelSays: a coordinator alert is queued as
// plain words and a level. The triage channel escapes the words for
// mrkdwn, so a typed "<!channel>" pings nobody, and puts the level's emoji
// in front; the email says the words as typed in its text part and
// escapes them once in its HTML part, with no Slack markup in either.
func TestAlertIsPlainWordsEveryChannelSays(t *testing.T) {
	t.Parallel()
	t.Run("slack", func(t *testing.T) {
		h := newHarness(t, harnessOpts{})
		h.markAllSent(t)
		if err := h.engine.Outbox().Enqueue(context.Background(), core.OutboxAlert, 0,
			core.OutboxPayload{AgencyID: h.env.Net.CAB, Level: "capacity-full", Text: capacityAlert}, "capacity-slack", time.Time{}); err != nil {
			t.Fatal(err)
		}
		drain(t, h.worker(t, nil))
		want := ":no_entry_sign: Kirkton Citizens Advice is at capacity: Volunteers &amp; van &lt;off&gt; till Mon &lt;!channel&gt; (set by Ailsa Brodie). New referrals are not routed to it."
		var posts []string
		for _, c := range h.slack.Calls() {
			if strings.Contains(c.Text, "at capacity") {
				posts = append(posts, c.Text)
			}
		}
		if len(posts) != 1 || posts[0] != want {
			t.Errorf("triage channel got %q, want exactly\n%q", posts, want)
		}
	})
	t.Run("email", func(t *testing.T) {
		h := newMailHarness(t, harnessOpts{noSlack: true}, smtpfake.Options{}, nil)
		h.markAllSent(t)
		if err := h.engine.Outbox().Enqueue(context.Background(), core.OutboxAlert, 0,
			core.OutboxPayload{AgencyID: h.net.CAB, Level: "capacity-full", Text: capacityAlert}, "capacity-test", time.Time{}); err != nil {
			t.Fatal(err)
		}
		drain(t, h.mailWorker(t))
		ms := byRecipient(h.smtp.Messages())[h.net.Coordinator.Email]
		if len(ms) != 1 {
			t.Fatalf("the coordinator got %d emails, want 1", len(ms))
		}
		m := parse(t, ms[0])
		if !strings.Contains(m.Text, capacityAlert) {
			t.Errorf("text part lacks %q:\n%s", capacityAlert, m.Text)
		}
		if html := "Volunteers &amp; van &lt;off&gt; till Mon &lt;!channel&gt;"; !strings.Contains(m.HTML, html) {
			t.Errorf("HTML part lacks %q:\n%s", html, m.HTML)
		}
		for _, part := range []string{m.Text, m.HTML} {
			for _, bad := range []string{":no_entry_sign:", "&amp;amp;", "&amp;lt;"} {
				if strings.Contains(part, bad) {
					t.Errorf("email carries Slack markup %q:\n%s", bad, part)
				}
			}
		}
	})
}
