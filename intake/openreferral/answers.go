package openreferral

import (
	lru "github.com/hashicorp/golang-lru/v2"
)

// answers keeps the feed's recent answers in memory, by ETag. An ETag is
// drawn from the directory's version and the request's path and query,
// so the body behind one never changes: a repeated search (a council's
// site, a validator paging through /services) is answered without asking
// PostgreSQL again, and any change to the directory starts new ETags.
type answers struct {
	cache *lru.Cache[string, []byte]
}

// maxCachedAnswer is the largest body kept; bigger pages (a per_page of
// 200 full services) are rare and are worked out each time, so the cache
// stays within a few tens of megabytes.
const maxCachedAnswer = 256 << 10

// newAnswers keeps up to n answers; n ≤ 0 keeps none.
func newAnswers(n int) *answers {
	if n <= 0 {
		return &answers{}
	}
	c, err := lru.New[string, []byte](n)
	if err != nil { // only for n ≤ 0, ruled out above
		return &answers{}
	}
	return &answers{cache: c}
}

// get returns the answer kept for etag.
func (a *answers) get(etag string) ([]byte, bool) {
	if a.cache == nil {
		return nil, false
	}
	return a.cache.Get(etag)
}

// put keeps body as the answer for etag, unless it is too big to keep.
func (a *answers) put(etag string, body []byte) {
	if a.cache == nil || len(body) > maxCachedAnswer {
		return
	}
	a.cache.Add(etag, body)
}
