package sms

import (
	"context"
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
			var last []string
			for _, b := range []string{"1", "KY1 1AB", "nie", "nie", "Andrei Fictiv", "1", tc.interpreter, "1", "tak"} {
				last = h.text(phone, b)
			}
			ref := referenceRe.FindString(strings.Join(last, " "))
			if ref == "" {
				t.Fatalf("no reference in the last reply: %q", last)
			}
			ctx := context.Background()
			r, err := h.env.Engine.ReferralByReference(ctx, ref)
			if err != nil {
				t.Fatal(err)
			}
			c, err := h.env.Engine.ClientDetailsFor(ctx, r.ClientID)
			if err != nil {
				t.Fatal(err)
			}
			if c.Language != "pl" || c.InterpreterLanguage != "" || strings.Contains(c.Notes, "Kurdish") {
				t.Errorf("client: texts in %q, interpreter language %q, notes %q; want pl and no interpreter language", c.Language, c.InterpreterLanguage, c.Notes)
			}
			need, err := h.env.Engine.ClientInterpreter(ctx, r.ClientID)
			if err != nil {
				t.Fatal(err)
			}
			if got := need.Label(); got != tc.want {
				t.Errorf("staff read %q, want %q", got, tc.want)
			}
		})
	}
}
