package sms

import (
	"context"
	"errors"

	"github.com/onward-network/onward/core"
)

// copyNothingToWithdraw answers the withdraw keyword from a phone with no
// consent to withdraw by text, and copyAlreadyWithdrawn one whose client
// withdrew theirs before. They sit in a section of their own (ids with a
// dot), outside the top-level SMS copy whose budgets and golden files
// intake/flow's TestMessageBudgets keeps; TestWithdrawCopyBudget holds
// them to the same budget.
const (
	copyNothingToWithdraw = "sms_withdraw.nothing"
	copyAlreadyWithdrawn  = "sms_withdraw.already"
)

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
// A client who withdrew before (a moment ago, or at any time), texting
// from the phone still theirs (core.ErrConsentWithdrawn), is told that
// their agreement is already withdrawn and nothing is shared, so the
// keyword sent twice never reads as undoing the confirmation. core knows
// it from the same call that would have withdrawn: no round trip more.
//
// A phone with no consent to withdraw by text (no client has it as their
// proven phone, or the client has not used it for too long: numbers are
// recycled, and core's WithdrawByPhone refuses a phone its client last
// used over six months ago) is told, in the conversation's language, that
// nothing can be withdrawn by text from it and whom to ask. The words are
// the same whichever it was: the holder of a number (perhaps a recycled
// one) learns nothing of what is or was kept, and a client whose request
// gave the number unproven (on the web form) is not told that nothing is
// shared. A phone that opted out of texts gets no answer, as for any text
// but HELP until START.
func (s *SMS) withdraw(ctx context.Context, t *smsTurn, optOut string) smsOutcome {
	done, err := s.engine.WithdrawByPhone(ctx, t.phone, t.msg.SID)
	already := errors.Is(err, core.ErrConsentWithdrawn)
	if err != nil && !already {
		s.log.Error("withdraw by text", "sid", t.msg.SID, "err", err)
		return s.faultOutcome(ctx)
	}
	s.log.Info("withdrawal by text", "sid", t.msg.SID, "recorded", done, "withdrawn_before", already)
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
	switch {
	case out:
	case already:
		names = []string{copyAlreadyWithdrawn}
	default:
		names = []string{copyNothingToWithdraw}
	}
	o := s.reply(t, names, nil, stateDrop, nil)
	o.optOut = looked
	return o
}
