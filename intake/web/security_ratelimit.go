package web

import (
	"crypto/sha256"
	"encoding/hex"
	"log/slog"
	"net/http"
	"strconv"

	"github.com/onward-network/onward/core"

	"github.com/go-redis/redis_rate/v10"
)

// rateLimit allows IPRatePerMinute requests per client IP per minute
// (GCRA in Redis, so every server process shares the count). When Redis
// fails the request goes through: the directory still works, and the form
// shows its own "try again or call" page. A spell of Redis failing is
// logged once when it starts and once when it ends, not a line a request.
// Once Redis could not be reached, requests go through without asking it
// for limitPauseFor, rather than each waiting the Redis timeout first.
func (w *Web) rateLimit(next http.Handler) http.Handler {
	return http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
		if w.limitPause.paused() {
			w.served(next, rw, r) // as when Redis fails, below
			return
		}
		res, err := w.limiter.Allow(r.Context(), w.rateKey(r), redis_rate.PerMinute(w.cfg.IPRatePerMinute))
		if err != nil {
			if redisUnreachable(r.Context(), err) {
				w.limitPause.start()
			}
			if !givenUp(r, err) {
				w.outages.Failed(w.log, slog.LevelWarn, partRateLimit, err, "requests", "allowed without a limit until Redis answers")
			}
			w.served(next, rw, r)
			return
		}
		w.outages.Answered(w.log, partRateLimit)
		if res.Allowed == 0 {
			rw.Header().Set("Retry-After", strconv.Itoa(int(res.RetryAfter.Seconds())+1))
			w.fault(rw, r, http.StatusTooManyRequests, "rate_limited")
			return
		}
		w.served(next, rw, r)
	})
}

// partRateLimit names the rate limit in the log of its outages.
const partRateLimit = "web rate limit (Redis)"

// rateKey is the client's IP, hashed so keys do not show addresses at a
// glance (they live a minute). Behind a reverse proxy listed in
// ONWARD_TRUSTED_PROXIES it is the client the proxy names, so clients do
// not share the proxy's count.
func (w *Web) rateKey(r *http.Request) string {
	h := sha256.Sum256([]byte(core.ClientNetwork(r.RemoteAddr, r.Header.Values("X-Forwarded-For"), w.cfg.TrustedProxies)))
	return w.cfg.KeyPrefix + "web:ip:" + hex.EncodeToString(h[:12])
}
