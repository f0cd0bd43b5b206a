package core

import (
	"context"
	"fmt"
	"time"
)

// OutboxDirectoryText is a "text me this service" message: one text with
// a service's name, phone, address and hours, to a number someone typed
// on the public directory.
const OutboxDirectoryText OutboxKind = "sms.directory"

// TextService queues the text of a service's details to phone, through
// the outbox like every other message. key makes a repeated press of the
// same button one message. The number is kept encrypted and only until
// the text is sent.
func (e *Engine) TextService(ctx context.Context, phone Phone, text, key string) error {
	dedupe := "directory-text:" + key
	enc, err := e.crypt.Seal("outbox", "payload.phone", dedupe, string(phone))
	if err != nil {
		return fmt.Errorf("text service: %w", err)
	}
	now := e.clock.Now()
	if err := e.outbox.Enqueue(ctx, OutboxDirectoryText, 0, OutboxPayload{Text: text, PhoneEnc: enc}, dedupe, now); err != nil {
		return fmt.Errorf("text service: %w", err)
	}
	return nil
}

// DirectoryTextPhone is the number a directory text goes to: p is the
// outbox row's payload and dedupe its dedupe key, which the number is
// sealed to, so a number moved to another row does not open.
func (e *Engine) DirectoryTextPhone(p OutboxPayload, dedupe string) (Phone, error) {
	s, err := e.crypt.Open("outbox", "payload.phone", dedupe, "directory.phone", p.PhoneEnc)
	if err != nil {
		return "", fmt.Errorf("directory text phone: %w", err)
	}
	return Phone(s), nil
}

// DirectoryTextKey names one press of "text me this service": the same
// number, service and minute send one text however often it is pressed.
func (e *Engine) DirectoryTextKey(phone Phone, service string) string {
	h := e.crypt.PhoneHash(phone)
	return fmt.Sprintf("%x:%s:%s", h[:8], service, e.clock.Now().Truncate(time.Minute).Format("200601021504"))
}
