package sms

import (
	"context"
	"strings"
	"unicode"

	"github.com/onward-network/onward/core"
)

// answerAwaiting reads a bare digit as the answer to a question Onward
// asked this phone by text: "has the agency contacted you? 1 yes, 2 no",
// or "how helpful was it, 1 to 5". It runs only when no conversation is
// waiting for an answer, so a "1" to the needs question is never taken
// for a contact check. Anything else is left to the conversation.
func (s *SMS) answerAwaiting(ctx context.Context, t *smsTurn) (smsOutcome, bool) {
	digit, ok := bareDigit(t.msg.Body)
	if !ok {
		return smsOutcome{}, false
	}
	a, ok, err := s.engine.Awaiting(ctx, t.phone)
	if err != nil {
		s.log.Error("sms awaiting reply", "sid", t.msg.SID, "err", err)
		return s.faultOutcome(ctx), true
	}
	if !ok {
		return smsOutcome{}, false
	}
	var name string
	switch {
	case a.Kind == core.AwaitContactCheck && (digit == 1 || digit == 2):
		err = s.engine.AnswerContactCheck(ctx, t.phone, a.ReferralID, digit == 1)
		name = copyContacted
		if digit == 2 {
			name = copyNotContacted
		}
	case a.Kind == core.AwaitFeedback:
		err = s.engine.RecordFeedbackScore(ctx, t.phone, a.ReferralID, digit)
		name = copyFeedback
	default:
		return smsOutcome{}, false
	}
	if err != nil {
		s.log.Error("record sms answer", "sid", t.msg.SID, "kind", string(a.Kind), "err", err)
		return s.faultOutcome(ctx), true
	}
	s.log.Info("sms answer recorded", "sid", t.msg.SID, "kind", string(a.Kind), "referral", int64(a.ReferralID))
	o := s.reply(t, []string{name}, nil, stateKeep, nil)
	o.recorded = true
	return o, true
}

// bareDigit reads a text that is one digit from 1 to 5, with spaces or
// punctuation around it ("1", " 2.", "5!").
func bareDigit(body string) (int, bool) {
	w := strings.TrimFunc(body, func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) })
	if len(w) != 1 || w[0] < '1' || w[0] > '5' {
		return 0, false
	}
	return int(w[0] - '0'), true
}
