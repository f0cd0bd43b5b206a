package sms

import (
	"strings"
	"testing"
)

// A postcode sent with the answer to the first question is taken, and
// the reply says which, in the client's language, before the next
// question.
func TestEarlyPostcodeConfirmedBySMS(t *testing.T) {
	h := newSMSHarness(t)
	phone := "+447700900604"
	h.text(phone, "POLSKI")
	got := h.text(phone, "1 KY1 1AB")
	if len(got) != 2 || got[0] != "Dziękujemy, zapisaliśmy Twój kod pocztowy: KY1 1AB." || !strings.Contains(got[1], "jedzenia") {
		t.Errorf("reply to a need and a postcode: %q; want the postcode taken, then the food question, in Polish", got)
	}
	if st := h.state(phone); st.Conv.Step != "crisis_food" || st.Conv.Answers.Postcode != "KY1 1AB" {
		t.Errorf("conversation at %q with postcode %q", st.Conv.Step, st.Conv.Answers.Postcode)
	}
}

// Signed texts from new numbers: a word of one language sent to the
// languages offered moves the conversation to it and answers the first
// question there; a word that answers nothing gets that question as
// first asked, with no "Sorry"; and a postcode as the first text after
// STOP and START is kept, and confirmed once the needs are given.
func TestFirstRepliesBySMS(t *testing.T) {
	t.Parallel()
	h := newSMSHarness(t)
	for _, tc := range []struct {
		phone string
		texts []string
		want  string // the last reply's first text starts so
		lang  string
		step  string
	}{
		{"+447700900611", []string{"Hi", "dług"}, "Dziękujemy. Jaki jest Twój kod pocztowy?", "pl", "postcode"},
		{"+447700900612", []string{"Hi", "🙂"}, "What do you need help with?", "en", "needs"},
		{"+447700900613", []string{"Hi", "pomoc z długami"}, "Dziękujemy. Jaki jest Twój kod pocztowy?", "pl", "postcode"},
		{"+447700900616", []string{"Hi", "dzień dobry"}, "W czym potrzebujesz pomocy?", "pl", "needs"},
		{"+447700900614", []string{"Hi", "STOP", "START", "KY1 1AB", "1", "1"}, "Thanks, we have your postcode as KY1 1AB.", "en", "crisis_food"},
	} {
		var got []string
		for _, body := range tc.texts {
			got = h.text(tc.phone, body)
		}
		st := h.state(tc.phone)
		if len(got) == 0 || !strings.HasPrefix(got[0], tc.want) || st == nil || st.Conv.Lang != tc.lang || st.Conv.Step != tc.step {
			t.Errorf("%q: replies %q, conversation %+v; want %q first, in %q at %q", tc.texts, got, st, tc.want, tc.lang, tc.step)
		}
	}
}
