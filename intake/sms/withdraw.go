package sms

import (
	"context"
)

// copyNothingToWithdraw answers the withdraw keyword from a phone with no
// consent to withdraw by text. It sits in a section of its own (an id with
// a dot), outside the top-level SMS copy whose budgets and golden files
// intake/flow's TestMessageBudgets keeps; TestWithdrawCopyBudget holds it
// to the same budget.
const copyNothingToWithdraw = "sms_withdraw.nothing"

// withdraw handles the network's withdraw keyword: consent is withdrawn
// for the client whose phone sent it, their open referrals are cancelled,
// and any unfinished conversation is dropped.
//
// A withdrawal recorded is confirmed by core's text (the consent_withdrawn
// status text, in the client's language), not by a reply here: core queues
// it only once the withdrawal is committed, and marks it as answering the
// client's text, so quiet hours do not hold it back (notify's
// answersClient). The reply here is empty, so the client is told once.
//
// A phone with no consent to withdraw by text (no client has it as their
// proven phone, theirs is withdrawn already, or the client has not used
// it for too long: numbers are recycled, and core's WithdrawByPhone
// refuses a phone its client last used over six months ago) is told, in
// the conversation's language, that nothing can be withdrawn by text from
// it and whom to ask. The words are the same whichever it was: the holder
// of a number (perhaps a recycled one) learns nothing of what is or was kept,
// a client whose request gave the number unproven (on the web form) is
// not told that nothing is shared, and a client who texts the keyword
// twice does not read it as undoing their confirmation. A phone that
// opted out of texts gets no answer, as for any text but HELP until START.
func (s *SMS) withdraw(ctx context.Context, t *smsTurn, optOut string) smsOutcome {
	done, err := s.engine.WithdrawByPhone(ctx, t.phone, t.msg.SID)
	if err != nil {
		s.log.Error("withdraw by text", "sid", t.msg.SID, "err", err)
		return s.faultOutcome(ctx)
	}
	s.log.Info("withdrawal by text", "sid", t.msg.SID, "recorded", done)
	if done {
		o := s.reply(t, nil, nil, stateDrop, nil)
		o.recorded = true
		return o
	}
	out, looked, err := s.optedOut(ctx, t, optOut)
	if err != nil {
		return s.faultOutcome(ctx)
	}
	var names []string
	if !out {
		names = []string{copyNothingToWithdraw}
	}
	o := s.reply(t, names, nil, stateDrop, nil)
	o.optOut = looked
	return o
}
