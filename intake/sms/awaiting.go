package sms

import (
	"context"

	"github.com/onward-network/onward/core"
	"github.com/onward-network/onward/intake/flow"
)

// answerAwaiting reads a text as the answer to a question Onward asked
// this phone by text: "has the agency contacted you? 1 yes, 2 no" (the
// digit, or yes/no words with their negations read: flow.Contacted) or
// "how helpful was it, 1 to 5" (a digit alone or among words, "5/5":
// flow.Score); after the score, any text is the client's comment (or
// SKIP), then YES / NO answers "would you recommend us?". A reply to the
// contact check or the score that answers neither gets its question
// again, in the client's language, rather than being lost (RESTART,
// handled before, starts a new request). A text with crisis words is no
// answer: the conversation takes it. It runs only when no conversation is
// waiting for an answer, so a "1" to the needs question is never taken
// for a contact check.
func (s *SMS) answerAwaiting(ctx context.Context, t *smsTurn) (smsOutcome, bool) {
	a, ok, err := s.engine.Awaiting(ctx, t.phone)
	if err != nil {
		s.log.Error("sms awaiting reply", "sid", t.msg.SID, "err", err)
		if sig := t.flow.DetectCrisis(t.msg.Body); sig.SelfHarm || sig.Danger {
			// Words of self-harm or danger are no answer to any question:
			// the conversation gives the crisis lines, which need no
			// PostgreSQL, rather than the apology.
			return smsOutcome{}, false
		}
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
		err = s.engine.RecordFeedbackComment(ctx, t.phone, a.ReferralID, comment, t.msg.SID)
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
	case (a.Kind == core.AwaitContactCheck || a.Kind == core.AwaitFeedback) && t.flow.DetectCrisis(t.msg.Body).Found():
		// "no and I want to kill myself": answered as a crisis by the
		// conversation; the question stays open.
		return smsOutcome{}, false
	case a.Kind == core.AwaitContactCheck:
		contacted, said := t.flow.Contacted(t.msg.Body)
		if !said {
			return s.reply(t, []string{copyContactCheckRetry}, nil, stateKeep, nil), true
		}
		err = s.engine.AnswerContactCheck(ctx, t.phone, a.ReferralID, contacted)
		name = copyContacted
		if !contacted {
			name = copyNotContacted
		}
	case a.Kind == core.AwaitFeedback:
		score, said := flow.Score(t.msg.Body)
		if !said {
			return s.reply(t, []string{copyFeedbackRetry}, nil, stateKeep, nil), true
		}
		err = s.engine.RecordFeedbackScore(ctx, t.phone, a.ReferralID, score)
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
