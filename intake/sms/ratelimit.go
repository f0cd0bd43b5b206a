package sms

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"net/http"

	"github.com/onward-network/onward/core"

	"github.com/go-redis/redis_rate/v10"
)

// ipAllowed counts a request that Twilio did not sign against its source
// IP's per-minute limit (key from ipRateKey), so a flood of forged
// requests costs a Redis call each, not a log line. Twilio's own requests
// are not counted: they come from a pool of Twilio addresses on behalf of
// every client at once. When Redis does not answer the request goes on to
// its 403.
func (s *SMS) ipAllowed(ctx context.Context, key string) bool {
	res, err := s.limiter.Allow(ctx, key, redis_rate.PerMinute(s.cfg.IPRatePerMinute))
	if err != nil {
		s.log.Warn("sms ip rate limit unavailable, allowing request", "err", err)
		return true
	}
	return res.Allowed > 0
}

// ipRateKey is the request's source IP (behind a trusted proxy, the one it
// names), hashed so Redis holds no addresses.
func (s *SMS) ipRateKey(r *http.Request) string {
	h := sha256.Sum256([]byte(core.ClientNetwork(r.RemoteAddr, r.Header.Values("X-Forwarded-For"), s.cfg.TrustedProxies)))
	return s.cfg.KeyPrefix + "sms:ip:" + hex.EncodeToString(h[:12])
}
