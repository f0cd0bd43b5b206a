package sms

import (
	"context"
	"errors"
	"log/slog"
)

// partOptOuts names the recording of opt-outs in the log of its outages.
const partOptOuts = "sms opt-outs (PostgreSQL)"

// The keywords STOP, START and HELP. Each overrides the conversation.
// Opting out of texts is not withdrawing consent: a referral the client
// agreed to stays as it is, and nothing here touches consent records.

// stop records the opt-out against the phone's hash and drops any
// unfinished conversation (its answers have no consent behind them). A
// finished one (a referral made, or consent refused) stays: it holds no
// answers, only where the client's request stands, and after START a text
// is told "we already have your answers" as before STOP, not taken as a
// new request for help. The confirmation is sent once: a phone already
// opted out gets nothing, as on a real number Twilio and the carrier
// answer STOP themselves.
//
// When PostgreSQL does not answer, the opt-out is held in Redis for
// ReplayHeldOptOuts and confirmed all the same (optout_held.go).
func (s *SMS) stop(ctx context.Context, t *smsTurn) smsOutcome {
	was, err := s.engine.OptedOut(ctx, t.phone)
	if err == nil {
		err = s.engine.OptOut(ctx, t.phone, "sms")
	}
	if err != nil {
		if herr := s.holdOptOut(ctx, t.phone); herr != nil {
			s.log.Error("record sms opt-out", "sid", t.msg.SID, "err", errors.Join(err, herr))
			return s.faultOutcome(ctx)
		}
		s.outages.Failed(s.log, slog.LevelError, partOptOuts, err, "opt-outs", "held in Redis until PostgreSQL answers")
		s.log.Info("sms opt-out held", "sid", t.msg.SID)
		o := s.reply(t, []string{t.flow.Messages.Stop}, nil, stopChange(t), nil)
		o.recorded, o.optOut = true, "1"
		return o
	}
	s.outages.Answered(s.log, partOptOuts)
	s.log.Info("sms opt-out recorded", "sid", t.msg.SID)
	var names []string
	if !was {
		names = []string{t.flow.Messages.Stop}
	}
	o := s.reply(t, names, nil, stopChange(t), nil)
	o.recorded, o.optOut = true, "1"
	return o
}

// stopChange is what STOP does to the phone's conversation: an unfinished
// one is dropped, a finished one (or none) kept as it is.
func stopChange(t *smsTurn) stateChange {
	if t.state != nil && !t.state.open() {
		return stateKeep
	}
	return stateDrop
}

// start records the opt-in and, if a conversation is waiting for an
// answer, asks its question again.
func (s *SMS) start(ctx context.Context, t *smsTurn) smsOutcome {
	// An opt-out held while PostgreSQL was down must not be replayed
	// over this START.
	if err := s.dropHeldOptOut(ctx, t.phone); err != nil {
		s.log.Error("record sms opt-in", "sid", t.msg.SID, "err", err)
		return s.faultOutcome(ctx)
	}
	if err := s.engine.OptIn(ctx, t.phone); err != nil {
		s.log.Error("record sms opt-in", "sid", t.msg.SID, "err", err)
		return s.faultOutcome(ctx)
	}
	s.log.Info("sms opt-in recorded", "sid", t.msg.SID)
	o := s.withQuestion(t, t.flow.Messages.Start)
	o.recorded, o.optOut = true, "0"
	return o
}

// help sends the network's contact details and crisis lines, then asks
// the open question again; the conversation stays where it was. HELP is
// answered even for an opted-out phone, as carriers require. A first text
// that is one language's HELP ("POMOC", "مساعدة") is answered in that
// language, and the conversation then starts in it, so the language the
// client wrote in is kept; an opted-out phone gets the help alone.
// optOut is the claim's cached opt-out answer ("" when not cached).
func (s *SMS) help(ctx context.Context, t *smsTurn, optOut string) smsOutcome {
	if t.keywordLang {
		out, _, err := s.optedOut(ctx, t, optOut)
		if err != nil {
			return s.faultOutcome(ctx)
		}
		if !out {
			return s.begin(ctx, t, t.flow.Messages.Help)
		}
	}
	return s.withQuestion(t, t.flow.Messages.Help)
}

// withQuestion sends first, then the open question again if there is one.
func (s *SMS) withQuestion(t *smsTurn, first string) smsOutcome {
	if !t.state.open() {
		return s.reply(t, []string{first}, nil, stateKeep, nil)
	}
	conv, r := t.flow.Repeat(t.state.Conv)
	st := *t.state
	st.Conv, st.Last = conv, t.now
	return s.reply(t, append([]string{first}, r.Templates...), r.Data, statePut, &st)
}
