package sms

import (
	"context"
	"strings"
	"testing"
)

// A client who picks "7 Other" and names Romanian, then texts POLSKI,
// goes on in Polish: the referral asks for no Romanian interpreter, only
// for the one they asked for in Polish (flow.ChooseLanguage).
func TestOtherLanguageThenPolishBySMS(t *testing.T) {
	for _, tc := range []struct {
		interpreter, want string
	}{{"nie", ""}, {"tak", "Interpreter wanted: Polish"}} {
		t.Run(tc.interpreter, func(t *testing.T) {
			h := newSMSHarness(t)
			phone := "+447700900603"
			h.text(phone, "Hello")
			h.text(phone, "7")
			if got := strings.Join(h.text(phone, "Romanian"), "\n"); !strings.Contains(got, "interpreter who speaks Romanian") {
				t.Fatalf("reply to Romanian: %q", got)
			}
			if got := strings.Join(h.text(phone, "POLSKI"), "\n"); !strings.Contains(got, "po polsku") {
				t.Fatalf("reply to POLSKI: %q", got)
			}
			finishInPolishWithoutOther(t, h, phone, tc.interpreter, "Romanian", tc.want)
		})
	}
}

// finishInPolishWithoutOther answers the rest of a conversation moved to
// Polish after "Other" named the language other, with interpreter as the
// answer to the interpreter question, and checks the referral it makes:
// texts in Polish, no interpreter language or note of other, and staff
// reading want of the interpreter.
func finishInPolishWithoutOther(t *testing.T, h *smsHarness, phone, interpreter, other, want string) {
	t.Helper()
	var last []string
	for _, b := range []string{"1", "KY1 1AB", "nie", "nie", "Andrei Fictiv", "1", interpreter, "1", "tak"} {
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
	if c.Language != "pl" || c.InterpreterLanguage != "" || strings.Contains(c.Notes, other) {
		t.Errorf("client: texts in %q, interpreter language %q, notes %q; want pl and no interpreter language", c.Language, c.InterpreterLanguage, c.Notes)
	}
	need, err := h.env.Engine.ClientInterpreter(ctx, r.ClientID)
	if err != nil {
		t.Fatal(err)
	}
	if got := need.Label(); got != want {
		t.Errorf("staff read %q, want %q", got, want)
	}
}
