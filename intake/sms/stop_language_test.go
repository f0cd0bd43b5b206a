package sms

import (
	"context"
	"encoding/hex"
	"strings"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/onward-network/onward/core"
)

// TestRepliesAfterStopInTheLanguageLastUsed: a client who opts out before
// finishing the questions (so no record says their language, and STOP
// drops the conversation) gets START, HELP and a new conversation in the
// language they last used, however they chose it.
func TestRepliesAfterStopInTheLanguageLastUsed(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name        string
		before      []string // the texts before the opt-out
		stop, start string
		wantStop    string
		wantHelp    string
		wantStart   string
		wantBegin   string // the first words of a new conversation
		code        string
	}{
		{name: "POMOC", before: []string{"POMOC"}, stop: "STOP", start: "START", wantStop: "Nie będziesz już",
			wantHelp: "pomaga znaleźć bezpłatną poradę", wantStart: "Witamy ponownie", wantBegin: "Dzień dobry", code: "pl"},
		{name: "chosen by name", before: []string{"Hi", "POLSKI", "1"}, stop: "STOP", start: "START", wantStop: "Nie będziesz już",
			wantHelp: "pomaga znaleźć bezpłatną poradę", wantStart: "Witamy ponownie", wantBegin: "Dzień dobry", code: "pl"},
		{name: "СТОП as the first text", stop: "СТОП", start: "START", wantStop: "Ви більше не",
			wantHelp: "допомагає", wantStart: "З поверненням", code: "uk"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			h := newSMSHarness(t)
			const phone = "+447700900456"
			for _, b := range tc.before {
				h.text(phone, b)
			}
			if got := strings.Join(h.text(phone, tc.stop), " "); !strings.Contains(got, tc.wantStop) {
				t.Fatalf("%s answered %q", tc.stop, got)
			}
			if got := strings.Join(h.text(phone, "HELP"), " "); !strings.Contains(got, tc.wantHelp) {
				t.Errorf("HELP after %s answered %q, want %s (%q)", tc.stop, got, tc.code, tc.wantHelp)
			}
			if got := strings.Join(h.text(phone, tc.start), " "); !strings.Contains(got, tc.wantStart) {
				t.Errorf("%s after %s answered %q, want %s (%q)", tc.start, tc.stop, got, tc.code, tc.wantStart)
			}
			if tc.wantBegin == "" {
				return
			}
			got := h.text(phone, "mam problem z czynszem")
			if len(got) == 0 || !strings.HasPrefix(got[0], tc.wantBegin) || h.state(phone) == nil || h.state(phone).Conv.Lang != tc.code {
				t.Errorf("a new conversation after START began %q, want %s", got, tc.code)
			}
		})
	}
}

// TestRememberedLanguageIsShortLived: the language kept for a phone,
// while its conversation runs (so a conversation that times out restarts
// in it) and after it was dropped, is the language code alone, expires
// with the "was running" marker's lifetime, goes when a conversation
// finishes (the client's record says it from then on) and with an
// erasure; a phone that never chose a language leaves none.
func TestRememberedLanguageIsShortLived(t *testing.T) {
	t.Parallel()
	h := newSMSHarness(t)
	ctx := context.Background()
	const phone = "+447700900456"
	hash := hex.EncodeToString(h.env.Crypt.PhoneHash(core.Phone(phone)))
	k := h.sms.phoneKeys(hash)
	remembered := func() string {
		t.Helper()
		v, err := h.rdb.Get(ctx, k.lang).Result()
		if err == redis.Nil {
			return ""
		}
		if err != nil {
			t.Fatal(err)
		}
		return v
	}

	h.text(phone, "POMOC") // a Polish keyword first: a conversation starts in Polish
	if got := remembered(); got != "pl" {
		t.Fatalf("a running Polish conversation left %q remembered, want pl", got)
	}
	h.text(phone, "STOP")
	if got := remembered(); got != "pl" {
		t.Fatalf("after STOP the phone's language is %q, want pl", got)
	}
	ttl, err := h.rdb.PTTL(ctx, k.lang).Result()
	if want := DefaultConversationTTL + seenTTL; err != nil || ttl <= want-time.Minute || ttl > want {
		t.Errorf("the remembered language lives %s (%v), want %s", ttl, err, want)
	}
	assertAllExpire(t, h, phone)

	h.text(phone, "START")
	h.text(phone, "Cześć")
	if got := remembered(); got != "pl" {
		t.Errorf("a new Polish conversation left %q remembered, want pl", got)
	}
	ttl, err = h.rdb.PTTL(ctx, k.lang).Result()
	if want := DefaultConversationTTL + seenTTL; err != nil || ttl <= want-time.Minute || ttl > want {
		t.Errorf("the running conversation's remembered language lives %s (%v), want %s", ttl, err, want)
	}
	for _, b := range []string{"1", "KY1 1AB", "nie", "nie", "Ania Fikcyjna", "1", "tak", "rano", "TAK"} {
		h.text(phone, b)
	}
	if st := h.state(phone); st == nil || st.Reference == "" {
		t.Fatalf("the Polish conversation did not finish: %+v", st)
	}
	if got := remembered(); got != "" {
		t.Errorf("a finished conversation left %q remembered", got)
	}
	h.text(phone, "RESTART")
	h.text(phone, "STOP")
	if err := Forget(h.rdb, h.prefix)(ctx, h.env.Crypt.PhoneHash(core.Phone(phone))); err != nil {
		t.Fatal(err)
	}
	if got := remembered(); got != "" {
		t.Errorf("an erasure left %q remembered", got)
	}

	const english = "+447700900457"
	h.text(english, "STOP")
	if n, _ := h.rdb.Exists(ctx, h.sms.phoneKeys(hex.EncodeToString(h.env.Crypt.PhoneHash(english))).lang).Result(); n != 0 {
		t.Error("a STOP with nothing to say the language remembered one")
	}
}
