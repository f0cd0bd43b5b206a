package notify

import (
	"context"
	"errors"

	"github.com/onward-network/onward/core"
)

// phoneCode texts a one-time code asked for on the web form. It goes at
// once (quiet hours do not apply: the person is waiting for it) and never
// to a number that opted out of texts.
func (w *Worker) phoneCode(ctx context.Context, r core.OutboxClaim) (outcome, error) {
	if res, done, err := w.resumeSending(r); done {
		return res, err
	}
	if w.sms == nil {
		return skipped("Twilio not configured"), nil
	}
	phone, code, err := w.engine.PhoneCodeText(ctx, r.Payload.PhoneCodeID)
	if errors.Is(err, core.ErrNotFound) {
		return outcome{}, permanent("phone code is gone", err)
	}
	if err != nil {
		return outcome{}, err
	}
	if code == "" {
		return skipped("code already used"), nil
	}
	out, err := w.engine.OptedOut(ctx, phone)
	if err != nil {
		return outcome{}, err
	}
	if out {
		return skipped("phone opted out of texts"), nil
	}
	cal, err := w.engine.Calendar(ctx)
	if err != nil {
		return outcome{}, err
	}
	// In the language of the page the code was asked for on (English for
	// a row queued before rows said).
	language := w.cat.Code(r.Payload.Language)
	body, err := w.cat.RenderText(language, "phone_code", map[string]any{"Code": code, "NetworkName": cal.Name})
	if err != nil {
		return outcome{}, permanent("render phone code text", err)
	}
	return w.sendText(ctx, r, phone, language, body)
}
