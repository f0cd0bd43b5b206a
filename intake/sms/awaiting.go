package sms

import (
	"context"

	"github.com/onward-network/onward/core"
	"github.com/onward-network/onward/intake/flow"
)

// answerAwaiting reads a text as the answer to a question Onward asked
// this phone by text: a bare digit, in any script's digits (flow.Digit),
// answers "has the agency contacted you? 1 yes, 2 no" (as does a yes or
// no: contactCheckAnswer) or "how helpful was it, 1 to 5"; after the
// score, any text is the client's comment (or SKIP), then YES / NO
// answers "would you recommend us?". It runs only when no conversation is
// waiting for an answer, so a "1" to the needs question is never taken
// for a contact check. Anything else is left to the conversation.
func (s *SMS) answerAwaiting(ctx context.Context, t *smsTurn) (smsOutcome, bool) {
	digit, isDigit := flow.Digit(t.msg.Body)
	isDigit = isDigit && digit >= 1 && digit <= 5
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
	case (a.Kind == core.AwaitFeedbackComment || a.Kind == core.AwaitFeedbackRecommend) && len(t.flow.DetectCrisis(t.msg.Body).Words) > 0:
		// Someone in crisis is answered as one, not thanked for feedback:
		// the questions are dropped and the conversation takes the text.
		if err := s.engine.RecordFeedbackRecommend(ctx, t.phone, a.ReferralID, nil); err != nil {
			s.log.Error("drop sms question", "sid", t.msg.SID, "err", err)
			return s.faultOutcome(ctx), true
		}
		return smsOutcome{}, false
	case a.Kind == core.AwaitFeedbackComment:
		comment := t.msg.Body
		if t.flow.Skips(comment) {
			comment = ""
		}
		err = s.engine.RecordFeedbackComment(ctx, t.phone, a.ReferralID, comment)
		name = copyFeedbackRecommend
	case a.Kind == core.AwaitFeedbackRecommend:
		yes, said := t.flow.YesNo(t.msg.Body)
		var answer *bool
		if said {
			answer = &yes
		} else if !t.flow.Skips(t.msg.Body) {
			// Neither an answer nor a skip: the question is dropped and
			// the text goes on to the conversation (a new request for
			// help, most likely).
			if err := s.engine.RecordFeedbackRecommend(ctx, t.phone, a.ReferralID, nil); err != nil {
				s.log.Error("drop sms question", "sid", t.msg.SID, "err", err)
				return s.faultOutcome(ctx), true
			}
			return smsOutcome{}, false
		}
		err = s.engine.RecordFeedbackRecommend(ctx, t.phone, a.ReferralID, answer)
		name = copyFeedback
	case a.Kind == core.AwaitContactCheck:
		contacted, said := contactCheckAnswer(t, digit, isDigit)
		if !said {
			return smsOutcome{}, false
		}
		err = s.engine.AnswerContactCheck(ctx, t.phone, a.ReferralID, contacted)
		name = copyContacted
		if !contacted {
			name = copyNotContacted
		}
	case !isDigit:
		return smsOutcome{}, false
	case a.Kind == core.AwaitFeedback:
		err = s.engine.RecordFeedbackScore(ctx, t.phone, a.ReferralID, digit)
		name = copyFeedbackComment
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

// contactCheckAnswer reads the answer to "has the agency contacted you?
// Reply 1 if yes, 2 if no": the digit, or a yes or no in the client's
// language or English ("tak", "ні", "نعم", "no"), the words the flow
// knows for consent. A text with crisis words is no answer: the
// conversation takes it and answers it as a crisis.
func contactCheckAnswer(t *smsTurn, digit int, isDigit bool) (contacted, ok bool) {
	if isDigit {
		return digit == 1, digit == 1 || digit == 2
	}
	if t.flow.DetectCrisis(t.msg.Body).Found() {
		return false, false
	}
	return t.flow.YesNo(t.msg.Body)
}
