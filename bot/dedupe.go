package bot

import (
	"context"
	"time"
)

// dedupeTTL is how long a processed Slack request is remembered: Slack
// retries within minutes, and a double click comes within seconds.
const dedupeTTL = time.Hour

// first reports whether key is seen for the first time (SET NX in Redis),
// so a Slack retry or a repeated click is processed once. When Redis does
// not answer it lets the request through: core's optimistic version check
// still stops a double transition.
func (b *Bot) first(ctx context.Context, key string) bool {
	return b.firstFor(ctx, key, dedupeTTL)
}

// pressWorkTTL is how long a state-changing press is held as in hand
// before its outcome is known: a press takes seconds, and one whose
// process died meanwhile (a crash, a kill) may be pressed again once this
// has passed, not an hour later. Its outcome then keeps it for dedupeTTL.
const pressWorkTTL = time.Minute

// firstFor is first with the key remembered for ttl.
func (b *Bot) firstFor(ctx context.Context, key string, ttl time.Duration) bool {
	ok, err := b.rdb.SetNX(ctx, b.prefix+"bot:once:"+key, 1, ttl).Result()
	if err != nil {
		b.log.Warn("dedupe Slack request: Redis unavailable, processing anyway", "err", err)
		return true
	}
	return ok
}

// remember marks key as done without checking (a modal submitted once,
// successfully).
func (b *Bot) remember(ctx context.Context, key string) {
	if err := b.rdb.Set(ctx, b.prefix+"bot:once:"+key, 1, dedupeTTL).Err(); err != nil {
		b.log.Warn("remember Slack submission", "err", err)
	}
}

// seen reports whether key was remembered.
func (b *Bot) seen(ctx context.Context, key string) bool {
	n, err := b.rdb.Exists(ctx, b.prefix+"bot:once:"+key).Result()
	return err == nil && n > 0
}
