package notify

import (
	"context"

	"github.com/onward-network/onward/core"
)

// directoryText sends a "text me this service" message: the details of a
// service to the number someone typed on the public directory. It goes
// at once (the person is waiting for it), never to a number that sent
// STOP, and at most once, like every client text.
func (w *Worker) directoryText(ctx context.Context, r core.OutboxClaim) (outcome, error) {
	if res, done, err := w.resumeSending(r); done {
		return res, err
	}
	if w.sms == nil {
		return skipped("Twilio not configured"), nil
	}
	phone, err := w.engine.DirectoryTextPhone(r.Payload, r.DedupeKey)
	if err != nil {
		return outcome{}, permanent("cannot read the number", err)
	}
	out, err := w.engine.OptedOut(ctx, phone)
	if err != nil {
		return outcome{}, err
	}
	if out {
		return skipped("number opted out of texts"), nil
	}
	return w.sendText(ctx, r, phone, "", r.Payload.Text)
}
