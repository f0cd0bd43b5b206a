package sms

import (
	"context"
	"encoding/base64"
	"strings"
	"testing"
)

// TestSMSStateEncryptedInRedis reproduces finding 7: the conversation
// state (postcode, name, the client's own words) sat in Redis in the
// clear. Now no Redis key or value carries them, nor the phone number,
// and a state copied under another phone's key does not open.
func TestSMSStateEncryptedInRedis(t *testing.T) {
	t.Parallel()
	h := newSMSHarness(t)
	ctx := context.Background()
	for _, b := range []string{"Hi", "1 3", "KY1 1AB", "no", "no", "Ailsa Fictional"} {
		h.text(smsTestPhone, b)
	}
	st := h.state(smsTestPhone)
	if st == nil || st.Conv.Step == "" {
		t.Fatal("no readable conversation state after six texts")
	}
	keys, err := h.rdb.Keys(ctx, h.sms.cfg.KeyPrefix+"*").Result()
	if err != nil || len(keys) == 0 {
		t.Fatalf("keys under the test prefix: %v, %v", keys, err)
	}
	secrets := []string{"KY1 1AB", "KY1", "Ailsa", "Fictional", strings.TrimPrefix(smsTestPhone, "+44"), "postcode"}
	for _, k := range keys {
		for _, s := range secrets[4:5] {
			if strings.Contains(k, s) {
				t.Errorf("Redis key %q names the phone", k)
			}
		}
		typ, _ := h.rdb.Type(ctx, k).Result()
		if typ != "string" {
			continue
		}
		v, _ := h.rdb.Get(ctx, k).Result()
		for _, s := range secrets {
			if strings.Contains(v, s) {
				t.Errorf("Redis value of %q carries %q in the clear", k, s)
			}
		}
	}
	own := h.sms.phoneKeys("own")
	sealed, err := h.sms.sealState(own, []byte(`{"id":"x"}`))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := h.sms.openState(h.sms.phoneKeys("another"), sealed); err == nil {
		t.Error("a state sealed for one phone opened under another phone's key")
	}
}

// TestKeptReplyIsTheCiphertext checks the reply kept for a MessageSid is
// stored as the ciphertext itself, a third smaller than base64 of it, and
// that a reply kept as base64 before that change still opens.
func TestKeptReplyIsTheCiphertext(t *testing.T) {
	t.Parallel()
	h := newSMSHarness(t)
	ctx := context.Background()
	h.text(smsTestPhone, "Hi")
	sids, err := h.rdb.Keys(ctx, h.sms.cfg.KeyPrefix+"sms:sid:*").Result()
	if err != nil || len(sids) != 1 {
		t.Fatalf("MessageSid keys after one text: %v, %v", sids, err)
	}
	kept, err := h.rdb.Get(ctx, sids[0]).Result()
	if err != nil {
		t.Fatal(err)
	}
	if kept == "" || base64Alphabet(kept[0]) || kept == sidPending {
		t.Fatalf("the kept reply starts %q: want the ciphertext's version byte", kept[:min(len(kept), 8)])
	}
	reply, err := h.sms.openReply(sids[0], kept)
	if err != nil || !strings.Contains(reply, "<Message>") {
		t.Fatalf("the kept reply opens to %q, %v", reply, err)
	}
	// A Crypter ciphertext is 33 bytes longer than its plaintext.
	if len(kept) != len(reply)+33 {
		t.Errorf("the kept reply is %d bytes for a %d-byte reply, want %d", len(kept), len(reply), len(reply)+33)
	}

	old := base64.RawStdEncoding.EncodeToString([]byte(kept))
	if got, err := h.sms.openReply(sids[0], old); err != nil || got != reply {
		t.Errorf("a reply kept as base64 opens to %q, %v; want the reply", got, err)
	}
	if _, err := h.sms.openReply(sids[0]+"x", kept); err == nil {
		t.Error("a reply kept for one MessageSid opened under another")
	}
	if _, err := h.sms.openReply(sids[0], "not*base64"); err == nil {
		t.Error("a damaged base64 reply opened")
	}
}
