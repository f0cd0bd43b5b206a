package sms

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/onward-network/onward/core"
	"github.com/onward-network/onward/intake/flow"
)

// A client who sent their request on the web form and gave a mobile gets
// its reference by text (core's confirmation). They may answer that text
// ("thank you", "when will they call?"), and the answer comes here, to a
// channel that has no conversation for their phone: it would greet them
// as if they had never asked, and invite a second request. So when the
// web form's referral is made, RememberWebReferral keeps for the phone,
// for the conversation TTL, what a client's own conversation keeps once
// it ended with a referral (flow.Flow.Finished, the reference): their
// reply gets the after-referral answer, in their language, and words of
// self-harm or danger get the crisis lines and alert staff by the
// reference (afterReferral). A conversation still open for the phone is
// the client's own by text, and is left as it is.

// webReferralWait bounds how long the web form's request waits to keep
// the conversation, the phone's lock included: a text from the phone
// takes milliseconds, and the request must not hang on a Redis that does.
const webReferralWait = 3 * time.Second

// RememberWebReferral returns the function the web form calls once core
// has recorded a referral whose confirmation is texted to phone
// (web.Config.ReferralTexted): it stores for the phone, under keyPrefix
// and sealed as every conversation is, the finished conversation conv
// (flow.Flow.Finished) with the referral's reference, for ttl (the
// conversation TTL, DefaultConversationTTL if zero), unless an open SMS
// conversation is running for the phone. It takes the phone's lock, so a
// text being handled at that moment is neither overwritten nor
// overwrites it. An error names no phone.
func RememberWebReferral(eng *core.Engine, rdb redis.UniversalClient, keyPrefix string, ttl time.Duration) func(ctx context.Context, reference string, phone core.Phone, conv flow.Conversation) error {
	if ttl <= 0 {
		ttl = DefaultConversationTTL
	}
	// The parts of the SMS edge the conversation's keys and sealing
	// need (phoneKeys, sealState, openState, newRandomID): one definition
	// of each, shared with the webhook.
	s := &SMS{cfg: Config{KeyPrefix: keyPrefix, ConversationTTL: ttl}, engine: eng, rdb: rdb, random: rand.Reader}
	return s.rememberWebReferral
}

func (s *SMS) rememberWebReferral(ctx context.Context, reference string, phone core.Phone, conv flow.Conversation) error {
	if reference == "" || conv.Step != flow.StepDone {
		return errors.New("keep web referral for sms replies: want a finished conversation with a reference")
	}
	k := s.phoneKeys(hex.EncodeToString(s.engine.Crypter().PhoneHash(phone)))
	token, err := s.newRandomID()
	if err != nil {
		return fmt.Errorf("keep web referral %s for sms replies: %w", reference, err)
	}
	ctx, cancel := context.WithTimeout(ctx, webReferralWait)
	defer cancel()
	sealed, err := s.lockForWebReferral(ctx, k, token)
	if err != nil {
		return fmt.Errorf("keep web referral %s for sms replies: %w", reference, err)
	}
	now := s.engine.Clock().Now()
	if s.runningConversation(k, sealed, now) {
		if err := unlockScript.Run(context.WithoutCancel(ctx), s.rdb, []string{k.lock}, token).Err(); err != nil {
			return fmt.Errorf("keep web referral %s for sms replies: release the phone's lock: %w", reference, err)
		}
		return nil
	}
	if err := s.putWebReferral(ctx, k, token, reference, conv, now); err != nil {
		// Let go of the lock (it would expire in webReferralWait anyway).
		_ = unlockScript.Run(context.WithoutCancel(ctx), s.rdb, []string{k.lock}, token).Err()
		return fmt.Errorf("keep web referral %s for sms replies: %w", reference, err)
	}
	return nil
}

// runningConversation reports whether the sealed state read for the phone
// is an open conversation that has not timed out: the client's own by
// text, which a web referral does not replace. A state that does not open
// or decode is no conversation, as the webhook reads it (claim).
func (s *SMS) runningConversation(k smsKeys, sealed []byte, now time.Time) bool {
	if sealed == nil {
		return false
	}
	plain, err := s.openState(k, sealed)
	if err != nil {
		return false
	}
	st, err := decodeState(plain)
	if err != nil {
		return false
	}
	return st.open() && now.Sub(st.Last) <= s.cfg.ConversationTTL
}

// webReferralLockScript takes the phone's lock (KEYS[1]) for ARGV[2] ms
// with token ARGV[1] and reads the conversation (KEYS[2]). It returns
// {locked, has_conv, conv}.
var webReferralLockScript = redis.NewScript(`
if not redis.call('SET', KEYS[1], ARGV[1], 'NX', 'PX', ARGV[2]) then
  return {0, 0, ''}
end
local v = redis.call('GET', KEYS[2])
return {1, v and 1 or 0, v or ''}`)

// lockForWebReferral takes the phone's lock, waiting with backoff while a
// text from the phone holds it, and returns the sealed conversation
// stored for the phone (nil for none).
func (s *SMS) lockForWebReferral(ctx context.Context, k smsKeys, token string) ([]byte, error) {
	wait := 2 * time.Millisecond
	for {
		v, err := webReferralLockScript.Run(ctx, s.rdb, []string{k.lock, k.conv}, token, webReferralWait.Milliseconds()).Slice()
		if err != nil {
			return nil, fmt.Errorf("lock phone: %w", err)
		}
		if len(v) != 3 {
			return nil, fmt.Errorf("lock script answered %d values, want 3", len(v))
		}
		if locked, _ := v[0].(int64); locked == 1 {
			if has, _ := v[1].(int64); has != 1 {
				return nil, nil
			}
			conv, _ := v[2].(string)
			return []byte(conv), nil
		}
		select {
		case <-ctx.Done():
			return nil, errLockBusy
		case <-time.After(wait):
		}
		wait = min(wait*2, 50*time.Millisecond)
	}
}

// webReferralPutScript stores a finished conversation (ARGV[2], for
// ARGV[3] ms) while the phone's lock is still ours (ARGV[1]), as a text
// that ends a conversation with a referral saves it (saveScript): the
// "was running" marker and the language remembered go (the client's
// record says their language), and the lock is released.
var webReferralPutScript = redis.NewScript(`
if redis.call('GET', KEYS[1]) ~= ARGV[1] then return 0 end
redis.call('SET', KEYS[2], ARGV[2], 'PX', ARGV[3])
redis.call('DEL', KEYS[3], KEYS[4], KEYS[1])
return 1`)

// putWebReferral stores the finished conversation conv of the web
// referral called reference for the phone of keys k.
func (s *SMS) putWebReferral(ctx context.Context, k smsKeys, token, reference string, conv flow.Conversation, now time.Time) error {
	id, err := s.newRandomID()
	if err != nil {
		return err
	}
	raw, err := encodeState(&smsState{ID: id, Conv: conv, Last: now, Reference: reference})
	if err != nil {
		return err
	}
	sealed, err := s.sealState(k, raw)
	if err != nil {
		return fmt.Errorf("encrypt sms conversation: %w", err)
	}
	res, err := webReferralPutScript.Run(ctx, s.rdb, []string{k.lock, k.conv, k.seen, k.lang},
		token, sealed, s.cfg.ConversationTTL.Milliseconds()).Int()
	if err != nil {
		return fmt.Errorf("save sms conversation: %w", err)
	}
	if res != 1 {
		return errLockLost
	}
	return nil
}
