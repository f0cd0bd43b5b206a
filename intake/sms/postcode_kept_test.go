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
