package sms

import (
	"context"
	"encoding/hex"
	"errors"
	"fmt"

	"github.com/redis/go-redis/v9"

	"github.com/onward-network/onward/core"
)

// A STOP must hold whatever is down. When PostgreSQL does not answer, the
// opt-out is held in Redis (heldOptOuts) and the client gets the usual
// confirmation; ReplayHeldOptOuts writes it to PostgreSQL once it answers
// (serve's in-process worker and `onward worker` run it every few
// seconds), and until then the phone counts as opted out here. Twilio
// does not retry an inbound-message webhook that failed (only a refused
// connection, unless the URL asks for more), so answering 5xx would lose
// the STOP; and Twilio's own opt-out list covers only the English
// keywords, not a translated STOP.

// heldOptOutsKey is the Redis hash of opt-outs PostgreSQL has not yet
// recorded: field the phone's keyed hash in hex, value the phone sealed
// with the Crypter (the number is needed to record it; never in clear).
func heldOptOutsKey(keyPrefix string) string { return keyPrefix + "sms:optout-held" }

// heldOptOutField is the Crypter field a held phone is sealed for, so a
// value copied under another phone's hash does not open.
func heldOptOutField(key, hash string) string { return "redis:" + key + ":" + hash }

// holdOptOut keeps phone's opt-out in Redis for ReplayHeldOptOuts.
func (s *SMS) holdOptOut(ctx context.Context, phone core.Phone) error {
	key, hash := heldOptOutsKey(s.cfg.KeyPrefix), hex.EncodeToString(s.engine.Crypter().PhoneHash(phone))
	sealed, err := s.engine.Crypter().Encrypt(heldOptOutField(key, hash), string(phone))
	if err != nil {
		return fmt.Errorf("hold sms opt-out: %w", err)
	}
	if err := s.rdb.HSet(ctx, key, hash, sealed).Err(); err != nil {
		return fmt.Errorf("hold sms opt-out: %w", err)
	}
	return nil
}

// heldOptOut reports whether phone has an opt-out held in Redis.
func (s *SMS) heldOptOut(ctx context.Context, phone core.Phone) (bool, error) {
	hash := hex.EncodeToString(s.engine.Crypter().PhoneHash(phone))
	return s.rdb.HExists(ctx, heldOptOutsKey(s.cfg.KeyPrefix), hash).Result()
}

// dropHeldOptOut forgets phone's held opt-out: START overrides it.
func (s *SMS) dropHeldOptOut(ctx context.Context, phone core.Phone) error {
	hash := hex.EncodeToString(s.engine.Crypter().PhoneHash(phone))
	if err := s.rdb.HDel(ctx, heldOptOutsKey(s.cfg.KeyPrefix), hash).Err(); err != nil {
		return fmt.Errorf("drop held sms opt-out: %w", err)
	}
	return nil
}

// dropIfSame deletes a held opt-out only if it is still the value read,
// so a STOP held again meanwhile is not lost.
var dropIfSame = redis.NewScript(`
if redis.call('HGET', KEYS[1], ARGV[1]) == ARGV[2] then return redis.call('HDEL', KEYS[1], ARGV[1]) end
return 0`)

// ReplayHeldOptOuts records in PostgreSQL every opt-out held in Redis
// under keyPrefix while PostgreSQL did not answer, and forgets each once
// recorded. It returns how many it recorded; on an error the rest stay
// held for the next run.
func ReplayHeldOptOuts(ctx context.Context, eng *core.Engine, rdb redis.UniversalClient, keyPrefix string) (int, error) {
	key := heldOptOutsKey(keyPrefix)
	held, err := rdb.HGetAll(ctx, key).Result()
	if err != nil {
		return 0, fmt.Errorf("read held sms opt-outs: %w", err)
	}
	n := 0
	var errs []error
	for hash, sealed := range held {
		phone, err := eng.Crypter().Decrypt(heldOptOutField(key, hash), []byte(sealed))
		if err != nil {
			errs = append(errs, fmt.Errorf("open held sms opt-out: %w", err))
			continue
		}
		if err := eng.OptOut(ctx, core.Phone(phone), "sms"); err != nil {
			return n, errors.Join(append(errs, err)...)
		}
		n++
		if err := dropIfSame.Run(ctx, rdb, []string{key}, hash, sealed).Err(); err != nil {
			return n, errors.Join(append(errs, fmt.Errorf("forget held sms opt-out: %w", err))...)
		}
	}
	return n, errors.Join(errs...)
}
