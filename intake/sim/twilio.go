package sim

import (
	"context"
	"crypto/subtle"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/onward-network/onward/intake/flow"
	"github.com/onward-network/onward/intake/sms"
)

// createMessage is the fake of Twilio's POST
// /2010-04-01/Accounts/{AccountSid}/Messages.json, where notify's
// twilio-go client sends when ONWARD_TWILIO_API_URL points at
// PublicURL + "/dev/twilio". It checks basic auth as Twilio does, keeps
// the text for the phone's thread, answers with Twilio's JSON, and later
// reports the message sent and delivered to its StatusCallback, signed,
// through the real status handler.
func (s *Simulator) createMessage(w http.ResponseWriter, r *http.Request) {
	user, pass, ok := r.BasicAuth()
	if !ok || !simEqual(user, s.cfg.AccountSID) || !simEqual(pass, s.cfg.AuthToken) || r.PathValue("account") != s.cfg.AccountSID {
		simTwilioError(w, http.StatusUnauthorized, 20003, "Authenticate")
		return
	}
	r.Body = http.MaxBytesReader(w, r.Body, sms.MaxBody)
	if err := r.ParseForm(); err != nil {
		simTwilioError(w, http.StatusBadRequest, 21601, "Could not parse the request")
		return
	}
	f := r.PostForm
	to, from, service, body, callback := f.Get("To"), f.Get("From"), f.Get("MessagingServiceSid"), f.Get("Body"), f.Get("StatusCallback")
	suffix, phone, ok := simPhone(strings.TrimPrefix(to, simDramaPrefix))
	if !ok || !strings.HasPrefix(to, simDramaPrefix) {
		simTwilioError(w, http.StatusBadRequest, 21211, "The 'To' number is not a valid phone number.")
		return
	}
	if from == "" && service == "" {
		simTwilioError(w, http.StatusBadRequest, 21603, "A 'From' or 'MessagingServiceSid' parameter is required to send a message")
		return
	}
	if body == "" {
		simTwilioError(w, http.StatusBadRequest, 21602, "Message body is required.")
		return
	}
	out, err := s.cfg.Engine.OptedOut(r.Context(), phone)
	if err != nil {
		simTwilioError(w, http.StatusInternalServerError, 20500, "Internal Server Error")
		return
	}
	if out {
		// What Twilio answers for a phone that texted STOP.
		simTwilioError(w, http.StatusBadRequest, 21610, "Attempt to send to unsubscribed recipient")
		return
	}
	sid, err := s.newSID()
	if err != nil {
		simTwilioError(w, http.StatusInternalServerError, 20500, "Internal Server Error")
		return
	}
	if err := s.record(r.Context(), suffix, simEntry{Dir: simOut, Body: body, SID: sid, Status: "queued"}); err != nil {
		simTwilioError(w, http.StatusInternalServerError, 20500, "Internal Server Error")
		return
	}
	now := s.cfg.Engine.Clock().Now().Format(time.RFC1123Z)
	segments, _ := flow.Segments(body)
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(http.StatusCreated)
	_ = json.NewEncoder(w).Encode(map[string]any{
		"account_sid": s.cfg.AccountSID, "api_version": "2010-04-01", "body": body,
		"date_created": now, "date_updated": now, "date_sent": nil, "direction": "outbound-api",
		"error_code": nil, "error_message": nil, "from": simNilIfEmpty(from), "messaging_service_sid": simNilIfEmpty(service),
		"num_media": "0", "num_segments": fmt.Sprint(segments), "price": nil, "price_unit": "GBP",
		"sid": sid, "status": "queued", "to": to,
		"subresource_uris": map[string]string{"media": fmt.Sprintf("/2010-04-01/Accounts/%s/Messages/%s/Media.json", s.cfg.AccountSID, sid)},
		"uri":              fmt.Sprintf("/2010-04-01/Accounts/%s/Messages/%s.json", s.cfg.AccountSID, sid),
	})
	if callback != "" {
		s.reportDelivery(callback, sid, to, from, service)
	}
}

// reportDelivery posts "sent" then "delivered" to the message's
// StatusCallback after CallbackDelay, as Twilio would. Only callbacks to
// our own public URL are followed.
func (s *Simulator) reportDelivery(callback, sid, to, from, service string) {
	base := strings.TrimRight(s.cfg.PublicURL, "/")
	if !strings.HasPrefix(callback, base+"/") {
		s.log.Warn("simulator: status callback outside the public URL ignored")
		return
	}
	u, err := url.Parse(callback)
	if err != nil {
		return
	}
	path := u.RequestURI()
	s.pending.Add(1)
	time.AfterFunc(s.cfg.CallbackDelay, func() {
		defer s.pending.Done()
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		for _, status := range []string{"sent", "delivered"} {
			form := url.Values{"SmsSid": {sid}, "SmsStatus": {status}, "MessageStatus": {status}, "To": {to},
				"MessageSid": {sid}, "AccountSid": {s.cfg.AccountSID}, "From": {from}, "ApiVersion": {"2010-04-01"}}
			if service != "" {
				form.Set("MessagingServiceSid", service)
			}
			rec := &simRecorder{header: http.Header{}}
			if err := s.deliver(ctx, path, form, rec, s.sms.Status); err != nil || rec.status >= 300 {
				s.log.Warn("simulator: status callback failed", "status", rec.status, "err", err)
				return
			}
		}
	})
}

// Close waits for the simulator's pending status callbacks.
func (s *Simulator) Close() { s.pending.Wait() }

func simEqual(a, b string) bool { return subtle.ConstantTimeCompare([]byte(a), []byte(b)) == 1 }

func simNilIfEmpty(s string) any {
	if s == "" {
		return nil
	}
	return s
}

// simTwilioError answers as Twilio's API does when it refuses a request.
func simTwilioError(w http.ResponseWriter, status, code int, message string) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(map[string]any{"code": code, "message": message,
		"more_info": fmt.Sprintf("https://www.twilio.com/docs/errors/%d", code), "status": status})
}
