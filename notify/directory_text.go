package notify

import (
	"context"
	"errors"

	"github.com/onward-network/onward/core"
)

// directoryText sends a "text me this service" message: the details of a
// service to the number someone typed on the public directory. It goes
// at once (the person is waiting for it), never to a number that sent
// STOP, and at most once, like every client text.
func (w *Worker) directoryText(ctx context.Context, r core.OutboxClaim) (outcome, error) {
	if r.DeliveryStatus == core.DeliverySending && r.ProviderID != "" {
		// Twilio gave the message its id, so it took the text: the worker
		// that sent it could only not record that in time.
		return sent(r.ProviderID, core.DeliverySMS("accepted, recorded late")), nil
	}
	if r.DeliveryStatus == core.DeliverySending {
		return outcome{}, &Failure{Permanent: true, Reason: "interrupted during send: the text may or may not have arrived; check the provider's log before retrying"}
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
	if err := w.outbox.MarkSending(ctx, r); err != nil {
		return outcome{}, err
	}
	receipt, err := w.sms.SendSMS(ctx, r.ID, phone, r.Payload.Text)
	if err != nil {
		var f *Failure
		if errors.As(err, &f) && f.OptedOut {
			if err := w.engine.OptOut(ctx, phone, "carrier"); err != nil {
				return outcome{}, err
			}
			return skipped("phone unsubscribed at the carrier"), nil
		}
		return outcome{}, err
	}
	return w.sentSMS(receipt, "", r.Payload.Text), nil
}
