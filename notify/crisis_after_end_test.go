package notify_test

import (
	"context"
	"mime"
	"strings"
	"testing"

	"github.com/onward-network/onward/core"
	"github.com/onward-network/onward/core/coretest"
	"github.com/onward-network/onward/notify/smtpfake"
)

// crisisAfterEnd has the client of a self-referral with Kirkton Citizens
// Advice text words of self-harm after it was made, and returns it.
func crisisAfterEnd(t *testing.T, h *harness) core.Referral {
	t.Helper()
	ctx := context.Background()
	res, err := h.engine.SelfRefer(ctx, coretest.SelfReferral("crisis-after-end"))
	if err != nil {
		t.Fatal(err)
	}
	if a := res.Referral.ToAgencyID; a == nil || *a != h.env.Net.CAB {
		t.Fatalf("the self-referral went to %v, want Kirkton", a)
	}
	h.markAllSent(t)
	if out, err := h.engine.RecordCrisisAfterEnd(ctx, core.CrisisAfterEnd{Reference: res.Referral.Reference,
		Phone: "+447700900123", SelfHarm: true, MessageSID: "SMcrisis"}); err != nil || out != core.CrisisAlerted {
		t.Fatalf("%s, %v", out, err)
	}
	return res.Referral
}

// personal is what the client's record holds that no alert may carry.
var personal = []string{"Morag", "Baird", "07700", "900123", "KY1 1AB", "Rent arrears"}

// TestCrisisAfterEndAlertInTriageAndAgencyChannels: the alert is posted
// in the triage channel with the crisis mention (no card beside it pings
// the channel) and in Kirkton's channel without it, each with the link to
// the referral on the staff web and nothing of the client's.
func TestCrisisAfterEndAlertInTriageAndAgencyChannels(t *testing.T) {
	h := newHarness(t, harnessOpts{})
	r := crisisAfterEnd(t, h)
	drain(t, h.worker(t, nil))
	link := "<https://onward.example/staff/referrals/" + r.Reference + "|Open " + r.Reference + ">"
	posts := map[string][]string{}
	for _, c := range h.slack.Calls() {
		if c.Method == "chat.postMessage" && strings.Contains(c.Text, "self-harm") {
			posts[c.Channel] = append(posts[c.Channel], c.Text)
		}
	}
	triage, cab := posts[triageChannel], posts["C0CAB"]
	if len(triage) != 1 || !strings.HasPrefix(triage[0], ":sos: <!here> The client of referral "+r.Reference) || !strings.Contains(triage[0], link) {
		t.Errorf("triage channel got %q; want one alert with the mention and %s", triage, link)
	}
	if len(cab) != 1 || strings.Contains(cab[0], "<!here>") || !strings.Contains(cab[0], link) {
		t.Errorf("Kirkton's channel got %q; want one alert with %s and no mention", cab, link)
	}
	for _, text := range append(triage, cab...) {
		for _, p := range personal {
			if strings.Contains(text, p) {
				t.Errorf("a Slack alert carries %q: %s", p, text)
			}
		}
	}
	for _, row := range h.rows(t) {
		if row.Level == core.AlertCrisisAfterEnd && (!row.Sent || row.DeliveryStatus != string(core.DeliveryPosted)) {
			t.Errorf("alert row %+v not posted", row)
		}
	}
}

// TestCrisisAfterEndAlertEmailReachesEveryCoordinatorAtOnce: without
// Slack the coordinators are emailed, even one who chose to get alerts in
// the daily digest, as for a crisis referral: with the reference and the
// link, nothing of the client's, and no unsubscribe link that could not
// stop it.
func TestCrisisAfterEndAlertEmailReachesEveryCoordinatorAtOnce(t *testing.T) {
	h := newMailHarness(t, harnessOpts{noSlack: true}, smtpfake.Options{}, nil)
	if err := h.engine.SetMailPrefs(context.Background(), h.net.Coordinator.ID, map[core.EmailKind]core.MailMode{core.EmailAlert: core.MailDigest}); err != nil {
		t.Fatal(err)
	}
	r := crisisAfterEnd(t, h.harness)
	drain(t, h.mailWorker(t))
	ms := byRecipient(h.smtp.Messages())[h.net.Coordinator.Email]
	if len(ms) != 1 {
		t.Fatalf("the coordinator got %d emails, want 1", len(ms))
	}
	m := parse(t, ms[0])
	subject, _ := new(mime.WordDecoder).DecodeHeader(m.Header.Get("Subject"))
	if !strings.Contains(subject, r.Reference) || !strings.Contains(subject, "self-harm") {
		t.Errorf("subject %q lacks the reference or the kind", subject)
	}
	if !strings.Contains(m.Text, "https://onward.example/staff/referrals/"+r.Reference) || !strings.Contains(m.Text, "crisis lines") {
		t.Errorf("text part lacks the link or the crisis lines:\n%s", m.Text)
	}
	if m.Header.Get("List-Unsubscribe") != "" {
		t.Errorf("the alert offers an unsubscribe link: %s", m.Header.Get("List-Unsubscribe"))
	}
	for _, part := range []string{subject, m.Text, m.HTML} {
		for _, p := range personal {
			if strings.Contains(part, p) {
				t.Errorf("the email carries %q:\n%s", p, part)
			}
		}
	}
}
