package sms

import (
	"context"
	"encoding/hex"
	"errors"
	"strings"
	"time"

	"github.com/nyaruka/phonenumbers"
	"github.com/redis/go-redis/v9"

	"github.com/onward-network/onward/core"
	"github.com/onward-network/onward/intake/flow"
)

// Onward converses only with phones of ONWARD_PHONE_COUNTRIES (GB by
// default): a reply abroad is a text at the network's cost, and answering
// every text from anywhere is how SMS pumping fraud earns. Yet a client
// may keep the SIM of the country they came from (many Polish-speaking
// clients in Scotland do), and one who texts words of self-harm or danger
// from it must not meet silence. So a text from a mobile number of
// another country gets one reply when flow reads such words in it: the
// crisis lines (and 999 and the domestic abuse helpline, for danger), in
// the language the words were written in, exactly as a conversation
// gives them after it ended; and nothing else. No conversation is kept,
// nothing is recorded, and staff are not told (Onward knows no client by
// that number).
//
// The reply is bounded: once an hour per sending number (abroadCrisisKey,
// keyed by the Crypter's keyed hash of the number, never the number), so
// a fraudster texting crisis words gets one text an hour, not one a text.
// Twilio's retry of the text that got it is answered again. When Redis
// fails the reply goes anyway: one text too many costs less than silence
// to a person in crisis. Short codes and alphanumeric senders, which
// cannot be a person's phone, get nothing.

// crisisLinesEvery is how often a sender Onward otherwise holds back (a
// number outside the allowed countries, a phone over its hourly limit)
// may be answered for words of self-harm or danger.
const crisisLinesEvery = time.Hour

// abroadCrisisKey is the Redis key that says a number outside the allowed
// countries got the crisis lines within crisisLinesEvery: its value is
// the MessageSid of the text that got them.
func abroadCrisisKey(keyPrefix string, hash []byte) string {
	return keyPrefix + "sms:abroad-crisis:{" + hex.EncodeToString(hash) + "}"
}

// abroadCrisis answers a text from a sender core.ParsePhone refused: the
// crisis lines (TwiML) when it is a mobile number of another country and
// flow reads words of self-harm or danger in it, and that number has not
// had them within the hour. ok is false when nothing is to be sent.
func (s *SMS) abroadCrisis(ctx context.Context, msg inboundSMS) (doc string, ok bool) {
	if !foreignMobile(msg.From) {
		return "", false
	}
	// Flow's reading of a text after a conversation ended: the crisis
	// lines alone, in the language of the words (a Polish "chcę umrzeć"
	// gets them in Polish), and no other words.
	r, ok := s.crisisWords(msg.Body)
	if !ok {
		return "", false
	}
	if !s.abroadCrisisAllowed(ctx, msg) {
		s.log.Info("crisis words from a number outside ONWARD_PHONE_COUNTRIES, given the crisis lines within the hour already", "sid", msg.SID)
		return "", false
	}
	// The network's own crisis lines, as an apology names its helpline;
	// without them the fixed ones (Samaritans, NHS 24, 999) still go.
	keys, ok := s.apologyKeys(ctx)
	if !ok {
		s.log.Warn("sms network settings for the crisis lines abroad: the fixed lines alone", "sid", msg.SID)
		keys = map[string]any{}
	}
	texts, err := s.renderAll(r.Lang, r.Templates, s.keysIn(ctx, keys, "", r.Lang), r.Data)
	if err == nil {
		doc, err = buildTwiML(texts)
	}
	if err != nil {
		s.log.Error("render the crisis lines for a number outside ONWARD_PHONE_COUNTRIES", "sid", msg.SID, "err", err)
		return "", false
	}
	if msg.Channel != core.MessagingWhatsApp {
		s.engine.SentTexts().Count(s.engine.Clock().Now(), r.Lang, texts...)
	}
	s.log.Info("crisis words from a number outside ONWARD_PHONE_COUNTRIES: answered with the crisis lines alone",
		"sid", msg.SID, "language", r.Lang, "self_harm", r.SelfHarm, "danger", r.Danger)
	return doc, true
}

// abroadCrisisAllowed reports whether the sender of msg may get the
// crisis lines now (crisisLinesAllowed, keyed by abroadCrisisKey).
func (s *SMS) abroadCrisisAllowed(ctx context.Context, msg inboundSMS) bool {
	key := abroadCrisisKey(s.cfg.KeyPrefix, s.engine.Crypter().PhoneHash(core.Phone(msg.From)))
	return s.crisisLinesAllowed(ctx, key, msg.SID, "sms crisis lines abroad")
}

// crisisLinesAllowed reports whether a text whose words flow read as
// self-harm or danger, from a sender Onward otherwise holds back, may be
// answered now: not within crisisLinesEvery of the last one key allowed,
// unless this is Twilio's retry of the text that was (key's value is its
// MessageSid). A Redis error allows it (and is logged under what, without
// the number): one text too many costs less than silence to a person in
// crisis.
func (s *SMS) crisisLinesAllowed(ctx context.Context, key, sid, what string) bool {
	rctx, cancel := context.WithTimeout(ctx, crisisRecordWait)
	defer cancel()
	set, err := s.rdb.SetNX(rctx, key, sid, crisisLinesEvery).Result()
	if err == nil && set {
		return true
	}
	if err == nil {
		got, gerr := s.rdb.Get(rctx, key).Result()
		switch {
		case gerr == nil:
			return got == sid
		case errors.Is(gerr, redis.Nil):
			return true // it expired between the two calls
		}
		err = gerr
	}
	s.log.Error(what+": the hourly bound could not be checked, answered anyway", "sid", sid, "err", err)
	return true
}

// crisisWords reports whether flow reads words of self-harm or danger in
// a text, as it reads a text after a conversation ended (in whichever
// language the words are written).
func (s *SMS) crisisWords(body string) (flow.Reply, bool) {
	_, r := s.flow.Advance(flow.Conversation{Step: flow.StepDone}, body)
	return r, r.SelfHarm || r.Danger
}

// foreignMobile reports whether from, as Twilio gives a sender (E.164), is
// a valid mobile number by libphonenumber's metadata. Called for a sender
// core.ParsePhone refused, which takes every mobile number of the allowed
// countries, it picks out the mobiles of other countries: not short
// codes, alphanumeric senders, or service numbers (freephone, premium
// rate), which are no person's phone.
func foreignMobile(from string) bool {
	if len(from) < 8 || len(from) > 16 || !strings.HasPrefix(from, "+") {
		return false
	}
	for _, c := range from[1:] {
		if c < '0' || c > '9' {
			return false
		}
	}
	n, err := phonenumbers.Parse(from, "ZZ")
	if err != nil || !phonenumbers.IsValidNumber(n) {
		return false
	}
	switch phonenumbers.GetNumberType(n) {
	case phonenumbers.MOBILE, phonenumbers.FIXED_LINE_OR_MOBILE:
		return true
	}
	return false
}
