package notify_test

import (
	"context"
	"strings"
	"testing"

	"github.com/onward-network/onward/core"
	"github.com/onward-network/onward/core/coretest"
	"github.com/onward-network/onward/notify/smtpfake"
)

// crisisOptedOut has the client of a self-referral with Kirkton Citizens
// Advice text words of self-harm and danger after it was made, from a
// phone that had opted out of texts, so Onward could not reply.
func crisisOptedOut(t *testing.T, h *harness) core.Referral {
	t.Helper()
	ctx := context.Background()
	res, err := h.engine.SelfRefer(ctx, coretest.SelfReferral("crisis-opted-out"))
	if err != nil {
		t.Fatal(err)
	}
	h.markAllSent(t)
	if out, err := h.engine.RecordCrisisAfterEnd(ctx, core.CrisisAfterEnd{Reference: res.Referral.Reference,
		Phone: "+447700900123", SelfHarm: true, Danger: true, MessageSID: "SMoptedout", OptedOut: true}); err != nil || out != core.CrisisAlerted {
		t.Fatalf("%s, %v", out, err)
	}
	return res.Referral
}

// TestCrisisFromAnOptedOutPhoneEmailsSayNoReply: the network works by
// email. The agency's email about a crisis text Onward could not reply to
// says so (the phone opted out of texts, they texted STOP), that nothing
// was sent, and to contact the client another way and call 999 if they
// may be in immediate danger; never that Onward's reply gave them the
// lines. The coordinators' alert email says the same.
func TestCrisisFromAnOptedOutPhoneEmailsSayNoReply(t *testing.T) {
	t.Parallel()
	h := newMailHarness(t, harnessOpts{noSlack: true}, smtpfake.Options{}, nil)
	h.emailOnly(t)
	r := crisisOptedOut(t, h.harness)
	drain(t, h.mailWorker(t))

	got := h.agencyCrisisEmails(t, 0)
	team := got["team@cab.example"]
	if len(team) != 1 {
		t.Fatalf("Kirkton's shared address got %d crisis emails, want 1", len(team))
	}
	p := team[0]
	for _, s := range []string{r.Reference, "words of self-harm and danger",
		"Onward could not reply, as their phone has opted out of texts (they texted STOP), so they were not sent the crisis lines, and 999 and the domestic abuse helpline.",
		"Please contact the client now, in a way other than text", "Call 999 if you believe they are in immediate danger.",
		"nothing: their phone has opted out of texts"} {
		if !strings.Contains(p.Text, s) || !strings.Contains(p.HTML, s) {
			t.Errorf("the email lacks %q:\n%s\n%s", s, p.Text, p.HTML)
		}
	}
	if strings.Contains(describe(p), "reply gave them") {
		t.Errorf("the email says Onward replied:\n%s", describe(p))
	}
	coretest.Golden(t, "testdata/email/client_crisis_opted_out.golden", describe(p))

	coord := byRecipient(h.smtp.Messages())[h.net.Coordinator.Email]
	if len(coord) != 1 {
		t.Fatalf("the coordinator got %d emails, want their alert", len(coord))
	}
	if m := parse(t, coord[0]); !strings.Contains(m.Text, "Onward could not reply") || strings.Contains(m.Text, "reply gave them") {
		t.Errorf("the coordinators' alert email does not say Onward could not reply:\n%s", m.Text)
	}
}

// TestCrisisFromAnOptedOutPhoneSlackSaysNoReply: the alert in the triage
// channel and in Kirkton's says Onward could not reply as the phone
// opted out, and what to do, never that its reply gave them the lines.
func TestCrisisFromAnOptedOutPhoneSlackSaysNoReply(t *testing.T) {
	t.Parallel()
	h := newHarness(t, harnessOpts{})
	r := crisisOptedOut(t, h)
	drain(t, h.worker(t, nil))
	posts := map[string]int{}
	for _, c := range h.slack.Calls() {
		if c.Method != "chat.postMessage" || !strings.Contains(c.Text, r.Reference) || !strings.Contains(c.Text, "self-harm") {
			continue
		}
		posts[c.Channel]++
		for _, want := range []string{"Onward could not reply", "opted out of texts (they texted STOP)",
			"contact them another way now, and call 999 if you believe they are in immediate danger"} {
			if !strings.Contains(c.Text, want) {
				t.Errorf("the post in %s does not say %q: %s", c.Channel, want, c.Text)
			}
		}
		if strings.Contains(c.Text, "reply gave them") {
			t.Errorf("the post in %s says Onward replied: %s", c.Channel, c.Text)
		}
	}
	if posts[triageChannel] != 1 || posts["C0CAB"] != 1 {
		t.Errorf("crisis alerts posted %v, want one in triage and one in Kirkton's channel", posts)
	}
}
