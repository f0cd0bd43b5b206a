package sms

import (
	"context"
	"encoding/hex"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/onward-network/onward/core"
)

// twilioUnsubscribed is Twilio's error 21610: the recipient texted STOP
// (to the carrier or Twilio's opt-out handling) and may not be texted.
const twilioUnsubscribed = "21610"

// Status is POST /twilio/status, Twilio's delivery callback for the texts
// notify sent. It records MessageStatus and ErrorCode on the outbox row
// whose provider id is the MessageSid, and an opt-out when Twilio says the
// phone unsubscribed (21610), so no other text is tried. When no row
// carries the MessageSid, the URL's row parameter (notify.StatusRowParam,
// signed by Twilio with the rest of the URL) names the row the text was
// sent for: core.Engine.RecordCallbackForRow records it there, so a text
// whose worker died before recording the id is not called interrupted.
func (s *SMS) Status(w http.ResponseWriter, r *http.Request) {
	if !refuseOtherTypes(w, r) {
		return
	}
	r.Body = http.MaxBytesReader(w, r.Body, MaxBody)
	form, err := readTwilioForm(r.Body)
	if err != nil {
		http.Error(w, "bad request", http.StatusBadRequest)
		return
	}
	if !s.verified(r, form) {
		s.log.Warn("twilio signature refused", "path", r.URL.Path,
			"has_signature", r.Header.Get(SignatureHeader) != "")
		http.Error(w, "forbidden", http.StatusForbidden)
		return
	}
	params := form.fields
	sid := params["MessageSid"]
	if sid == "" {
		sid = params["SmsSid"]
	}
	status := strings.ToLower(strings.TrimSpace(params["MessageStatus"]))
	if status == "" {
		status = strings.ToLower(strings.TrimSpace(params["SmsStatus"]))
	}
	code := strings.TrimSpace(params["ErrorCode"])
	switch {
	case !smsSIDRe.MatchString(sid):
		http.Error(w, "bad request: MessageSid is missing or is not a Twilio message id", http.StatusBadRequest)
		return
	case !core.DeliveryStatus(status).ProviderStatus():
		// A status Twilio does not send (or none) would overwrite what
		// is stored with nothing Onward can read.
		http.Error(w, "bad request: MessageStatus is missing or is not one of Twilio's message statuses", http.StatusBadRequest)
		return
	case len(code) > 10:
		http.Error(w, "bad request: ErrorCode is longer than Twilio's error codes", http.StatusBadRequest)
		return
	}
	if err := s.recordDelivery(r.Context(), statusRow(r), sid, status, code, params["To"]); err != nil {
		s.log.Error("record sms delivery status", "sid", sid, "err", err)
		// 500 makes Twilio retry the callback later.
		http.Error(w, "try again", http.StatusInternalServerError)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

// unknownSIDWait bounds how long a callback for a message id not yet on
// any outbox row waits for it: Twilio can report "queued" or "sent" in the
// moment between answering notify's send and notify recording the id.
const (
	unknownSIDWait = 2 * time.Second
	unknownSIDPoll = 50 * time.Millisecond
)

// statusRowParam is notify.StatusRowParam (intake does not import notify).
const statusRowParam = "row"

// statusRow is the outbox row the callback's URL names, 0 for none (texts
// sent before the URL carried it) or for a value that is not a row id.
func statusRow(r *http.Request) core.OutboxID {
	id, err := strconv.ParseInt(r.URL.Query().Get(statusRowParam), 10, 64)
	if err != nil || id <= 0 {
		return 0
	}
	return core.OutboxID(id)
}

func (s *SMS) recordDelivery(ctx context.Context, row core.OutboxID, sid, status, code, to string) error {
	wait := unknownSIDWait
	if s.unknownWait > 0 {
		wait = s.unknownWait
	}
	unknownWait, stop := context.WithTimeout(ctx, wait)
	defer stop()
	var n int64
	for retried := false; ; {
		// A final status already stored is never replaced by an earlier one:
		// Twilio's callbacks can arrive out of order.
		var err error
		if n, err = s.engine.Outbox().RecordDelivery(ctx, sid, core.DeliveryStatus(status), code); err != nil {
			return err
		}
		if n > 0 {
			break
		}
		known, err := s.engine.Outbox().ProviderIDKnown(ctx, sid)
		if err != nil {
			return err
		}
		if known && !retried {
			// The id was recorded between the update and the look-up:
			// the update finds its row now. Known a second time, a later
			// status is already stored and this one changes nothing.
			retried = true
			continue
		}
		if known {
			break
		}
		if !s.awaitUnknownSID(unknownWait) {
			if row != 0 {
				if err := s.recordForRow(ctx, row, sid, status, code); err != nil {
					return err
				}
			}
			break
		}
	}
	s.log.Info("sms delivery status", "sid", sid, "status", status, "error_code", code, "rows", n)
	if code != twilioUnsubscribed && code != twilioOutsideWindow {
		return nil
	}
	channel, number := splitAddress(to)
	phone, err := core.ParsePhone(number)
	if err != nil {
		// Nothing to opt out; a retry would not change that.
		s.log.Warn(code+" for a recipient that is not a phone number", "sid", sid)
		return nil
	}
	if code == twilioOutsideWindow {
		if channel != core.MessagingWhatsApp {
			return nil
		}
		return s.outsideWindow(ctx, sid, phone)
	}
	if err := s.engine.OptOut(ctx, phone, "carrier"); err != nil {
		return err
	}
	s.forgetOptOut(ctx, hex.EncodeToString(s.engine.Crypter().PhoneHash(phone)))
	s.log.Info("sms opt-out recorded from carrier", "sid", sid)
	return nil
}

// recordForRow records a callback whose message id no row carries on the
// row its URL names, if that row is a text still waiting for the id.
func (s *SMS) recordForRow(ctx context.Context, row core.OutboxID, sid, status, code string) error {
	known, err := s.engine.Outbox().ProviderIDKnown(ctx, sid)
	if err != nil || known {
		return err
	}
	res, err := s.engine.RecordCallbackForRow(ctx, row, sid, core.DeliveryStatus(status), code)
	if err != nil {
		return err
	}
	s.log.Info("sms delivery status for a row without its id", "sid", sid, "row", row, "result", res)
	return nil
}

// awaitUnknownSID waits one poll interval and reports true when the wait
// for an unknown message id (a context with unknownSIDWait's timeout,
// ending with the request) is not over, so the caller tries again.
func (s *SMS) awaitUnknownSID(wait context.Context) bool {
	select {
	case <-wait.Done():
		return false
	case <-time.After(unknownSIDPoll):
		return true
	}
}
