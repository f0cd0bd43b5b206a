package sms

import (
	"context"
	"encoding/hex"
	"log/slog"

	"github.com/redis/go-redis/v9"

	"github.com/onward-network/onward/core"
)

// ForgetCachedOptOut returns the function the outbox worker calls once
// it has recorded that a phone unsubscribed at the carrier (Twilio 21610
// on a send; notify.Options.CarrierOptOut): it drops the webhook's cached
// answer to "has this phone opted out?" (smsKeys.optOut) under keyPrefix,
// so the phone's next text is read against PostgreSQL's record, as after
// a 21610 in a status callback, and not answered for up to
// optOutCacheTTL as from a phone still opted in. A Redis that does not
// answer is logged; the cache then corrects itself within that TTL.
func ForgetCachedOptOut(eng *core.Engine, rdb redis.UniversalClient, keyPrefix string, log *slog.Logger) func(ctx context.Context, phone core.Phone) {
	s := &SMS{cfg: Config{KeyPrefix: keyPrefix}, engine: eng, rdb: rdb, log: log}
	return func(ctx context.Context, phone core.Phone) {
		s.forgetOptOut(ctx, hex.EncodeToString(s.engine.Crypter().PhoneHash(phone)))
	}
}
