package bot

import (
	"context"

	"github.com/onward-network/onward/core"
)

// redirectOrigin fills in where a redirected referral came from, as core
// lets the agency it was redirected to see it (core.RedirectOrigin): the
// agency that redirected it, on every card; and the words its adviser
// gave why, which speak of the client's case. Those are kept in an
// unexported field: a Slack card (channel history) cannot name it, only
// say that they were given (RedirectWhy), while the staff web card reads
// them through cardItem.RedirectFeedback and Slack's View details through
// detailsView.
func redirectOrigin(ctx context.Context, eng *core.Engine, r core.Referral, v *cardView) error {
	o, ok, err := eng.RedirectOrigin(ctx, r)
	if err != nil || !ok {
		return err
	}
	v.RedirectedBy, v.RedirectWhy, v.redirectFeedback = o.Agency, o.Feedback != "", o.Feedback
	return nil
}

// RedirectFeedback is why the referral was redirected to its agency, as
// the redirecting adviser wrote it, for the staff web's card ("" when it
// was not redirected, or no reason was given).
func (c cardItem) RedirectFeedback() string { return c.redirectFeedback }
