package sms

import (
	"context"
	"encoding/hex"
	"strings"
	"testing"
	"time"

	"github.com/onward-network/onward/core"
)

// TestOtherLanguageKeptAfterTimeout: a client who picks "7 Other" and
// names Romanian, then goes quiet past the conversation's timeout, is
// started again in English (their choice) and their referral still asks
// for a Romanian interpreter, whether Redis still holds the old
// conversation or has expired it (a reviewer found the language gone:
// it was held only in the conversation). Their own words for a language
// Onward does not know are kept the same way, for the adviser.
func TestOtherLanguageKeptAfterTimeout(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name, words  string
		redisExpired bool
		tag, note    string
	}{
		{"Romanian, state still stored", "Romanian", false, "ro", ""},
		{"Romanian, state expired in Redis", "Romanian", true, "ro", ""},
		{"words for the language, state expired in Redis", "Mandinka", true, "", "Mandinka"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			h := newSMSHarness(t)
			ctx := context.Background()
			const phone = "+447700900604"
			h.text(phone, "Hello")
			h.text(phone, "7")
			h.text(phone, tc.words)
			if st := h.state(phone); st == nil || !st.Conv.Answers.Interpreter || st.Conv.Lang != "en" {
				t.Fatalf("after naming the language: %+v", st)
			}
			h.env.Clock.Advance(DefaultConversationTTL + time.Hour)
			if tc.redisExpired {
				k := h.sms.phoneKeys(hex.EncodeToString(h.env.Crypt.PhoneHash(core.Phone(phone))))
				if err := h.rdb.Del(ctx, k.conv).Err(); err != nil { // as Redis does at the conversation's TTL
					t.Fatal(err)
				}
			}
			if got := strings.Join(h.text(phone, "hello again"), " "); !strings.HasPrefix(got, "Sorry") || strings.Contains(got, "Polski") {
				t.Fatalf("after the timeout: %q, want the apology in English and no languages offered", got)
			}
			var last []string
			for _, b := range []string{"1", "KY1 1AB", "no", "no", "Andrei Fictiv", "1", "1", "yes"} {
				last = h.text(phone, b)
			}
			ref := referenceRe.FindString(strings.Join(last, " "))
			if ref == "" {
				t.Fatalf("no reference in the last reply: %q", last)
			}
			r, err := h.env.Engine.ReferralByReference(ctx, ref)
			if err != nil {
				t.Fatal(err)
			}
			c, err := h.env.Engine.ClientDetailsFor(ctx, r.ClientID)
			if err != nil {
				t.Fatal(err)
			}
			notes, err := h.env.Engine.ReferralNotes(ctx, r)
			if err != nil {
				t.Fatal(err)
			}
			if c.Language != "en" || !c.Interpreter || c.InterpreterLanguage != tc.tag || (tc.note != "" && !strings.Contains(notes, tc.note)) {
				t.Errorf("client: texts in %q, interpreter %v for %q, notes %q; want en, an interpreter for %q, notes with %q",
					c.Language, c.Interpreter, c.InterpreterLanguage, notes, tc.tag, tc.note)
			}
			// The words are not kept in the clear beside the language.
			k := h.sms.phoneKeys(hex.EncodeToString(h.env.Crypt.PhoneHash(core.Phone(phone))))
			if v, _ := h.rdb.Get(ctx, k.lang).Result(); strings.Contains(v, "Mandinka") || strings.Contains(v, "ro") && tc.tag == "" {
				t.Errorf("the language remembered for the phone holds %q", v)
			}
		})
	}
}
