package notify

import (
	"context"
	"errors"
	"net/http"
	"time"

	"github.com/onward-network/onward/core"
)

// The rule for a text found "sending" with no provider id: its worker
// died or lost its lease between marking it and recording Twilio's SID,
// so Twilio may or may not have it. Twilio is the source of truth, and
// is asked before the text is called interrupted. It is one rule for
// every kind of text (client texts, phone codes, directory texts): the
// kinds render their text as they always do and hand it to sendText.

// clockSkew is how far Twilio's clock and ours may disagree: a message
// Twilio dated this much before the row's "sending" mark may still be
// the row's.
const clockSkew = 30 * time.Second

// settleMargin is added to the API call's timeout for how long after a
// "sending" mark the send it was made for can still be on its way to
// Twilio, or not yet in its list of messages. Until then no answer from
// Twilio rules it out.
const settleMargin = 5 * time.Second

// foundAtTwilio is the delivery note of a text whose interrupted send
// Twilio turned out to have taken.
const foundAtTwilio = "accepted, found at Twilio after an interruption"

// resumeSending decides, before a text is rendered, what becomes of a row
// found "sending": sent, when its id was recorded after all (by the
// worker after its lease, or by Twilio's status callback); dead-lettered
// as interrupted when there is no Twilio to ask (no sender, or one that
// cannot list messages). done false: go on and render the text, which
// sendText checks with Twilio before sending anything.
func (w *Worker) resumeSending(r core.OutboxClaim) (res outcome, done bool, err error) {
	if r.DeliveryStatus != core.DeliverySending {
		return outcome{}, false, nil
	}
	if r.ProviderID != "" {
		// Twilio gave the message its id, so it took the text: the worker
		// that sent it could only not record that in time.
		return sent(r.ProviderID, core.DeliverySMS("accepted, recorded late")), true, nil
	}
	if w.messages == nil {
		return outcome{}, true, interrupted("Twilio's message log cannot be asked here", true)
	}
	return outcome{}, false, nil
}

// interrupted is the failure of a text whose send was interrupted and
// that Twilio could not confirm either way: kept "sending" and asked
// again with the usual backoff while attempts remain (final: at once),
// then dead-lettered. Its words contain core's mark of an interrupted
// text, so a late status callback can still correct the dead letter.
func interrupted(why string, final bool) *Failure {
	return &Failure{Interrupted: true, Permanent: final,
		Reason: "interrupted during send: the text may or may not have reached its recipient, and Twilio could not confirm it (" + why + "); check Twilio's log before retrying"}
}

// sendText sends body to phone for row r, at most once. A row found
// "sending" is first checked with Twilio (checkInterrupted); otherwise,
// or when Twilio has no trace of it, the row is marked "sending" and the
// text sent. A phone that unsubscribed at the carrier (Twilio 21610) is
// recorded as opted out and the text skipped.
func (w *Worker) sendText(ctx context.Context, r core.OutboxClaim, phone core.Phone, language, body string) (outcome, error) {
	if r.DeliveryStatus == core.DeliverySending {
		res, done, err := w.checkInterrupted(ctx, r, phone, language, body)
		if done || err != nil {
			return res, err
		}
	}
	// A lost lease (core.ErrLeaseLost) means nothing must be sent.
	if err := w.outbox.MarkSending(ctx, r); err != nil {
		return outcome{}, err
	}
	receipt, err := w.sms.SendSMS(ctx, r.ID, phone, body)
	if err != nil {
		var f *Failure
		if errors.As(err, &f) && f.OptedOut {
			return w.optedOutAtCarrier(ctx, phone)
		}
		if f := asFailure(err); mayHaveTaken(f) {
			// Twilio may have the text: the row keeps its "sending" mark,
			// so its next attempt asks Twilio first (checkInterrupted)
			// and never sends it blind.
			return outcome{}, interrupted("the call to send it "+f.Error(), false)
		}
		return outcome{}, err
	}
	return w.sentSMS(receipt, language, body), nil
}

// mayHaveTaken reports whether a failed call to send a text may yet have
// reached Twilio and been taken: no answer at all (a timeout, a
// connection cut after the request went), or a gateway's answer that
// Twilio's own did not come in time (502, 504). Any answer from Twilio
// itself says the message was not created.
func mayHaveTaken(f *Failure) bool {
	if f.Provider != "twilio" || f.Permanent {
		return false
	}
	return f.Status == 0 || f.Status == http.StatusBadGateway || f.Status == http.StatusGatewayTimeout
}

// optedOutAtCarrier records the opt-out of a phone the carrier says has
// unsubscribed (Twilio 21610), tells the SMS webhook (CarrierOptOut), and
// skips the text.
func (w *Worker) optedOutAtCarrier(ctx context.Context, phone core.Phone) (outcome, error) {
	if err := w.engine.OptOut(ctx, phone, "carrier"); err != nil {
		return outcome{}, err
	}
	if w.carrierOptOut != nil {
		w.carrierOptOut(ctx, phone)
	}
	return skipped("phone unsubscribed at the carrier"), nil
}

// checkInterrupted asks Twilio for the messages it created for phone
// since the row was marked "sending" (less clockSkew). One with the
// text's body is the row's: it is marked sent with that SID, never sent
// again. None at all (counting only messages no other row records as
// its own), once the interrupted call can no longer be on its way, means
// Twilio never took it: done is false and the text is sent as
// usual; too soon after the mark to tell, the row waits until it is not.
// Anything else — a message to the number with other words, or Twilio
// not answering — is an interrupted failure, retried while attempts
// remain.
func (w *Worker) checkInterrupted(ctx context.Context, r core.OutboxClaim, phone core.Phone, language, body string) (outcome, bool, error) {
	if w.messages == nil {
		return outcome{}, true, interrupted("Twilio's message log cannot be asked here", true)
	}
	mark := r.CreatedAt
	if r.SendingAt != nil {
		mark = *r.SendingAt
	}
	since := mark.Add(-clockSkew)
	ms, err := w.messages.SentTo(ctx, phone, since)
	if err != nil {
		f := asFailure(err)
		return outcome{}, true, interrupted("asking it failed: "+f.Error(), f.Permanent)
	}
	others := 0
	for _, m := range ms {
		if m.Body == body {
			return w.sentSMS(SMSReceipt{SID: m.SID, Status: foundAtTwilio}, language, body), true, nil
		}
		// A message whose SID another row records is that row's text.
		known, err := w.outbox.ProviderIDKnown(ctx, m.SID)
		if err != nil {
			return outcome{}, true, err
		}
		if !known {
			others++
		}
	}
	if others > 0 {
		return outcome{}, true, interrupted("it holds a message to the number since then with other words", false)
	}
	if settled := mark.Add(w.messages.SendTimeout() + settleMargin); w.now().Before(settled) {
		// Too soon to rule it out: asked again then, the attempt not
		// counted (the row keeps its "sending" mark).
		return deferred(settled, "an interrupted send, to check with Twilio"), true, nil
	}
	return outcome{}, false, nil
}
