package sms

import (
	"context"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/onward-network/onward/core"
	"github.com/onward-network/onward/core/coretest"
)

// smsTestWhatsApp is the network's WhatsApp sender.
const smsTestWhatsApp = "whatsapp:+447700900001"

// whatsAppForm is the form Twilio posts for an inbound WhatsApp message,
// field for field: From and To carry "whatsapp:", and WhatsApp adds the
// sender's profile name and WhatsApp id.
func whatsAppForm(sid, from, body string) []twilioField {
	waID := strings.TrimPrefix(strings.TrimPrefix(from, "whatsapp:"), "+")
	return []twilioField{
		{"SmsMessageSid", sid}, {"NumMedia", "0"}, {"ProfileName", "Ailsa Fictional"}, {"MessageType", "text"},
		{"SmsSid", sid}, {"WaId", waID}, {"SmsStatus", "received"}, {"Body", body}, {"To", smsTestWhatsApp},
		{"NumSegments", "1"}, {"ReferralNumMedia", "0"}, {"MessageSid", sid}, {"AccountSid", smsTestAccount},
		{"From", from}, {"ApiVersion", "2010-04-01"},
	}
}

func (h *smsHarness) whatsApp(from, body string) ([]string, string) {
	h.t.Helper()
	sid := h.nextSID()
	return h.twiml(h.post(whatsAppForm(sid, from, body), postOpt{})), sid
}

// messaging reads the phone's messaging_channels row.
func (h *smsHarness) messaging(phone string) core.Messaging {
	h.t.Helper()
	m, err := h.env.Engine.MessagingOf(context.Background(), core.Phone(phone))
	if err != nil {
		h.t.Fatal(err)
	}
	return m
}

// TestWhatsAppConversation: the whole self-referral by WhatsApp through
// the same webhook gets the same replies as by SMS, records the referral
// with the consent's evidence marked as WhatsApp, and records the phone's
// channel and window for the status texts that follow.
func TestWhatsAppConversation(t *testing.T) {
	t.Parallel()
	script := []string{"Hi", "1 3", "KY1 1AB", "no", "No", "Ailsa Fictional", "1", "morning", "yes", "thanks"}
	bySMS := newSMSHarness(t)
	byWA := newSMSHarness(t)
	var yes string
	for i, body := range script {
		want := bySMS.text(smsTestPhone, body)
		got, sid := byWA.whatsApp("whatsapp:"+smsTestPhone, body)
		if !slices.Equal(got, want) {
			t.Fatalf("text %d %q: WhatsApp replies\n%q\nSMS replies\n%q", i+1, body, got, want)
		}
		if body == "yes" {
			yes = sid
		}
	}
	var evidence, source, channel string
	if err := byWA.env.Pool.QueryRow(context.Background(), `SELECT c.evidence, r.source, c.channel
		FROM referrals r JOIN consents c ON c.id = r.consent_id`).Scan(&evidence, &source, &channel); err != nil {
		t.Fatal(err)
	}
	if evidence != "whatsapp:"+yes || source != "sms" || channel != "sms" {
		t.Errorf("consent evidence %q source %q channel %q; want whatsapp:%s, text channel", evidence, source, channel, yes)
	}
	m := byWA.messaging(smsTestPhone)
	if m.Channel != core.MessagingWhatsApp || m.WhatsAppInboundAt == nil || !m.WhatsAppInboundAt.Equal(coretest.Epoch) ||
		!m.WindowOpen(coretest.Epoch.Add(23*time.Hour)) || m.WindowOpen(coretest.Epoch.Add(24*time.Hour)) {
		t.Errorf("messaging after a WhatsApp conversation: %+v", m)
	}
	if m := bySMS.messaging(smsTestPhone); m.Channel != core.MessagingSMS || m.WhatsAppInboundAt != nil {
		t.Errorf("messaging after an SMS conversation: %+v", m)
	}
	if n := byWA.count("messaging_channels"); n != 1 {
		t.Errorf("%d messaging_channels rows, want 1", n)
	}
	// The same phone then writes by SMS: its texts go back by SMS.
	byWA.text(smsTestPhone, "hello")
	if m := byWA.messaging(smsTestPhone); m.Channel != core.MessagingSMS || m.WhatsAppInboundAt == nil {
		t.Errorf("after an SMS: %+v", m)
	}
}

// TestWhatsAppKeywordsAndAddresses is a table of WhatsApp messages as
// Twilio posts them, one line a case, with what each must do.
func TestWhatsAppKeywordsAndAddresses(t *testing.T) {
	t.Parallel()
	h := newSMSHarness(t)
	const wa = "whatsapp:" + smsTestPhone
	for i, c := range []struct {
		from, body string
		reply      string // a word the reply must hold; "" for no reply
		optedOut   bool
	}{
		{wa, "Hi", "Hello from", false},
		{wa, "HELP", "call", false},
		{wa, "STOP", "Reply START", true},
		{wa, "hello?", "", true},   // opted out: no answer
		{wa, "HELP", "call", true}, // HELP is answered even so
		{wa, "START", "", false},
		{"WhatsApp:" + smsTestPhone, "RESTART", "Hello from", false},
		{"messenger:1234567890", "Hi", "", false}, // not a phone: nobody to refer
	} {
		got, _ := h.whatsApp(c.from, c.body)
		joined := strings.Join(got, "\n")
		if c.reply == "" && c.body != "START" && len(got) != 0 {
			t.Errorf("case %d %s %q: want no reply, got %q", i+1, c.from, c.body, joined)
		}
		if c.reply != "" && !strings.Contains(strings.ToLower(joined), strings.ToLower(c.reply)) {
			t.Errorf("case %d %s %q: reply %q does not hold %q", i+1, c.from, c.body, joined, c.reply)
		}
		if h.optedOut(smsTestPhone) != c.optedOut {
			t.Errorf("case %d %s %q: opted out %v, want %v", i+1, c.from, c.body, !c.optedOut, c.optedOut)
		}
	}
}

// TestWhatsAppStatusCallbacks: WhatsApp's delivery callbacks (To written
// "whatsapp:", "read" after "delivered") are recorded like SMS ones; a
// free-form message WhatsApp refused as outside the window (63016)
// closes the window and queues the text again, once.
func TestWhatsAppStatusCallbacks(t *testing.T) {
	t.Parallel()
	h := newSMSHarness(t)
	const wa = "whatsapp:" + smsTestPhone
	callback := func(sid, status, code string) {
		t.Helper()
		f := append(statusForm(sid, status, code, wa), twilioField{"ChannelPrefix", "whatsapp"},
			twilioField{"ChannelToAddress", smsTestPhone})
		if rec := h.post(f, postOpt{path: "/twilio/status"}); rec.Code != http.StatusNoContent {
			t.Fatalf("%s %s: status %d", sid, status, rec.Code)
		}
	}
	read := h.nextSID()
	h.sentSMS("wa-read", read)
	for _, st := range []string{"sent", "delivered", "read"} {
		callback(read, st, "")
	}
	if s, c := h.delivery(read); s != "read" || c != "" {
		t.Errorf("after read: %q %q", s, c)
	}

	h.whatsApp(wa, "Hi")
	if !h.messaging(smsTestPhone).WindowOpen(coretest.Epoch) {
		t.Fatal("window not open after a WhatsApp message")
	}
	refused := h.nextSID()
	h.sentSMS("wa-refused", refused)
	callback(refused, "failed", "63016")
	if h.messaging(smsTestPhone).WindowOpen(coretest.Epoch) {
		t.Error("63016 left the window open")
	}
	ctx := context.Background()
	o := h.env.Engine.Outbox()
	claimed, err := o.Claim(ctx, h.env.Clock.Now(), time.Minute, 10)
	if err != nil {
		t.Fatal(err)
	}
	if len(claimed) != 1 || claimed[0].DedupeKey != "wa-refused" || claimed[0].DeliveryStatus != core.DeliveryWaiting("outside the WhatsApp window") {
		t.Fatalf("refused row not queued again: claimed %+v", claimed)
	}
	// Sent again, and refused again: this time it stays failed.
	second := h.nextSID()
	if err := o.MarkSent(ctx, claimed[0], h.env.Clock.Now(), second, core.DeliveryPending, nil); err != nil {
		t.Fatal(err)
	}
	callback(second, "failed", "63016")
	if s, c := h.delivery(second); s != "failed" || c != "63016" {
		t.Errorf("second refusal recorded as %q %q", s, c)
	}
	if again, err := o.Claim(ctx, h.env.Clock.Now(), time.Minute, 10); err != nil || len(again) != 0 {
		t.Errorf("a row refused twice was queued again: %+v %v", again, err)
	}
	if h.optedOut(smsTestPhone) {
		t.Error("a WhatsApp callback opted the phone out")
	}
}
