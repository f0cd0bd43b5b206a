package api

import (
	"context"
	"sync"
	"time"

	"github.com/onward-network/onward/core"
)

// cacheTTL bounds how stale the API's view of agency slugs may be. An
// unknown slug always reloads at once, so a new agency is found straight
// away. (Partners are not cached: each call reads its partner and the
// agency it acts for, so a revocation or a retirement bites at once.)
const cacheTTL = 2 * time.Second

type cache struct {
	engine *core.Engine

	mu      sync.Mutex
	slugs   slugs
	ids     map[string]core.AgencyID
	slugsAt time.Time
}

// agencies returns agency slugs by id and ids by slug; want names slugs
// the caller needs, which reload the cache when one is missing.
func (c *cache) agencies(ctx context.Context, want ...string) (slugs, map[string]core.AgencyID, error) {
	now := time.Now()
	c.mu.Lock()
	s, ids, fresh := c.slugs, c.ids, now.Sub(c.slugsAt) < cacheTTL
	c.mu.Unlock()
	if fresh {
		for _, w := range want {
			if _, ok := ids[w]; !ok && w != "" {
				fresh = false
			}
		}
	}
	if fresh {
		return s, ids, nil
	}
	as, err := c.engine.Agencies(ctx)
	if err != nil {
		return nil, nil, err
	}
	s, ids = slugs{}, map[string]core.AgencyID{}
	for _, ag := range as {
		s[ag.ID], ids[ag.Slug] = ag.Slug, ag.ID
	}
	c.mu.Lock()
	c.slugs, c.ids, c.slugsAt = s, ids, now
	c.mu.Unlock()
	return s, ids, nil
}
