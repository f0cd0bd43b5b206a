package sms

import "context"

// A phone over its hourly limit (ONWARD_SMS_RATE_PER_HOUR) gets no answer:
// a phone texting that much is a loop between two auto-responders or
// abuse, and every reply would cost an outbound text. Yet a client who has
// texted a great deal in a bad hour may then text words of self-harm or
// danger, and must not meet silence. So a text over the limit in which
// flow reads such words is handled as any text is (overLimitCrisis lets
// it through the claim): the crisis lines in its language, and staff
// told as for any crisis text (tellStaffOfCrisis; an opted-out phone's
// words told as tellStaffOptedOut tells them, with no reply). The bound
// is once an hour per phone (limitCrisisKey), so a loop that happens to
// carry such words costs one text an hour, not one a text; the rest stay
// held back, and Twilio's retry of the text let through is answered
// again.

// limitCrisisKey is the Redis key that says a phone over its hourly limit
// was answered for words of self-harm or danger within crisisLinesEvery:
// its value is that text's MessageSid. hash is the phone's keyed hash, in
// hex, as the phone's other keys are named.
func limitCrisisKey(keyPrefix, hash string) string {
	return keyPrefix + "sms:limit-crisis:{" + hash + "}"
}

// overLimitCrisis reports whether msg, from a phone over its hourly
// limit, is to be answered all the same: flow reads words of self-harm
// or danger in it and the phone has not been answered for them within
// the hour (or this is Twilio's retry of the text that was).
func (s *SMS) overLimitCrisis(ctx context.Context, msg inboundSMS, hash string) bool {
	if _, ok := s.crisisWords(msg.Body); !ok {
		return false
	}
	if !s.crisisLinesAllowed(ctx, limitCrisisKey(s.cfg.KeyPrefix, hash), msg.SID, "sms crisis words over the hourly limit") {
		s.log.Info("crisis words from a phone over its hourly limit, answered for them within the hour already: held back", "sid", msg.SID)
		return false
	}
	s.log.Info("crisis words from a phone over its hourly limit: answered all the same", "sid", msg.SID)
	return true
}
