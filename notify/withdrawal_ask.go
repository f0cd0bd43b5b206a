package notify

import (
	"context"
	"errors"

	"github.com/onward-network/onward/core"
)

// withdrawalAsk answers a client's ask on the withdrawal page for a code:
// core checks the reference and phone typed and, when they belong
// together, queues the code's text in the transaction that marks the ask
// done (the text then goes as any phone code does). The page did the same
// work for every ask, so only here, off its request path, does a matching
// pair cost more than another. The row's status is the same either way.
func (w *Worker) withdrawalAsk(ctx context.Context, r core.OutboxClaim) (outcome, error) {
	queue, err := w.engine.AnswerWithdrawalAsk(ctx, r)
	if errors.Is(err, core.ErrWithdrawalAskUnreadable) {
		return outcome{}, permanent("cannot read the ask", err)
	}
	if err != nil {
		return outcome{}, err
	}
	out := sent("", core.DeliveryChecked)
	if queue != nil {
		out.inTx = queue
		out.after = func(context.Context) error { w.wake(); return nil }
	}
	return out, nil
}
