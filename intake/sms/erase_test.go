package sms

import (
	"context"
	"encoding/hex"
	"testing"

	"github.com/onward-network/onward/core"
)

// TestErasureForgetsThePhonesTexts: erasing a client removes what Redis
// holds for their phone (a conversation begun since, its marker, the
// replies kept for Twilio's retries) and nothing of another phone's; the
// opt-out cache stays, as the opt-out does.
func TestErasureForgetsThePhonesTexts(t *testing.T) {
	t.Parallel()
	h := newSMSHarness(t)
	ctx := context.Background()
	const other = "+447700900555"
	r := h.referByText(smsTestPhone)
	// A new request begun since: its answers are in Redis only.
	for _, b := range []string{"RESTART", "1", "4", "KY1 1AB"} {
		h.text(smsTestPhone, b)
	}
	for _, b := range []string{"Hi", "1", "1 3"} {
		h.text(other, b)
	}
	hash := func(phone string) string {
		return hex.EncodeToString(h.env.Engine.Crypter().PhoneHash(core.Phone(phone)))
	}
	mine, theirs := keysOfPhone(h.prefix, hash(smsTestPhone)), keysOfPhone(h.prefix, hash(other))
	count := func(k smsKeys) (conv, seen int64, sids int) {
		t.Helper()
		conv, _ = h.rdb.Exists(ctx, k.conv).Result()
		seen, _ = h.rdb.Exists(ctx, k.seen).Result()
		ks, err := h.rdb.Keys(ctx, k.sids+"*").Result()
		if err != nil {
			t.Fatal(err)
		}
		return conv, seen, len(ks)
	}
	if conv, seen, sids := count(mine); conv != 1 || seen != 1 || sids != 14 {
		t.Fatalf("before the erasure the phone has conversation %d, marker %d, %d stored replies; want 1, 1, 14", conv, seen, sids)
	}
	optOut, _ := h.rdb.Exists(ctx, mine.optOut).Result()

	h.env.Engine.OnErase(Forget(h.rdb, h.prefix))
	if err := h.env.Engine.EraseClient(ctx, r.ClientID, h.env.Net.Coordinator.Actor(), core.ErasureClientAsked, "web"); err != nil {
		t.Fatal(err)
	}
	if conv, seen, sids := count(mine); conv != 0 || seen != 0 || sids != 0 {
		t.Fatalf("after the erasure the phone still has conversation %d, marker %d, %d stored replies", conv, seen, sids)
	}
	if n, _ := h.rdb.Exists(ctx, mine.optOut).Result(); n != optOut {
		t.Fatalf("the opt-out cache went from %d to %d keys", optOut, n)
	}
	if conv, _, sids := count(theirs); conv != 1 || sids != 3 {
		t.Fatalf("another phone lost its texts: conversation %d, %d stored replies", conv, sids)
	}
	// The erased client texting again starts afresh, without the answers.
	if st := h.state(smsTestPhone); st != nil {
		t.Fatalf("state after the erasure: %+v", st)
	}
}

// TestErasureDuringATextIsNotUndone: a text being handled when the
// client's details are erased read the conversation before it went; its
// save is refused, so the answers given before the erasure do not come
// back, and nothing of the phone is left in Redis without an expiry.
func TestErasureDuringATextIsNotUndone(t *testing.T) {
	t.Parallel()
	h := newSMSHarness(t)
	ctx := context.Background()
	r := h.referByText(smsTestPhone)
	for _, b := range []string{"RESTART", "1", "4"} {
		h.text(smsTestPhone, b)
	}
	h.env.Engine.OnErase(Forget(h.rdb, h.prefix))
	h.sms.lockHook = func(body string) {
		if body == "KY1 1AB" {
			if err := h.env.Engine.EraseClient(ctx, r.ClientID, h.env.Net.Coordinator.Actor(), core.ErasureClientAsked, "web"); err != nil {
				t.Error(err)
			}
		}
	}
	h.text(smsTestPhone, "KY1 1AB")
	if st := h.state(smsTestPhone); st != nil {
		t.Fatalf("a text in flight wrote the erased conversation back: %+v", st.Conv.Answers)
	}
	assertAllExpire(t, h, smsTestPhone)
}

// TestStoredReplyAlwaysExpires: a text whose MessageSid's marker is
// removed while it is handled (an erasure's sweep of the phone's replies)
// still stores its reply with the replay guard's lifetime, never for good.
func TestStoredReplyAlwaysExpires(t *testing.T) {
	t.Parallel()
	h := newSMSHarness(t)
	ctx := context.Background()
	h.text(smsTestPhone, "Hi")
	keys := h.sms.phoneKeys(hex.EncodeToString(h.env.Crypt.PhoneHash(smsTestPhone)))
	sid := h.nextSID()
	h.sms.lockHook = func(string) {
		if err := h.rdb.Del(ctx, keys.sid(sid)).Err(); err != nil {
			t.Error(err)
		}
	}
	h.textSID(sid, smsTestPhone, "1")
	if ttl, err := h.rdb.PTTL(ctx, keys.sid(sid)).Result(); err != nil || ttl <= 0 {
		t.Fatalf("the stored reply's expiry: %v %v, want one", ttl, err)
	}
	assertAllExpire(t, h, smsTestPhone)
}

// assertAllExpire fails if any of the phone's Redis keys has no expiry.
func assertAllExpire(t *testing.T, h *smsHarness, phone string) {
	t.Helper()
	ctx := context.Background()
	k := h.sms.phoneKeys(hex.EncodeToString(h.env.Crypt.PhoneHash(core.Phone(phone))))
	keys, err := h.rdb.Keys(ctx, k.sids+"*").Result()
	if err != nil {
		t.Fatal(err)
	}
	for _, key := range append(keys, k.conv, k.seen, k.lock, k.optOut, k.count, k.lang) {
		if ttl, err := h.rdb.PTTL(ctx, key).Result(); err != nil || ttl == -1 {
			t.Errorf("%s is kept without an expiry (%v %v)", key, ttl, err)
		}
	}
}
