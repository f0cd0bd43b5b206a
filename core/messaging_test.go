package core_test

import (
	"context"
	"testing"
	"time"

	"github.com/onward-network/onward/core"
	"github.com/onward-network/onward/core/coretest"
)

// The channel and the 24-hour window are kept per phone hash: a phone
// never seen is SMS with no window; a WhatsApp message opens the window
// (never moved back by an older clock reading); an SMS moves the channel
// back but keeps when they last wrote by WhatsApp; 63016 closes it.
func TestMessagingChannelAndWindow(t *testing.T) {
	t.Parallel()
	env := coretest.NewEnv(t)
	ctx := context.Background()
	e := env.Engine
	const phone = core.Phone("+447700900321")
	get := func() core.Messaging {
		t.Helper()
		m, err := e.MessagingOf(ctx, phone)
		if err != nil {
			t.Fatal(err)
		}
		return m
	}
	record := func(ch core.MessagingChannel) {
		t.Helper()
		if err := e.RecordInbound(ctx, phone, ch); err != nil {
			t.Fatal(err)
		}
	}
	if m := get(); m.Channel != core.MessagingSMS || m.WhatsAppInboundAt != nil || m.WindowOpen(env.Clock.Now()) {
		t.Fatalf("unknown phone: %+v", m)
	}
	record(core.MessagingSMS)
	var rows int
	if err := env.Pool.QueryRow(ctx, `SELECT count(*) FROM messaging_channels`).Scan(&rows); err != nil || rows != 0 {
		t.Fatalf("an SMS-only phone wrote %d rows (%v)", rows, err)
	}
	record(core.MessagingWhatsApp)
	opened := env.Clock.Now()
	if m := get(); m.Channel != core.MessagingWhatsApp || !m.WindowOpen(opened.Add(core.WhatsAppWindow-time.Second)) ||
		m.WindowOpen(opened.Add(core.WhatsAppWindow)) {
		t.Fatalf("after WhatsApp: %+v", m)
	}
	env.Clock.Set(opened.Add(-time.Hour))
	record(core.MessagingWhatsApp)
	if m := get(); !m.WhatsAppInboundAt.Equal(opened) {
		t.Errorf("an older reading moved the window back to %v", m.WhatsAppInboundAt)
	}
	env.Clock.Set(opened.Add(time.Hour))
	record(core.MessagingSMS)
	if m := get(); m.Channel != core.MessagingSMS || !m.WhatsAppInboundAt.Equal(opened) {
		t.Errorf("after SMS: %+v", m)
	}
	if err := e.CloseWhatsAppWindow(ctx, phone); err != nil {
		t.Fatal(err)
	}
	if m := get(); m.WhatsAppInboundAt != nil {
		t.Errorf("after 63016 the window is still %v", m.WhatsAppInboundAt)
	}
	if err := e.RecordInbound(ctx, phone, "fax"); err == nil {
		t.Error("an unknown channel was recorded")
	}
	var stored []byte
	if err := env.Pool.QueryRow(ctx, `SELECT phone_hash FROM messaging_channels`).Scan(&stored); err != nil ||
		string(stored) != string(env.Crypt.PhoneHash(phone)) {
		t.Errorf("the row is not keyed by the phone's hash: %v", err)
	}
}

// A held text waits, alerts coordinators once however often it is held,
// and is released only when its own client writes by WhatsApp.
func TestOutboxHoldAndRelease(t *testing.T) {
	t.Parallel()
	env := coretest.NewEnv(t)
	ctx := context.Background()
	e, o := env.Engine, env.Engine.Outbox()
	coretest.MarkOutboxSent(t, env.Pool)
	phones := []core.Phone{"+447700900401", "+447700900402"}
	for i, p := range phones {
		in := coretest.SelfReferral("hold" + string(rune('a'+i)))
		in.Client.Phone = string(p)
		in.ConfirmBySMS = true
		if _, err := e.SelfRefer(ctx, in); err != nil {
			t.Fatal(err)
		}
	}
	now := env.Clock.Now()
	// texts claims what is due, marking everything but client texts sent
	// (cards go first: a referral's rows leave in order), and returns the
	// client texts.
	texts := func() []core.OutboxClaim {
		t.Helper()
		var out []core.OutboxClaim
		for round := 0; round < 5; round++ {
			cs, err := o.Claim(ctx, env.Clock.Now(), time.Minute, 100)
			if err != nil {
				t.Fatal(err)
			}
			others := 0
			for _, c := range cs {
				if c.Kind == core.OutboxClientSMS {
					out = append(out, c)
					continue
				}
				others++
				if err := o.MarkSent(ctx, c, env.Clock.Now(), "", core.DeliverySkipped("not this test's"), nil); err != nil {
					t.Fatal(err)
				}
			}
			if others == 0 {
				break
			}
		}
		return out
	}
	held := texts()
	if len(held) != 2 {
		t.Fatalf("want both confirmations, got %+v", held)
	}
	for _, c := range held {
		if err := o.Hold(ctx, c, now.Add(time.Hour), "no approved WhatsApp template for confirmation", "held alert"); err != nil {
			t.Fatal(err)
		}
	}
	alerts := func() int {
		t.Helper()
		var n int
		if err := env.Pool.QueryRow(ctx, `SELECT count(*) FROM outbox WHERE kind = $1 AND payload->>'level' = 'held'`, core.OutboxAlert).Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}
	if n := alerts(); n != 2 {
		t.Fatalf("%d alerts, want one per held row", n)
	}
	for _, c := range held {
		en := entry(t, o, c.ID)
		if !en.DeliveryStatus.Held() || en.Attempts != 0 || en.SentAt != nil || !en.AvailableAt.Equal(now.Add(time.Hour)) {
			t.Fatalf("not held: %+v", en)
		}
	}
	if again := texts(); len(again) != 0 {
		t.Fatalf("held rows claimed before their time: %+v", again)
	}
	// Held again an hour later: still one alert each.
	env.Clock.Advance(time.Hour)
	again := texts()
	if len(again) != 2 {
		t.Fatalf("held rows not looked at again: %+v", again)
	}
	for _, c := range again {
		if err := o.Hold(ctx, c, env.Clock.Now().Add(time.Hour), "no approved WhatsApp template for confirmation", "held alert"); err != nil {
			t.Fatal(err)
		}
	}
	if n := alerts(); n != 2 {
		t.Errorf("%d alerts after holding again, want 2", n)
	}
	// The first client writes by SMS: nothing is released; by WhatsApp:
	// only their text is.
	if err := e.RecordInbound(ctx, phones[0], core.MessagingSMS); err != nil {
		t.Fatal(err)
	}
	if got := texts(); len(got) != 0 {
		t.Fatalf("an SMS released held texts: %+v", got)
	}
	if err := e.RecordInbound(ctx, phones[0], core.MessagingWhatsApp); err != nil {
		t.Fatal(err)
	}
	got := texts()
	first, err := e.ClientByPhone(ctx, phones[0])
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 1 {
		t.Fatalf("want one released text, got %+v", got)
	}
	ref, err := e.Referral(ctx, got[0].Referral())
	if err != nil || ref.ClientID != first {
		t.Errorf("released the other client's text (%v)", err)
	}
}
