package sms

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/onward-network/onward/core/coretest"
)

// Mobiles outside ONWARD_PHONE_COUNTRIES (GB in tests): Polish ones, as
// many Polish-speaking clients in Scotland keep their Polish SIM.
const (
	abroadPhone      = "+48512345678"
	abroadPhoneOther = "+48601234567"
)

// wantNothingKeptAbroad fails the test if a text from abroad left a
// conversation, a record or a Redis key naming the number in clear.
func (h *smsHarness) wantNothingKeptAbroad() {
	h.t.Helper()
	for _, table := range []string{"clients", "events", "outbox", "sms_optouts", "messaging_channels"} {
		if n := h.count(table); n != 0 {
			h.t.Errorf("%d rows in %s after texts from abroad, want none", n, table)
		}
	}
	keys, err := h.rdb.Keys(context.Background(), h.prefix+"*").Result()
	if err != nil {
		h.t.Fatal(err)
	}
	for _, k := range keys {
		if !strings.HasPrefix(k, h.prefix+"sms:abroad-crisis:") {
			h.t.Errorf("Redis key %q after texts from abroad; want only the hourly bound's", k)
		}
		for _, p := range []string{"512345678", "601234567"} {
			if strings.Contains(k, p) {
				h.t.Errorf("Redis key %q names the number", k)
			}
		}
	}
}

// wantLogsWithoutAbroad fails the test if the log carries a number from
// abroad or the words texted.
func (h *smsHarness) wantLogsWithoutAbroad(words ...string) {
	h.t.Helper()
	for _, s := range append([]string{"512345678", "601234567", "81234"}, words...) {
		if strings.Contains(h.logs.String(), s) {
			h.t.Errorf("the log carries %q:\n%s", s, h.logs.String())
		}
	}
}

// TestSMSCrisisWordsFromAbroadGetTheCrisisLines: texts from senders
// Onward does not converse with. A Polish mobile texting self-harm words
// in Polish gets the crisis lines in Polish, and nothing else; Twilio's
// retry of that text gets them again; its next crisis text within the
// hour gets nothing, and one after the hour the lines again. Another
// Polish mobile texting danger words in English gets 999 and the domestic
// abuse helpline in English. Ordinary words from abroad, and crisis words
// from a short code or an alphanumeric sender, get nothing. No
// conversation, record or key names the number, and the log carries
// neither the numbers nor the words.
func TestSMSCrisisWordsFromAbroadGetTheCrisisLines(t *testing.T) {
	t.Parallel()
	h := newSMSHarness(t)
	polishLines := "Nie musisz radzić sobie w pojedynkę."
	dangerLine := "Domestic Abuse and Forced Marriage Helpline is free, 24 hours a day: 0800 027 1234."

	sid := h.nextSID()
	got := h.textSID(sid, abroadPhone, "chcę umrzeć")
	if len(got) != 1 || !strings.HasPrefix(got[0], polishLines) || !strings.Contains(got[0], "116 123") {
		t.Fatalf("Polish self-harm words from a Polish mobile got %q; want the crisis lines alone, in Polish", got)
	}
	if again := h.textSID(sid, abroadPhone, "chcę umrzeć"); strings.Join(again, "\n") != strings.Join(got, "\n") {
		t.Errorf("Twilio's retry got %q, want %q again", again, got)
	}
	if again := h.text(abroadPhone, "chcę umrzeć"); len(again) != 0 {
		t.Errorf("the same number's next crisis text within the hour got %q, want nothing", again)
	}

	danger := h.text(abroadPhoneOther, "my partner is going to kill me")
	if len(danger) != 1 || !strings.Contains(danger[0], "If you are in danger now, call 999.") || !strings.Contains(danger[0], dangerLine) {
		t.Errorf("English danger words from another Polish mobile got %q; want 999 and the helpline, in English", danger)
	}

	for _, c := range []struct{ name, from, body string }{
		{"ordinary words from abroad", "+48501234567", "dzień dobry, potrzebuję pomocy z długiem"},
		{"a short code", "81234", "I want to kill myself"},
		{"an alphanumeric sender", "ONWARDTEST", "I want to kill myself"},
		{"a freephone number abroad", "+48800123456", "I want to kill myself"},
	} {
		if got := h.text(c.from, c.body); len(got) != 0 {
			t.Errorf("%s got %q, want nothing", c.name, got)
		}
	}
	h.wantNothingKeptAbroad()

	// The hour passes (Redis expires the bound): the lines again.
	key := abroadCrisisKey(h.prefix, h.env.Engine.Crypter().PhoneHash(abroadPhone))
	ttl, err := h.rdb.TTL(context.Background(), key).Result()
	if err != nil || ttl <= 0 || ttl > time.Hour {
		t.Errorf("the bound's expiry %v, %v; want within the hour", ttl, err)
	}
	if err := h.rdb.Del(context.Background(), key).Err(); err != nil {
		t.Fatal(err)
	}
	if got := h.text(abroadPhone, "chcę umrzeć"); len(got) != 1 || !strings.HasPrefix(got[0], polishLines) {
		t.Errorf("a crisis text after the hour got %q, want the crisis lines again", got)
	}
	h.wantLogsWithoutAbroad("umrze", "partner", "kill", "dług")
}

// TestSMSCrisisWordsFromAbroadWithRedisDown: Redis, which bounds the
// replies abroad, does not answer. Crisis words from a Polish mobile get
// the crisis lines all the same, and the error is logged without the
// number.
func TestSMSCrisisWordsFromAbroadWithRedisDown(t *testing.T) {
	t.Parallel()
	h := newSMSHarnessOn(t, coretest.NewEnv(t), coretest.UnreachableRedis(t), "onward-test-down:")
	for range 2 {
		if got := h.text(abroadPhone, "I want to kill myself"); len(got) != 1 || !strings.Contains(got[0], "Samaritans") {
			t.Fatalf("self-harm words from abroad with Redis down got %q, want the crisis lines", got)
		}
	}
	if !strings.Contains(h.logs.String(), "the hourly bound could not be checked, answered anyway") {
		t.Errorf("the Redis error was not logged:\n%s", h.logs.String())
	}
	h.wantLogsWithoutAbroad("kill")
}
