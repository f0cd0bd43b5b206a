package intake

import (
	"context"
	"encoding/hex"
	"errors"
	"net/http"

	"github.com/onward-network/onward/core"
)

// Inbound is POST /twilio/sms, Twilio's "a message comes in" webhook. In
// order: the per-IP limit, the body size limit and Twilio's signature
// (403 without it, nothing done), the per-phone limit, the MessageSid
// (Twilio retries: a text seen before gets its first reply again and is
// not handled twice), the phone's lock, then the text itself. The answer
// is always 200 with TwiML, even when something fails: an apology naming
// the helpline is more use to a client than Twilio's error log.
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
	ctx := r.Context()
	// The per-IP limit's round trip to Redis overlaps reading the body
	// and checking the signature; its answer comes first all the same.
	ipAllowed := make(chan bool, 1)
	ipKey := s.ipRateKey(r)
	go func() { ipAllowed <- s.ipAllowed(ctx, ipKey) }()
	r.Body = http.MaxBytesReader(w, r.Body, smsMaxBody)
	params, readErr := readTwilioForm(r.Body)
	signed := readErr == nil && s.verified(r, params)
	if !<-ipAllowed {
		writeTwiML(w, emptyTwiML)
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
	if !signed {
		// Logged without the body or the sender: it may be a real text
		// sent to a misconfigured URL.
		s.log.Warn("twilio signature refused", "path", r.URL.Path,
			"has_signature", r.Header.Get(twilioSignatureHeader) != "")
		http.Error(w, "forbidden", http.StatusForbidden)
		return
	}
	msg, err := parseInboundSMS(params)
	if err != nil {
		s.log.Warn("twilio webhook without a message sid", "path", r.URL.Path)
		http.Error(w, "bad request", http.StatusBadRequest)
		return
	}
	writeTwiML(w, s.handleText(ctx, msg))
}

// handleText handles one signed text and returns the TwiML to answer it.
func (s *SMS) handleText(ctx context.Context, msg inboundSMS) string {
	phone, err := core.ParsePhone(msg.From)
	if err != nil {
		// A short code or an alphanumeric sender: nobody to refer.
		s.log.Info("text from a sender that is not a phone number", "sid", msg.SID)
		return emptyTwiML
	}
	hash := hex.EncodeToString(s.engine.Crypter().PhoneHash(phone))
	var optOut *optOutCheck
	switch msg.keyword() {
	case KeywordStop, KeywordStart, KeywordHelp:
	default:
		optOut = s.startOptOutCheck(ctx, phone)
	}
	ok, err := s.phoneAllowed(ctx, hash)
	if err != nil {
		return s.withoutRedis(ctx, msg, phone, err)
	}
	if !ok {
		s.log.Info("sms phone rate limit reached", "sid", msg.SID)
		return emptyTwiML
	}
	keys, sidKey := s.phoneKeys(hash), s.sidKey(msg.SID)
	token, err := s.newRandomID()
	if err != nil {
		s.log.Error("sms lock token", "err", err)
		return s.apology(ctx, copyFault)
	}
	c, err := s.claim(ctx, keys, sidKey, token)
	switch {
	case errors.Is(err, errLockBusy):
		s.log.Warn("sms phone lock busy", "sid", msg.SID)
		return s.apology(ctx, copyFault)
	case err != nil:
		return s.withoutRedis(ctx, msg, phone, err)
	case !c.fresh:
		reply, ok, err := s.storedReply(ctx, sidKey)
		if err != nil || !ok {
			return emptyTwiML
		}
		s.log.Info("twilio retried a text, answered again", "sid", msg.SID)
		return reply
	}
	if s.lockHook != nil {
		s.lockHook(msg.Body)
	}
	out := s.respond(ctx, msg, phone, c, optOut)
	doc, err := buildTwiML(out.texts)
	if err != nil {
		s.log.Error("sms reply", "err", err)
		doc = s.apology(ctx, copyFault)
	}
	if err := s.save(context.WithoutCancel(ctx), keys, sidKey, token, out.change, out.state, doc); err != nil {
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

// optOutCheck is the opt-out lookup in Postgres, started while Redis is
// asked for the phone's limit and lock, so the two round trips overlap.
// (A STOP handled between the lookup and the lock could let one reply
// through; Twilio refuses texts to a phone that sent STOP in any case.)
type optOutCheck struct {
	done chan struct{}
	out  bool
	err  error
}

func (s *SMS) startOptOutCheck(ctx context.Context, phone core.Phone) *optOutCheck {
	c := &optOutCheck{done: make(chan struct{})}
	go func() {
		defer close(c.done)
		c.out, c.err = s.engine.OptedOut(ctx, phone)
	}()
	return c
}

// wait returns the lookup's answer; a nil check (the text was STOP,
// START or HELP) asks Postgres now.
func (c *optOutCheck) wait(ctx context.Context, s *SMS, phone core.Phone) (bool, error) {
	if c == nil {
		return s.engine.OptedOut(ctx, phone)
	}
	<-c.done
	return c.out, c.err
}
