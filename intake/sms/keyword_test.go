package sms

import (
	"fmt"
	"strings"
	"testing"
)

// TestSMSFirstTextKeywordInItsLanguage: a keyword as the very first text
// shows the client's language, so it is answered in it: STOP's
// confirmation, and HELP's text followed by the conversation in that
// language, which keeps it. A word several languages share (STOP is
// English's and Polish's) and English's own HELP are answered in English
// as before, and an opted-out phone's HELP is the help alone.
func TestSMSFirstTextKeywordInItsLanguage(t *testing.T) {
	t.Parallel()
	for i, c := range []struct {
		body, want string // want: in the first reply
		optedOut   bool
		lang       string // the conversation's language after it, "" for none
		replies    int
	}{
		{"СТОП", "Ви більше не отримуватимете SMS", true, "", 1},
		{"توقف", "لن تصلك رسائل أخرى", true, "", 1},
		{"بند کریں", "سے مزید میسج نہیں ملیں گے", true, "", 1},
		{"Stad.", "Chan fhaigh sibh tuilleadh teacsaichean", true, "", 1},
		{"STOP", "You won't get any more texts", true, "", 1},
		{"POMOC", "pomaga znaleźć bezpłatną poradę", false, "pl", 3},
		{"مساعدة", "تساعدك", false, "ar", 3},
		{"cuideachadh!", "Cuidichidh", false, "gd", 3},
		{"HELP", "helps you find free advice", false, "", 1},
	} {
		t.Run(c.body, func(t *testing.T) {
			t.Parallel()
			h := newSMSHarness(t)
			phone := fmt.Sprintf("+4477009005%02d", i)
			got := h.text(phone, c.body)
			if len(got) != c.replies || !strings.Contains(got[0], c.want) {
				t.Fatalf("%q as the first text answered %q, want %d texts, the first with %q", c.body, got, c.replies, c.want)
			}
			if h.optedOut(phone) != c.optedOut {
				t.Errorf("%q: opted out %v, want %v", c.body, h.optedOut(phone), c.optedOut)
			}
			st := h.state(phone)
			switch {
			case c.lang == "" && st.open():
				t.Errorf("%q started a conversation in %q", c.body, st.Conv.Lang)
			case c.lang != "" && (!st.open() || st.Conv.Lang != c.lang || st.Conv.Step != "needs"):
				t.Errorf("%q: conversation %+v, want one in %s at the needs question", c.body, st, c.lang)
			}
		})
	}
	t.Run("opted out", func(t *testing.T) {
		t.Parallel()
		h := newSMSHarness(t)
		h.text(smsTestPhone, "STOP")
		got := h.text(smsTestPhone, "POMOC")
		if len(got) != 1 || !strings.Contains(got[0], "pomaga znaleźć bezpłatną poradę") {
			t.Fatalf("POMOC from an opted-out phone answered %q, want the Polish help alone", got)
		}
		if st := h.state(smsTestPhone); st.open() || !h.optedOut(smsTestPhone) {
			t.Errorf("POMOC from an opted-out phone: conversation %+v, opted out %v", st, h.optedOut(smsTestPhone))
		}
	})
}
