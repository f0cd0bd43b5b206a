package sms

import (
	"context"
	"encoding/hex"
	"fmt"

	"github.com/redis/go-redis/v9"
)

// Forget returns what removes, when a client's details are erased, what
// Redis holds for their phone: the conversation (which may hold answers
// given since), its "was running" marker, the language remembered from a
// dropped conversation, and every MessageSid's stored reply (a reference,
// an agency's name). The opt-out cache stays, as the opt-out itself does,
// and the hourly count, which holds nothing. The engine calls it after
// the erasure commits (core.Engine.OnErase).
//
// The phone's lock goes with the conversation, in the same command: a
// text being handled at that moment read the conversation before it went,
// and its save, which stores only while the lock is still its own
// (saveScript), is then refused rather than writing those answers back.
func Forget(rdb redis.UniversalClient, keyPrefix string) func(ctx context.Context, phoneHash []byte) error {
	return func(ctx context.Context, phoneHash []byte) error {
		k := keysOfPhone(keyPrefix, hex.EncodeToString(phoneHash))
		if err := rdb.Del(ctx, k.conv, k.seen, k.lock, k.lang).Err(); err != nil {
			return fmt.Errorf("forget the phone's sms conversation: %w", err)
		}
		// The replies' keys share the phone's hash tag, so in a Cluster
		// they are all on the node that holds its slot.
		node := redis.UniversalClient(rdb)
		if c, ok := rdb.(*redis.ClusterClient); ok {
			m, err := c.MasterForKey(ctx, k.conv)
			if err != nil {
				return fmt.Errorf("find the node of the phone's sms keys: %w", err)
			}
			node = m
		}
		var cursor uint64
		for {
			keys, next, err := node.Scan(ctx, cursor, k.sids+"*", 1000).Result()
			if err != nil {
				return fmt.Errorf("find the phone's stored sms replies: %w", err)
			}
			if len(keys) > 0 {
				if err := node.Del(ctx, keys...).Err(); err != nil {
					return fmt.Errorf("forget the phone's stored sms replies: %w", err)
				}
			}
			if cursor = next; cursor == 0 {
				return nil
			}
		}
	}
}
