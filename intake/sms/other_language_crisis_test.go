package sms

import (
	"strings"
	"testing"

	"github.com/onward-network/onward/intake/flow"
)

// A client who picks "7 Other" and names Kurdish, then texts self-harm
// words in Polish, is moved to Polish (the crisis lines, and the
// questions after them): they read Polish, so the referral asks for no
// Kurdish interpreter, only for the one they ask for in Polish, as after
// texting POLSKI (flow.Flow.ChooseLanguage).
func TestOtherLanguageThenPolishCrisisWords(t *testing.T) {
	for _, tc := range []struct {
		interpreter, want string
	}{{"nie", ""}, {"tak", "Interpreter wanted: Polish"}} {
		t.Run(tc.interpreter, func(t *testing.T) {
			h := newSMSHarness(t)
			phone := "+447700900605"
			h.text(phone, "Hello")
			h.text(phone, "7")
			if got := strings.Join(h.text(phone, "Kurdish"), "\n"); !strings.Contains(got, "interpreter who speaks Kurdish") {
				t.Fatalf("reply to Kurdish: %q", got)
			}
			if st := h.state(phone); st.Conv.Answers.Extra[flow.InterpreterLanguageField] == "" {
				t.Fatalf("after Kurdish: no interpreter language in %+v", st.Conv.Answers)
			}
			h.text(phone, "chcę umrzeć")
			if st := h.state(phone); st.Conv.Lang != "pl" || st.Conv.Answers.Extra[flow.InterpreterLanguageField] != "" {
				t.Fatalf("after Polish self-harm words: in %q, interpreter language %q; want Polish and none",
					st.Conv.Lang, st.Conv.Answers.Extra[flow.InterpreterLanguageField])
			}
			finishInPolishWithoutOther(t, h, phone, tc.interpreter, "Kurdish", tc.want)
		})
	}
}
