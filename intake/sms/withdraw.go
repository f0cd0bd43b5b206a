package sms

import "context"

// withdraw handles the network's withdraw keyword: consent is withdrawn
// for the client whose phone sent it, their open referrals are cancelled,
// and core texts them that it is done (no reply here, so they get one text).
// A phone with no client, or consent already withdrawn, gets no answer.
func (s *SMS) withdraw(ctx context.Context, t *smsTurn) smsOutcome {
	done, err := s.engine.WithdrawByPhone(ctx, t.phone, t.msg.SID)
	if err != nil {
		s.log.Error("withdraw by text", "sid", t.msg.SID, "err", err)
		return s.faultOutcome(ctx)
	}
	s.log.Info("withdrawal by text", "sid", t.msg.SID, "recorded", done)
	o := s.reply(t, nil, nil, stateDrop, nil)
	o.recorded = done
	return o
}
