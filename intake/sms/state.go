package sms

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/onward-network/onward/intake/flow"

	"github.com/redis/go-redis/v9"
)

// smsState is one phone's conversation as kept in Redis, under the keyed
// hash of the phone. It holds the client's answers (personal data: their
// postcode, name and own words), so it is stored encrypted with the
// engine's Crypter (sealState), lives only for the conversation TTL and
// is emptied when the conversation ends.
type smsState struct {
	// ID names the conversation; it is core's idempotency key, so a YES
	// handled twice makes one referral.
	ID   string            `json:"id"`
	Conv flow.Conversation `json:"conv"`
	// Last is when the client last wrote; a conversation older than the
	// TTL restarts even if Redis still holds it.
	Last time.Time `json:"last"`
	// Reference is the referral made at the end, if any.
	Reference string `json:"reference,omitempty"`
	// Texts are the MessageSids of the client's texts while the
	// conversation is open, one after another (sidLen each, at most
	// core.MaxConversationTexts of them), handed to core with the
	// self-referral (state_texts.go). One string, not a list: the state
	// is decoded on every text, and one string is one allocation.
	Texts string `json:"texts,omitempty"`
}

// open reports whether the conversation still has a question waiting.
func (st *smsState) open() bool {
	return st != nil && st.Conv.Step != flow.StepDone && st.Conv.Step != flow.StepDeclined
}

// smsKeys are the Redis keys of one phone.
type smsKeys struct {
	conv string // the smsState, with the conversation TTL
	seen string // "a conversation was running": lets an expired one restart politely
	lock string // held while one text from the phone is handled
	// optOut caches Postgres's answer to "has this phone opted out?" as
	// "1" or "0", for optOutCacheTTL: a conversation is a burst of texts,
	// and each would otherwise ask Postgres. Every opt-out or opt-in that
	// intake records rewrites or deletes it.
	optOut string
	// count is how many texts the phone sent in the current hour, for the
	// per-phone limit (see claimScript).
	count string
	// sids starts the key of each MessageSid from the phone (sid).
	sids string
	// lang is the language of a running conversation, or of one that was
	// dropped (STOP, the withdraw keyword), so a conversation that timed
	// out restarts, and START, HELP and a new conversation after a drop
	// are, in the language the client last used rather than the default.
	// It holds a language code, kept in the clear like the opt-out
	// answer, and after "Other" the answer to "which language?" sealed
	// (lang_memo.go), for as long as the "was running" marker would be;
	// a finished conversation removes it (the client's record says their
	// language), and so does an erasure (Forget).
	lang string
}

// phoneKeys names one phone's keys. Each carries the phone's hash in
// braces, Redis Cluster's hash tag, so all of them live in one slot and
// one script may touch them together: a Cluster refuses a script whose
// keys are in different slots (CROSSSLOT).
func (s *SMS) phoneKeys(phoneHash string) smsKeys { return keysOfPhone(s.cfg.KeyPrefix, phoneHash) }

// keysOfPhone names the keys of the phone with the hex keyed hash
// phoneHash under keyPrefix.
func keysOfPhone(keyPrefix, phoneHash string) smsKeys {
	p, tag := keyPrefix+"sms:", "{"+phoneHash+"}"
	return smsKeys{conv: p + "conv:" + tag, seen: p + "seen:" + tag, lock: p + "lock:" + tag,
		optOut: p + "optout:" + tag, count: p + "count:" + tag, sids: p + "sid:" + tag + ":", lang: p + "lang:" + tag}
}

// sid is the key that remembers a MessageSid from the phone and the reply
// it got. A text and Twilio's retries of it come from one phone.
func (k smsKeys) sid(messageSID string) string { return k.sids + messageSID }

// sidPending marks a MessageSid whose reply is still being worked out.
const sidPending = "-"

// optOutCacheTTL bounds how long a cached opt-out answer is trusted. The
// only change intake cannot rewrite at once is an opt-out recorded while
// Redis was down; the cache is right again within this time, and Twilio
// refuses texts to a phone that sent STOP in any case.
const optOutCacheTTL = 5 * time.Minute

// The phone's lock expires at the deadline of the request that took it
// (webhookDeadline), on Redis's clock as an absolute time (PXAT): it
// cannot outlive its request, even when the claim reached Redis late
// (after a Redis that hung), and a crashed server holds it no longer. A
// text takes milliseconds; the save checks the lock is still ours, so a
// text that overran it is refused rather than overwriting a newer one.

// seenTTL is how long after its TTL an expired conversation is still
// remembered as "was running", to restart it with an apology.
const seenTTL = 7 * 24 * time.Hour

var errLockBusy = errors.New("another text from this phone is still being handled")

// smsClaim is the outcome of claiming a text: whether its MessageSid is
// new and, if so, the phone's lock and state.
type smsClaim struct {
	fresh bool      // the MessageSid was not seen before; the lock is held
	state *smsState // nil when no conversation is stored
	seen  bool      // a conversation was running lately
	// optOut is the cached opt-out answer: "1", "0", or "" when Postgres
	// must be asked.
	optOut string
	// lang is the language remembered for the phone ("" for none;
	// smsKeys.lang), and other the "Other" answer kept with it (nil for
	// none: lang_memo.go).
	lang  string
	other *flow.OtherLanguageKept
}

// claimScript is one text's first round trip. It counts the text against
// its phone's hourly limit, marks the MessageSid as seen (so of two
// deliveries of one text exactly one goes on), takes the phone's lock
// (SET NX, expiring at ARGV[4], the request's deadline in Unix
// milliseconds) and reads the conversation, the "was running" marker,
// the cached opt-out answer and the remembered language. With ARGV[5] =
// "lock" it only retries the lock and the reads. It returns {fresh,
// locked, conv, has_conv, seen, optout, lang}; a MessageSid seen before is
// not counted and takes no lock.
//
// The limit (ARGV[7] texts) counts in windows of an hour (ARGV[8] ms)
// from the phone's first text in it: the INCR and PEXPIRE pattern from
// Redis's documentation. A text over it returns {-2, …}, is not left
// marked as seen and takes no lock; with ARGV[5] = "optout" or "crisis"
// (an opt-out or START, or words of self-harm or danger, claimed again after that
// refusal) it is counted but not held back. Counting here, not in a second
// script, keeps a text to one Redis call before its reply. The script
// makes as few calls as it can (one SET NX marks the MessageSid and
// tells a retry, one MGET reads the four keys): each call inside a
// script costs Redis about as much as a command from outside.
//
// A claim that reaches Redis after ARGV[6] (Unix milliseconds), when its
// sender has stopped waiting for the answer (a Redis that hung), does
// nothing and returns {-1, …}: it would hold a lock nobody releases.
var claimScript = redis.NewScript(`
local t = redis.call('TIME')
if tonumber(ARGV[6]) <= tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000) then
  return {-1, 0, '', 0, 0, '', ''}
end
if ARGV[5] ~= 'lock' then
  if not redis.call('SET', KEYS[1], ARGV[1], 'NX', 'PX', ARGV[2]) then
    return {0, 0, '', 0, 0, '', ''}
  end
  local n = redis.call('INCR', KEYS[6])
  if n == 1 then
    redis.call('PEXPIRE', KEYS[6], ARGV[8])
  end
  if ARGV[5] == 'claim' and n > tonumber(ARGV[7]) then
    redis.call('DEL', KEYS[1])
    return {-2, 0, '', 0, 0, '', ''}
  end
end
if not redis.call('SET', KEYS[2], ARGV[3], 'NX', 'PXAT', ARGV[4]) then
  return {1, 0, '', 0, 0, '', ''}
end
local v = redis.call('MGET', KEYS[3], KEYS[5], KEYS[4], KEYS[7])
return {1, 1, v[1] or '', v[1] and 1 or 0, v[3] and 1 or 0, v[2] or '', v[4] or ''}`)

// phoneLimitWindow is the per-phone limit's window (SMSRatePerHour).
const phoneLimitWindow = time.Hour

// claimResult is claimScript's answer.
type claimResult struct {
	fresh, locked, seen bool
	conv                []byte // nil when no conversation is stored
	optOut              string
	lang                string
}

// errClaimLate means the claim reached Redis after its request's deadline
// and did nothing.
var errClaimLate = errors.New("the claim reached Redis after the request's deadline")

// errOverLimit means the phone sent more texts this hour than its limit.
// A client texting that much is either a loop between two auto-responders
// or abuse; either way each extra text would cost an outbound SMS.
var errOverLimit = errors.New("the phone's hourly limit of texts is reached")

func (s *SMS) runClaim(ctx context.Context, k smsKeys, sidKey, token, mode string) (claimResult, error) {
	// Both times are wall-clock instants compared with Redis's own clock,
	// so servers and Redis keep their clocks in step (NTP).
	now := time.Now()
	deadline, ok := ctx.Deadline()
	if !ok {
		deadline = now.Add(webhookDeadline)
	}
	stale := now.Add(s.cfg.RedisTimeout)
	if deadline.Before(stale) {
		stale = deadline
	}
	// stale is no later than ctx's own deadline, and the claim needs
	// nothing else of ctx: without its cancellation, the claim's deadline
	// is one timer and not another child for ctx to track.
	ctx, cancel := context.WithDeadline(context.WithoutCancel(ctx), stale)
	defer cancel()
	v, err := claimScript.Run(ctx, s.rdb, []string{sidKey, k.lock, k.conv, k.seen, k.optOut, k.count, k.lang},
		sidPending, s.cfg.DedupeTTL.Milliseconds(), token, deadline.UnixMilli(), mode, stale.UnixMilli(),
		s.cfg.SMSRatePerHour, phoneLimitWindow.Milliseconds()).Slice()
	if err != nil {
		return claimResult{}, err
	}
	if len(v) != 7 {
		return claimResult{}, fmt.Errorf("claim script answered %d values, want 7", len(v))
	}
	switch n, _ := v[0].(int64); n {
	case -1:
		return claimResult{}, errClaimLate
	case -2:
		return claimResult{}, errOverLimit
	}
	num := func(i int) bool { n, _ := v[i].(int64); return n == 1 }
	str := func(i int) string { s, _ := v[i].(string); return s }
	r := claimResult{fresh: num(0), locked: num(1), seen: num(4), optOut: str(5), lang: str(6)}
	if num(3) {
		r.conv = []byte(str(2))
	}
	return r, nil
}

// The ways a text is claimed (claimScript's ARGV[5]).
const (
	claimText   = "claim"  // within the phone's hourly limit
	claimOptOut = "optout" // an opt-out (or START, opting back in), whatever the limit
	claimCrisis = "crisis" // words of self-harm or danger, once an hour past the limit (overLimitCrisis)
)

// claim claims a text (see claimScript), waiting for the phone's lock
// while another text from the phone holds it (waitForLock).
func (s *SMS) claim(ctx context.Context, k smsKeys, sidKey, token, mode string) (smsClaim, error) {
	r, err := s.runClaim(ctx, k, sidKey, token, mode)
	if err != nil {
		return smsClaim{}, fmt.Errorf("claim text: %w", err)
	}
	if !r.fresh {
		return smsClaim{}, nil
	}
	if !r.locked {
		if r, err = s.waitForLock(ctx, k, sidKey, token); err != nil {
			return smsClaim{}, err
		}
	}
	c := smsClaim{fresh: true, seen: r.seen}
	c.lang, c.other = s.readMemo(k, r.lang)
	if r.optOut == "0" || r.optOut == "1" {
		c.optOut = r.optOut
	}
	if r.conv != nil {
		var st smsState
		plain, err := s.openState(k, r.conv)
		if err == nil {
			st, err = decodeState(plain)
		}
		if err != nil {
			// A state this code can't read (an older shape) starts afresh
			// rather than trapping the client.
			s.log.Warn("unreadable sms conversation state, starting again", "err", err)
		} else {
			c.state = &st
		}
	}
	return c, nil
}

// waitForLock retries the lock of a text whose MessageSid is claimed
// while another text from the phone holds it, with backoff, so two texts
// sent at once are both applied, one after the other. A text that cannot
// get it in time lets its MessageSid go, so Twilio's retry is handled.
func (s *SMS) waitForLock(ctx context.Context, k smsKeys, sidKey, token string) (claimResult, error) {
	// The lock wait is a timer, not business time: it runs on the wall
	// clock whatever the engine's clock says.
	lockWait, stop := context.WithTimeout(ctx, s.cfg.LockWait)
	defer stop()
	wait := 2 * time.Millisecond
	var r claimResult
	for !r.locked {
		select {
		case <-lockWait.Done():
			s.forgetSID(context.WithoutCancel(ctx), sidKey)
			if err := ctx.Err(); err != nil {
				return claimResult{}, err
			}
			return claimResult{}, errLockBusy
		case <-time.After(wait):
		}
		wait = min(wait*2, 50*time.Millisecond)
		var err error
		if r, err = s.runClaim(ctx, k, sidKey, token, "lock"); err != nil {
			s.forgetSID(context.WithoutCancel(ctx), sidKey)
			return claimResult{}, fmt.Errorf("lock phone: %w", err)
		}
	}
	return r, nil
}

// unlockScript deletes the lock only if it is still ours.
var unlockScript = redis.NewScript(`
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0`)

func (s *SMS) unlock(ctx context.Context, k smsKeys, token string) {
	// During an outage already logged, a lock that cannot be released
	// is part of it (and expires with its request).
	if err := unlockScript.Run(ctx, s.rdb, []string{k.lock}, token).Err(); err != nil && !s.outages.Down(partConversations) {
		s.log.Warn("release sms phone lock", "err", err)
	}
}

// forgetSID lets a delivery of the text be handled again, after a fault
// that left nothing done.
func (s *SMS) forgetSID(ctx context.Context, sidKey string) {
	if err := s.rdb.Del(ctx, sidKey).Err(); err != nil {
		s.log.Warn("forget message sid", "err", err)
	}
}

// stateChange says what a text did to the stored conversation.
type stateChange int

const (
	stateKeep stateChange = iota // leave it as it is
	statePut                     // store the new state
	stateDrop                    // delete it (STOP)
)

// saveScript stores the outcome of one text atomically, and only while
// the phone's lock is still ours: the new state (or its removal), the
// "was running" marker, the opt-out answer to cache, the language to
// remember or forget (ARGV[11], "set" or "del", kept as long as the
// marker), the reply for the MessageSid, and the unlock. The reply is
// stored with the replay guard's own lifetime (ARGV[10]) rather than
// keeping the marker's: a marker removed meanwhile (an erasure) would
// otherwise come back with none.
var saveScript = redis.NewScript(`
if redis.call('GET', KEYS[1]) ~= ARGV[1] then return 0 end
if ARGV[2] == 'put' then
  redis.call('SET', KEYS[2], ARGV[3], 'PX', ARGV[4])
elseif ARGV[2] == 'drop' then
  redis.call('DEL', KEYS[2])
end
if ARGV[5] == 'set' then
  redis.call('SET', KEYS[3], '1', 'PX', ARGV[6])
elseif ARGV[5] == 'del' then
  redis.call('DEL', KEYS[3])
end
if ARGV[8] ~= '' then
  redis.call('SET', KEYS[5], ARGV[8], 'PX', ARGV[9])
end
if ARGV[11] == 'set' then
  redis.call('SET', KEYS[6], ARGV[12], 'PX', ARGV[6])
elseif ARGV[11] == 'del' then
  redis.call('DEL', KEYS[6])
end
redis.call('DEL', KEYS[1])
redis.call('SET', KEYS[4], ARGV[7], 'PX', ARGV[10])
return 1`)

var errLockLost = errors.New("the phone's lock expired before the text was saved")

// langMemo is what a text does to the language remembered for its phone
// (smsKeys.lang); the zero value leaves it as it is.
type langMemo struct {
	set    string // remember this language
	forget bool   // remove the one remembered
	// other is the "Other" answer to keep with set (lang_memo.go).
	other *flow.OtherLanguageKept
}

// save stores what one text did and releases the phone's lock.
// optOut, when not "", is the phone's opt-out answer to cache.
func (s *SMS) save(ctx context.Context, k smsKeys, sidKey, token string, change stateChange, st *smsState, optOut string, memo langMemo, reply string) error {
	mode, seen := "keep", "keep"
	var raw []byte
	switch change {
	case statePut:
		var err error
		if raw, err = encodeState(st); err != nil {
			return err
		}
		if raw, err = s.sealState(k, raw); err != nil {
			return fmt.Errorf("encrypt sms conversation: %w", err)
		}
		mode, seen = "put", "del"
		if st.open() {
			seen = "set"
		}
	case stateDrop:
		mode, seen = "drop", "del"
	}
	sealedReply, err := s.sealReply(sidKey, reply)
	if err != nil {
		return fmt.Errorf("encrypt sms reply: %w", err)
	}
	langMode, memoValue := "keep", ""
	switch {
	case memo.set != "":
		langMode = "set"
		if memoValue, err = s.memoValue(k, memo.set, memo.other); err != nil {
			return err
		}
	case memo.forget:
		langMode = "del"
	}
	ttl := s.cfg.ConversationTTL
	res, err := saveScript.Run(ctx, s.rdb, []string{k.lock, k.conv, k.seen, sidKey, k.optOut, k.lang},
		token, mode, raw, ttl.Milliseconds(), seen, (ttl + seenTTL).Milliseconds(), sealedReply,
		optOut, optOutCacheTTL.Milliseconds(), s.cfg.DedupeTTL.Milliseconds(), langMode, memoValue).Int()
	if err != nil {
		return fmt.Errorf("save sms conversation: %w", err)
	}
	if res != 1 {
		return errLockLost
	}
	return nil
}

// storedReply returns the reply a MessageSid got. A delivery that arrives
// while the first is still being handled waits for its reply; if none
// comes in time, it gets an empty answer and the first delivery's reply
// stands.
func (s *SMS) storedReply(ctx context.Context, sidKey string) (string, bool, error) {
	wctx, cancel := context.WithTimeout(ctx, s.cfg.LockWait)
	defer cancel()
	for {
		v, err := s.rdb.Get(ctx, sidKey).Result()
		if errors.Is(err, redis.Nil) {
			return "", false, nil // forgotten after a fault: the first delivery did nothing
		}
		if err != nil {
			return "", false, fmt.Errorf("stored reply: %w", err)
		}
		if v != sidPending {
			reply, err := s.openReply(sidKey, v)
			if err != nil {
				return "", false, fmt.Errorf("stored reply: %w", err)
			}
			return reply, true, nil
		}
		select {
		case <-wctx.Done():
			return "", false, ctx.Err()
		case <-time.After(20 * time.Millisecond):
		}
	}
}

// forgetOptOut drops a phone's cached opt-out answer, after an opt-out
// recorded outside a text's turn (a carrier's 21610).
func (s *SMS) forgetOptOut(ctx context.Context, phoneHash string) {
	if err := s.rdb.Del(ctx, s.phoneKeys(phoneHash).optOut).Err(); err != nil {
		s.log.Warn("forget cached sms opt-out", "err", err)
	}
}
