package bot

import (
	"context"

	"github.com/onward-network/onward/core"
)

// act asks core for a transition. Every staff action, from Slack or the
// inbox, goes through here.
//
// It reads the network calendar first, outside any transaction: core's
// Act refreshes its cached calendar from the pool while holding a
// transaction's connection, and under load (every connection in a
// transaction, all waiting for that refresh) that can starve the pool
// until the request times out. A fresh cache keeps the refresh out of
// the transaction.
func (b *Bot) act(ctx context.Context, req core.TransitionRequest) (core.TransitionResult, error) {
	if _, err := b.engine.Calendar(ctx); err != nil {
		return core.TransitionResult{}, err
	}
	return b.engine.Act(ctx, req)
}
