package web

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"
	"time"

	"github.com/redis/go-redis/v9"
)

// Only a request that used Redis can say whether Redis is up. A page that
// never touches it (a stylesheet, the "text us instead" page) answering
// during a Redis outage says nothing of Redis; it used to let the part's
// outage log "available again" between every two pages that needed it.
// served puts a redisUse on each request; a hook on the client fills it
// from the request's commands.

// redisUse is what one request's Redis commands met.
type redisUse struct {
	ctx      context.Context // the request's own: a command that failed because it ended is no news of Redis
	answered atomic.Bool     // a command had Redis's reply
	failed   atomic.Bool     // a command had no reply while the request waited
	// unavailable: the request answered the unavailable page.
	unavailable bool
}

// redisUseKey is the request context's redisUse.
type redisUseKey struct{}

// redisUseOf is ctx's redisUse, nil when ctx is no request's (the rate
// limit runs before served, and other parts share the client).
func redisUseOf(ctx context.Context) *redisUse {
	u, _ := ctx.Value(redisUseKey{}).(*redisUse)
	return u
}

// redisSeen is the hook New adds to the Redis client: it notes each
// command's outcome on its request's redisUse, and lets the rate limit
// ask Redis again as soon as any command had a reply.
type redisSeen struct{ w *Web }

// DialHook implements redis.Hook.
func (h redisSeen) DialHook(next redis.DialHook) redis.DialHook { return next }

// ProcessHook implements redis.Hook.
func (h redisSeen) ProcessHook(next redis.ProcessHook) redis.ProcessHook {
	return func(ctx context.Context, cmd redis.Cmder) error {
		err := next(ctx, cmd)
		h.saw(ctx, err)
		return err
	}
}

// ProcessPipelineHook implements redis.Hook.
func (h redisSeen) ProcessPipelineHook(next redis.ProcessPipelineHook) redis.ProcessPipelineHook {
	return func(ctx context.Context, cmds []redis.Cmder) error {
		err := next(ctx, cmds)
		h.saw(ctx, err)
		return err
	}
}

// saw records one command's outcome.
func (h redisSeen) saw(ctx context.Context, err error) {
	if redisAnswered(err) {
		h.w.limitPause.resume()
	}
	u := redisUseOf(ctx)
	if u == nil {
		return
	}
	switch {
	case redisAnswered(err):
		u.answered.Store(true)
	case u.ctx.Err() == nil:
		u.failed.Store(true)
	}
}

// redisAnswered reports whether err is Redis's reply (none, redis.Nil,
// an error reply): Redis was reached.
func redisAnswered(err error) bool {
	var reply redis.Error
	return err == nil || errors.As(err, &reply)
}

// redisUnreachable reports whether err, a command's failure while its
// caller still waited (ctx live), says Redis could not be reached: it
// refused, reset or did not answer in time. A busy pool or a closed
// client is not that.
func redisUnreachable(ctx context.Context, err error) bool {
	return !redisAnswered(err) && ctx.Err() == nil &&
		!errors.Is(err, redis.ErrClosed) && !errors.Is(err, redis.ErrPoolTimeout)
}

// redisSpells are the parts of the site whose spell of failures Redis
// caused: only a request that had Redis's reply ends one (served).
type redisSpells struct {
	mu    sync.Mutex
	parts map[string]bool
}

// began notes that part failed for Redis.
func (s *redisSpells) began(part string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.parts == nil {
		s.parts = map[string]bool{}
	}
	s.parts[part] = true
}

// ends reports whether a request that answered in part, having had
// Redis's reply (reached) or not, ends part's spell: not a request that
// had no reply while Redis is what failed. A spell it ends is forgotten.
func (s *redisSpells) ends(part string, reached bool) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if !s.parts[part] {
		return true
	}
	if !reached {
		return false
	}
	delete(s.parts, part)
	return true
}

// limitPauseFor is how long the rate limit leaves Redis alone once a
// call could not reach it: meanwhile requests are let through as when
// Redis fails, without each waiting the Redis timeout (ONWARD_REDIS_TIMEOUT)
// first. Any command that has Redis's reply ends the pause early.
const limitPauseFor = 2 * time.Second

// limitPause is until when the rate limit does not ask Redis.
type limitPause struct{ until atomic.Pointer[time.Time] }

// start pauses the rate limit for limitPauseFor from now.
func (p *limitPause) start() {
	until := time.Now().Add(limitPauseFor)
	p.until.Store(&until)
}

// resume ends the pause.
func (p *limitPause) resume() {
	if p.until.Load() != nil {
		p.until.Store(nil)
	}
}

// paused reports whether the rate limit should leave Redis alone now.
func (p *limitPause) paused() bool {
	until := p.until.Load()
	return until != nil && time.Now().Before(*until)
}
