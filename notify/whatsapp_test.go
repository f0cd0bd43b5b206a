package notify_test

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/onward-network/onward/core"
	"github.com/onward-network/onward/notify"
	"github.com/onward-network/onward/notify/notifytest"
)

const (
	testWhatsAppFrom = "+447700900001"
	testClientPhone  = "+447700900123"
	acceptedSID      = "HX0123456789abcdef0123456789abcdef"
)

// whatsAppHarness is the harness with WhatsApp on: the sender from
// ONWARD_WHATSAPP_FROM and a template for "accepted" only.
func whatsAppHarness(t *testing.T) (*harness, *notify.Worker) {
	t.Helper()
	h := newHarness(t, harnessOpts{})
	h.cfg.WhatsAppFrom = "whatsapp:" + testWhatsAppFrom
	h.cfg.WhatsAppTemplates = "accepted=" + acceptedSID
	s, err := notify.NewTwilioSender(h.cfg, notify.SenderOptions{Transport: notifytest.Guard(t, h.twilio.URL(), h.slack.URL())})
	if err != nil {
		t.Fatal(err)
	}
	h.sms = s
	return h, h.worker(t, func(o *notify.Options) { o.WhatsApp = s })
}

// TestWhatsAppStatusTexts follows one WhatsApp client's status texts
// through the fake Twilio, field by field as Twilio receives them: the
// confirmation inside the 24-hour window as free text; the accepted text
// a day later as its approved template (ContentSid and ContentVariables);
// a kind with no template held, coordinators alerted once and nothing
// sent, until the client writes again and it goes out as free text.
func TestWhatsAppStatusTexts(t *testing.T) {
	t.Parallel()
	h, w := whatsAppHarness(t)
	ctx := context.Background()
	if err := h.engine.RecordInbound(ctx, testClientPhone, core.MessagingWhatsApp); err != nil {
		t.Fatal(err)
	}
	r := h.selfRefer(t, "wa1", toWelfare)
	drain(t, w)
	msgs := h.twilio.Accepted()
	if len(msgs) != 1 {
		t.Fatalf("want the confirmation, got %+v", msgs)
	}
	c := msgs[0]
	if c.To != "whatsapp:"+testClientPhone || c.From != "whatsapp:"+testWhatsAppFrom || c.MessagingServiceSID != "" ||
		c.ContentSID != "" || c.ContentVariables != "" || !strings.Contains(c.Body, r.Reference) ||
		!strings.HasPrefix(c.StatusCallback, "https://onward.example/twilio/status?row=") || c.Path != "/2010-04-01/Accounts/"+testAccountSID+"/Messages.json" {
		t.Fatalf("confirmation inside the window, as Twilio got it: %+v", c)
	}

	// A day and more later the window is closed: the accepted text goes
	// as its template.
	h.env.Clock.Advance(25 * time.Hour)
	if _, err := h.engine.Act(ctx, core.TransitionRequest{Referral: r.ID, Action: core.ActionAccept, Actor: h.env.Net.WelfareAdviser.Actor()}); err != nil {
		t.Fatal(err)
	}
	drain(t, w)
	msgs = h.twilio.Accepted()
	if len(msgs) != 2 {
		t.Fatalf("want the accepted template, got %+v", msgs)
	}
	a := msgs[1]
	var vars map[string]string
	if err := json.Unmarshal([]byte(a.ContentVariables), &vars); err != nil {
		t.Fatalf("ContentVariables %q is not a JSON object of strings: %v", a.ContentVariables, err)
	}
	want := map[string]string{"1": "Kingdom Council Welfare Rights", "2": "3 working days", "3": r.Reference}
	if a.Body != "" || a.ContentSID != acceptedSID || len(vars) != 3 || vars["1"] != want["1"] || vars["2"] != want["2"] ||
		vars["3"] != want["3"] || a.To != "whatsapp:"+testClientPhone || a.From != "whatsapp:"+testWhatsAppFrom {
		t.Fatalf("accepted outside the window, as Twilio got it: %+v (variables %v, want %v)", a, vars, want)
	}
	if st := rowFor(t, h, core.SMSAccepted).DeliveryStatus; st != "whatsapp queued" {
		t.Errorf("accepted row status %q", st)
	}

	// No template for the contact check, due three working days later:
	// held, alerted once, not sent.
	h.env.Clock.Advance(3*24*time.Hour + time.Hour)
	drain(t, w)
	if n := len(h.twilio.Accepted()); n != 2 {
		t.Fatalf("a text with no template was sent: %+v", h.twilio.Accepted()[2:])
	}
	held := rowFor(t, h, core.SMSContactCheck)
	if held.Sent || held.Dead || held.DeliveryStatus != "held: no approved WhatsApp template for contact_check" || held.Attempts != 0 {
		t.Fatalf("cancelled row not held: %+v", held)
	}
	alerts := 0
	for _, row := range h.rows(t) {
		if row.Kind == string(core.OutboxAlert) && row.Level == "held" {
			alerts++
		}
	}
	var posted string
	for _, c := range h.slack.Calls() {
		if c.Channel == triageChannel && strings.Contains(c.Text, "held") {
			posted = c.Text
		}
	}
	if alerts != 1 || !strings.Contains(posted, r.Reference) || !strings.Contains(posted, "contact_check=HX") || strings.Contains(posted, testClientPhone) {
		t.Fatalf("want one coordinator alert naming the reference and the setting, got %d: %q", alerts, posted)
	}
	// Looked at again an hour later: still held, no second alert.
	h.env.Clock.Advance(61 * time.Minute)
	drain(t, w)
	if n := len(h.twilio.Accepted()); n != 2 {
		t.Fatal("a held text was sent as free text outside the window")
	}
	if n := countLevel(t, h, "held"); n != 1 {
		t.Errorf("%d held alerts after a second look, want 1", n)
	}

	// The client writes: the window opens and the held text goes, free.
	if err := h.engine.RecordInbound(ctx, testClientPhone, core.MessagingWhatsApp); err != nil {
		t.Fatal(err)
	}
	drain(t, w)
	msgs = h.twilio.Accepted()
	if len(msgs) != 3 || msgs[2].ContentSID != "" || !strings.Contains(msgs[2].Body, "Reply 1 for yes") || msgs[2].To != "whatsapp:"+testClientPhone {
		t.Fatalf("want the held text sent free-form once the client wrote, got %+v", msgs)
	}
	if row := rowFor(t, h, core.SMSContactCheck); !row.Sent {
		t.Errorf("released row not sent: %+v", row)
	}
	// The answer is awaited as for a text.
	if a, ok, err := h.engine.Awaiting(ctx, testClientPhone); err != nil || !ok || a.Kind != core.AwaitContactCheck {
		t.Errorf("awaiting = %+v, %v, %v; want the contact check", a, ok, err)
	}
}

// TestWhatsAppBackToSMS: a client who wrote by WhatsApp and then by SMS
// gets their texts by SMS; WhatsApp not configured sends SMS too.
func TestWhatsAppBackToSMS(t *testing.T) {
	t.Parallel()
	h, w := whatsAppHarness(t)
	ctx := context.Background()
	for _, ch := range []core.MessagingChannel{core.MessagingWhatsApp, core.MessagingSMS} {
		if err := h.engine.RecordInbound(ctx, testClientPhone, ch); err != nil {
			t.Fatal(err)
		}
	}
	h.selfRefer(t, "wa2", toWelfare)
	drain(t, w)
	msgs := h.twilio.Accepted()
	if len(msgs) != 1 || msgs[0].To != testClientPhone || msgs[0].From != testFrom {
		t.Fatalf("want an SMS, got %+v", msgs)
	}

	h2 := newHarness(t, harnessOpts{})
	if err := h2.engine.RecordInbound(ctx, testClientPhone, core.MessagingWhatsApp); err != nil {
		t.Fatal(err)
	}
	h2.selfRefer(t, "wa3", toWelfare)
	drain(t, h2.worker(t, nil))
	if msgs := h2.twilio.Accepted(); len(msgs) != 1 || msgs[0].To != testClientPhone {
		t.Fatalf("without WhatsApp configured, want an SMS, got %+v", msgs)
	}
}

// TestWhatsAppUnknownTemplateKind: a template for a kind of text that
// does not exist stops the worker starting, naming it.
func TestWhatsAppUnknownTemplateKind(t *testing.T) {
	t.Parallel()
	h := newHarness(t, harnessOpts{})
	h.cfg.WhatsAppFrom = testWhatsAppFrom
	h.cfg.WhatsAppTemplates = "acepted=" + acceptedSID
	_, err := notify.New(notify.Options{Engine: h.engine, Config: h.cfg})
	if err == nil || !strings.Contains(err.Error(), `"acepted" is not a kind of status text`) {
		t.Fatalf("err = %v", err)
	}
}

func rowFor(t *testing.T, h *harness, template string) outboxRow {
	t.Helper()
	for _, row := range h.rows(t) {
		if row.Kind == string(core.OutboxClientSMS) && row.Template == template {
			return row
		}
	}
	t.Fatalf("no %s row", template)
	return outboxRow{}
}

func countLevel(t *testing.T, h *harness, level string) int {
	t.Helper()
	n := 0
	for _, row := range h.rows(t) {
		if row.Kind == string(core.OutboxAlert) && row.Level == level {
			n++
		}
	}
	return n
}
