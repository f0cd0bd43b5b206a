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
	for _, b := range []string{"Hi", "1", "1", "KY1 1AB", "no", "no", "Ailsa Fictional", "1", "1", "yes"} {
		h.text(smsTestPhone, b)
	}
	// A new request begun since: its answers are in Redis only.
	for _, b := range []string{"RESTART", "1", "4", "KY1 1AB"} {
		h.text(smsTestPhone, b)
	}
	for _, b := range []string{"Hi", "1", "1 3"} {
		h.text(other, b)
	}
	r, err := h.env.Engine.ReferralByReference(ctx, "ONW-T00001")
	if err != nil {
		t.Fatal(err)
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
	if err := h.env.Engine.EraseClient(ctx, r.ClientID, h.env.Net.Coordinator.Actor(), "client asked"); err != nil {
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
