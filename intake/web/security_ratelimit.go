package web

import (
	"crypto/sha256"
	"encoding/hex"
	"net/http"
	"strconv"

	"github.com/onward-network/onward/core"

	"github.com/go-redis/redis_rate/v10"
)

// rateLimit allows IPRatePerMinute requests per client IP per minute
// (GCRA in Redis, so every server process shares the count). When Redis
// fails the request goes through: the directory still works, and the form
// shows its own "try again or call" page.
func (w *Web) rateLimit(next http.Handler) http.Handler {
	return http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
		res, err := w.limiter.Allow(r.Context(), w.rateKey(r), redis_rate.PerMinute(w.cfg.IPRatePerMinute))
		if err != nil {
			w.log.Warn("web rate limit unavailable, allowing request", "err", err)
			next.ServeHTTP(rw, r)
			return
		}
		if res.Allowed == 0 {
			rw.Header().Set("Retry-After", strconv.Itoa(int(res.RetryAfter.Seconds())+1))
			w.fault(rw, r, http.StatusTooManyRequests, "rate_limited")
			return
		}
		next.ServeHTTP(rw, r)
	})
}

// rateKey is the client's IP, hashed so keys do not show addresses at a
// glance (they live a minute). Behind a reverse proxy listed in
// ONWARD_TRUSTED_PROXIES it is the client the proxy names, so clients do
// not share the proxy's count.
func (w *Web) rateKey(r *http.Request) string {
	h := sha256.Sum256([]byte(core.ClientIP(r.RemoteAddr, r.Header.Values("X-Forwarded-For"), w.cfg.TrustedProxies)))
	return w.cfg.KeyPrefix + "web:ip:" + hex.EncodeToString(h[:12])
}
