package sms

import (
	"context"
	"strings"

	"github.com/onward-network/onward/core"
)

// WhatsApp reaches the same webhook: Twilio posts a WhatsApp message to
// the sender's "a message comes in" URL exactly as it posts a text, with
// From and To written "whatsapp:+447700900123". The conversation, the
// keywords and the answers are the same; the address says which channel
// the TwiML reply (and, through core, every later status text) goes back
// on.

// WhatsAppPrefix starts a WhatsApp address in Twilio's messages.
const WhatsAppPrefix = "whatsapp:"

// splitAddress reads a Twilio address: "whatsapp:+44…" is WhatsApp, a
// bare number is SMS. Any other channel prefix (Messenger, RCS) is left
// on the number, which then does not parse as a phone and is not
// answered.
func splitAddress(addr string) (core.MessagingChannel, string) {
	if len(addr) > len(WhatsAppPrefix) && strings.EqualFold(addr[:len(WhatsAppPrefix)], WhatsAppPrefix) {
		return core.MessagingWhatsApp, addr[len(WhatsAppPrefix):]
	}
	return core.MessagingSMS, addr
}

// recordChannel notes which channel the phone wrote on, so later status
// texts go back the same way. Every WhatsApp message is recorded, as it
// opens the 24-hour window; a text by SMS only when it starts something
// (no conversation running), so a conversation by SMS costs Postgres
// nothing more per text. Failing to record loses nothing the client
// said: it is logged, and the conversation goes on.
func (s *SMS) recordChannel(ctx context.Context, t *smsTurn) {
	if t.msg.Channel != core.MessagingWhatsApp && t.state.open() {
		return
	}
	if err := s.engine.RecordInbound(ctx, t.phone, t.msg.Channel); err != nil {
		s.readFailed("record messaging channel ("+string(t.msg.Channel)+")", t.msg.SID, err)
	}
}

// evidence is the consent's evidence for the message that said YES: its
// MessageSid, marked "whatsapp:" when it came by WhatsApp, so the record
// says which channel the client agreed on.
func (m inboundSMS) evidence() string {
	if m.Channel == core.MessagingWhatsApp {
		return WhatsAppPrefix + m.SID
	}
	return m.SID
}

// twilioOutsideWindow is Twilio's error 63016: a free-form WhatsApp
// message sent after the client's 24-hour window closed.
const twilioOutsideWindow = "63016"

// outsideWindow handles a delivery callback that says WhatsApp refused a
// free-form message as outside the window: the phone's window is
// forgotten and the text queued again once, so the worker sends it as an
// approved template or holds it and alerts coordinators.
func (s *SMS) outsideWindow(ctx context.Context, sid string, phone core.Phone) error {
	if err := s.engine.CloseWhatsAppWindow(ctx, phone); err != nil {
		return err
	}
	again, err := s.engine.Outbox().ReopenOutsideWindow(ctx, sid)
	if err != nil {
		return err
	}
	s.log.Info("whatsapp message outside the window", "sid", sid, "queued_again", again)
	return nil
}
