package notify

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"time"

	"github.com/twilio/twilio-go/client"
	api "github.com/twilio/twilio-go/rest/api/v2010"

	"github.com/onward-network/onward/core"
)

// MessageEraser deletes messages Twilio holds: the seam the deletion of an
// erased client's messages goes through. TwilioSender is one.
type MessageEraser interface {
	// DeleteMessage deletes one message by its SID and reports whether
	// Twilio held it; one Twilio no longer holds (404) is deleted
	// already, and is no error.
	DeleteMessage(ctx context.Context, sid string) (held bool, err error)
}

// Twilio's answers to a DELETE of a message.
const (
	// twilioNotFound is Twilio's 20404: no such message (deleted already).
	twilioNotFound = 20404
	// twilioNotComplete is Twilio's 20009: the message is still in
	// progress (queued, sending, or just received) and cannot be deleted
	// yet; Twilio asks to wait a minute or more and try again.
	twilioNotComplete = 20009
)

// inProgressWindow is how long after a twilio.erase row was queued a
// message Twilio still calls in progress (20009) is asked for again,
// past the attempts every other row gets: Twilio says a message record
// can in rare cases take up to 14 days to be finalised and deletable.
const inProgressWindow = 14 * 24 * time.Hour

// DeleteMessage deletes one message through twilio-go's Message resource
// (DELETE /2010-04-01/Accounts/{AccountSid}/Messages/{Sid}.json, 204 on
// success: held). 404 means Twilio does not hold it: done, not held. A
// message still in progress (20009, or 409) is a Failure with InProgress
// set, retried later.
func (s *TwilioSender) DeleteMessage(ctx context.Context, sid string) (bool, error) {
	if err := ctx.Err(); err != nil {
		return false, err
	}
	err := s.rest.DeleteMessage(sid, &api.DeleteMessageParams{})
	if err == nil {
		return true, nil
	}
	var tre *client.TwilioRestError
	if errors.As(err, &tre) {
		switch {
		case tre.Status == http.StatusNotFound || tre.Code == twilioNotFound:
			return false, nil
		case tre.Code == twilioNotComplete || tre.Status == http.StatusConflict:
			return false, &Failure{Provider: "twilio", Status: tre.Status, Code: fmt.Sprint(tre.Code), InProgress: true,
				Reason: "Twilio is not finished with a message yet, so it cannot be deleted yet: tried again later"}
		}
	}
	if status, ok := unreadableStatus(err); ok && status == http.StatusNotFound {
		return false, nil
	}
	return false, twilioFailure(err)
}

// eraseAtProvider delivers a twilio.erase row: it deletes at Twilio every
// message Onward knows of the erased client, then, in the transaction
// that marks the row done, clears their SIDs from Onward's rows and
// records in the client's audit log how many Twilio deleted and how many
// it no longer held (core.Engine.ProviderErased). A failure leaves the
// row to be tried again whole: a message deleted already answers 404,
// which counts as done (and as no longer held).
func (w *Worker) eraseAtProvider(ctx context.Context, r core.OutboxClaim) (outcome, error) {
	ms, err := w.outbox.ErasedClientMessages(ctx, r)
	if err != nil {
		return outcome{}, err
	}
	if w.eraser == nil && len(ms.SIDs) > 0 {
		return outcome{}, permanent("Twilio is not configured here, so the erased client's messages could not be deleted there: "+
			"configure Twilio and retry the row (onward outbox retry)", nil)
	}
	if ms.Sending {
		return outcome{}, &Failure{InProgress: true,
			Reason: "a text to the client was still on its way to Twilio: its message is deleted once it is known"}
	}
	var done core.ProviderErasure
	for _, sid := range ms.SIDs {
		held, err := w.eraser.DeleteMessage(ctx, sid)
		if err != nil {
			return outcome{}, err
		}
		if held {
			done.Deleted++
		} else {
			done.Gone++
		}
	}
	out := sent("", core.DeliveryProviderErased(len(ms.SIDs)))
	out.inTx = w.engine.ProviderErased(r, ms.SIDs, done)
	return out, nil
}

// stillErasing reports whether a twilio.erase row that has used its
// attempts is tried again all the same: Twilio still calls a message in
// progress, within inProgressWindow of the erasure.
func stillErasing(f *Failure, r core.OutboxClaim, now time.Time) bool {
	return f.InProgress && r.Kind == core.OutboxProviderErase && now.Sub(r.CreatedAt) < inProgressWindow
}
