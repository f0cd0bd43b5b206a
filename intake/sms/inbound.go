package sms

import (
	"context"
	"encoding/hex"
	"errors"
	"net/http"
	"time"

	"github.com/onward-network/onward/core"
	"github.com/onward-network/onward/intake/flow"
)

// Inbound is POST /twilio/sms, Twilio's "a message comes in" webhook. In
// order: the body size limit and Twilio's signature (a request without it
// counts against its source IP's limit, then gets 403, nothing done), the
// MessageSid (Twilio retries: a text seen before gets its first reply
// again and is neither counted nor handled twice), the per-phone limit,
// the phone's lock, then the text itself; all but the signature in one
// Redis call (claimScript). Signed requests are not limited per IP: they
// come from Twilio's shared addresses, on behalf of every client at once,
// and the per-phone limit is what holds back a client texting too much.
// The answer is always 200 with TwiML, even when something fails: an
// apology naming the helpline is more use to a client than Twilio's error
// log.
func (s *SMS) Inbound(w http.ResponseWriter, r *http.Request) {
	defer func() {
		if v := recover(); v != nil {
			if v == http.ErrAbortHandler {
				panic(v)
			}
			// The panic value may hold a client's words: not logged.
			s.log.Error("sms webhook panicked")
			writeTwiML(w, s.apology(context.WithoutCancel(r.Context()), s.flow.Messages.Unavailable))
		}
	}()
	// A signed text is handled to its end or its deadline, whether or not
	// Twilio is still waiting (as its save is): one left half-done would
	// leave its MessageSid pending until the lock expires.
	ctx, cancel := context.WithTimeout(context.WithoutCancel(r.Context()), webhookDeadline)
	defer cancel()
	if !refuseOtherTypes(w, r) {
		return
	}
	r.Body = http.MaxBytesReader(w, r.Body, MaxBody)
	form, readErr := readTwilioForm(r.Body)
	if readErr == nil && s.verified(r, form) {
		msg, err := parseInboundSMS(form.fields)
		if err != nil {
			s.log.Warn("twilio webhook without a message sid", "path", r.URL.Path)
			http.Error(w, "bad request", http.StatusBadRequest)
			return
		}
		writeTwiML(w, s.handleText(ctx, msg))
		return
	}
	// Unsigned, unreadable or too big: a flood of these from one address
	// soon costs a Redis call each and nothing more. It is refused as
	// what it is (429), not answered 200: after an auth token changed,
	// Twilio's own requests fail the signature, and its debugger must
	// show them failing rather than delivered.
	if !s.ipAllowed(ctx, s.ipRateKey(r)) {
		w.Header().Set("Retry-After", "60")
		http.Error(w, "too many requests", http.StatusTooManyRequests)
		return
	}
	if readErr != nil {
		var tooBig *http.MaxBytesError
		if errors.As(readErr, &tooBig) {
			http.Error(w, "request too large", http.StatusRequestEntityTooLarge)
			return
		}
		s.log.Warn("unreadable twilio webhook", "path", r.URL.Path)
		http.Error(w, "bad request", http.StatusBadRequest)
		return
	}
	// Logged without the body or the sender: it may be a real text sent
	// to a misconfigured URL.
	s.log.Warn("twilio signature refused", "path", r.URL.Path,
		"has_signature", r.Header.Get(SignatureHeader) != "")
	http.Error(w, "forbidden", http.StatusForbidden)
}

// webhookDeadline is how long one text may take, Redis, Postgres and
// waiting for the phone's lock included: inside Twilio's 15 s, after which
// it gives up and the client's resent text would be read as the next
// answer. The phone's lock expires with it.
const webhookDeadline = 12 * time.Second

// handleText handles one signed text and returns the TwiML to answer it.
func (s *SMS) handleText(ctx context.Context, msg inboundSMS) string {
	phone, err := core.ParsePhone(msg.From)
	if err != nil {
		// A short code, an alphanumeric sender, or a number of a country
		// outside ONWARD_PHONE_COUNTRIES: Onward texts none of them, and a
		// reply would be a text (and, abroad, the way SMS pumping fraud
		// earns). Logged without the number. Only words of self-harm or
		// danger from a mobile abroad get an answer: the crisis lines,
		// once an hour at most (abroad.go).
		if doc, ok := s.abroadCrisis(ctx, msg); ok {
			return doc
		}
		s.log.Info("text from a sender Onward does not text (a short code, a name, or a number outside ONWARD_PHONE_COUNTRIES), not answered", "sid", msg.SID)
		return emptyTwiML
	}
	hash := hex.EncodeToString(s.engine.Crypter().PhoneHash(phone))
	keys := s.phoneKeys(hash)
	sidKey := keys.sid(msg.SID)
	token, err := s.newRandomID()
	if err != nil {
		s.log.Error("sms lock token", "err", err)
		return s.apology(ctx, copyFault)
	}
	c, err := s.claim(ctx, keys, sidKey, token, claimText)
	silent := false // past the limit: recorded, not answered
	if errors.Is(err, errOverLimit) {
		switch {
		case msg.keyword(s.flow) == flow.KeywordStop:
			// The limit holds back a phone texting too much; an opt-out
			// ends that, and is honoured however many texts came before it.
			c, err = s.claim(ctx, keys, sidKey, token, claimOptOut)
		case msg.keyword(s.flow) == flow.KeywordStart:
			// Twilio opts the phone back in on START whatever our limit
			// (and answers it itself): recorded too, so our record agrees
			// and the client's texts are not skipped as opted out; not
			// answered, as each answer past the limit is a text paid for.
			c, err = s.claim(ctx, keys, sidKey, token, claimOptOut)
			silent = true
		case s.overLimitCrisis(ctx, msg, hash):
			// Nor is a person in crisis met with silence: their text is
			// answered as any other (the crisis lines; staff told).
			c, err = s.claim(ctx, keys, sidKey, token, claimCrisis)
		}
	}
	switch {
	case errors.Is(err, errOverLimit):
		s.log.Info("sms phone rate limit reached", "sid", msg.SID)
		return emptyTwiML
	case errors.Is(err, errLockBusy):
		s.log.Warn("sms phone lock busy", "sid", msg.SID)
		return s.apology(ctx, copyFault)
	case err != nil:
		// The claim may have reached Redis though its answer did not
		// (a Redis that hangs): let go of the lock it may hold. (Its
		// token is this request's own, so no other text's lock goes.)
		reply := s.withoutRedis(ctx, msg, phone, err)
		s.unlock(context.WithoutCancel(ctx), keys, token)
		return reply
	case !c.fresh:
		reply, ok, err := s.storedReply(ctx, sidKey)
		if err != nil || !ok {
			return emptyTwiML
		}
		s.log.Info("twilio retried a text, answered again", "sid", msg.SID)
		return reply
	}
	s.outages.Answered(s.log, partConversations)
	if s.lockHook != nil {
		s.lockHook(msg.Body)
	}
	out := s.respond(ctx, msg, phone, c)
	if silent {
		out.texts = nil
	}
	if msg.Channel != core.MessagingWhatsApp {
		s.engine.SentTexts().Count(s.engine.Clock().Now(), out.lang, out.texts...)
	}
	doc, err := buildTwiML(out.texts)
	if err != nil {
		s.log.Error("sms reply", "err", err)
		doc = s.apology(ctx, copyFault)
	}
	if err := s.save(context.WithoutCancel(ctx), keys, sidKey, token, out.change, out.state, out.optOut, out.memo, doc); err != nil {
		s.log.Error("sms conversation not saved", "sid", msg.SID, "err", err)
		s.forgetSID(context.WithoutCancel(ctx), sidKey)
		s.unlock(context.WithoutCancel(ctx), keys, token)
		if !out.recorded {
			// The answer is lost: ask for it again rather than pretend.
			return s.apology(ctx, s.flow.Messages.Unavailable)
		}
		// Postgres has what the text did (an opt-out, a referral): say so.
		// A resent text repeats it harmlessly, as core's calls are
		// idempotent.
	}
	return doc
}
