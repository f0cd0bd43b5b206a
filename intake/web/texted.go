package web

import (
	"context"

	"github.com/onward-network/onward/core"
)

// referralTexted tells the SMS channel (Config.ReferralTexted) of the
// referral called reference, just recorded from session s, whose
// reference core texts to the client's proven phone: a reply to that
// text is then answered as one after a referral, in the client's
// language, not as a new request. It runs before the session forgets
// the answers, and whatever happens the client's request stands: a
// failure is logged, without the phone.
func (w *Web) referralTexted(ctx context.Context, s *webSession, reference string) {
	if w.cfg.ReferralTexted == nil {
		return
	}
	phone, err := core.ParsePhone(s.Answers.Phone)
	if err != nil {
		return // core proved and texts only a number it reads
	}
	conv := w.flow.Finished(w.engine.Clock().Now(), s.Answers.Language, s.Answers.ConsentVersion)
	// The client's request is recorded: leaving the page does not undo
	// telling the SMS channel of it.
	if err := w.cfg.ReferralTexted(context.WithoutCancel(ctx), reference, phone, conv); err != nil {
		w.log.Warn("web: the SMS channel was not told of the referral; a reply to its confirmation text starts a new request",
			"reference", reference, "err", err)
	}
}
