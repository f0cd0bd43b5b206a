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
		// A kept reply is stored as base64: read what it encodes, which is
		// what would leak. Its letters alone spell a short secret such as
		// "KY1" by chance in about one run in thirty.
		if raw, err := base64.RawStdEncoding.DecodeString(v); err == nil {
			v = string(raw)
		}
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
