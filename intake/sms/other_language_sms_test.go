package sms

import (
	"context"
	"strings"
	"testing"
)

// A client whose language Onward has no words in names it at the
// languages offered (audit A1 #2): the conversation goes on in English,
// says an interpreter will be asked for, and the referral's client is
// recorded as wanting a Romanian interpreter, texted in English.
func TestOtherLanguageBySMS(t *testing.T) {
	h := newSMSHarness(t)
	phone := "+447700900602"
	h.text(phone, "Buna ziua, am nevoie de ajutor, nu vorbesc engleza")
	got := strings.Join(h.text(phone, "romana"), "\n")
	if !strings.Contains(got, "interpreter who speaks Romanian") || !strings.Contains(got, "text you in English") {
		t.Fatalf("reply to romana at the languages offered: %q", got)
	}
	var last []string
	for _, b := range []string{"1", "KY1 1AB", "no", "no", "Andrei Fictiv", "1", "1", "yes"} {
		last = h.text(phone, b)
	}
	ref := referenceRe.FindString(strings.Join(last, " "))
	if ref == "" {
		t.Fatalf("no reference in the last reply: %q", last)
	}
	r, err := h.env.Engine.ReferralByReference(context.Background(), ref)
	if err != nil {
		t.Fatal(err)
	}
	c, err := h.env.Engine.ClientDetailsFor(context.Background(), r.ClientID)
	if err != nil {
		t.Fatal(err)
	}
	if c.Language != "en" || !c.Interpreter || c.InterpreterLanguage != "ro" {
		t.Errorf("client: texts in %q, interpreter %v for %q; want en, true, ro", c.Language, c.Interpreter, c.InterpreterLanguage)
	}
}

// A Polish keyword sent while the languages are offered picks Polish, as
// it does as a first text (audit A1 #9), and "pomocy" is POMOC.
func TestPolishKeywordAtLanguageMenu(t *testing.T) {
	for _, first := range []string{"Hi", "pomocy"} {
		t.Run(first, func(t *testing.T) {
			h := newSMSHarness(t)
			phone := "+447700900502"
			h.text(phone, first)
			got := h.text(phone, "POMOC")
			if len(got) < 2 || !strings.Contains(got[0], "pomaga znaleźć bezpłatną poradę") {
				t.Fatalf("POMOC after %q answered %q, want the Polish help then the first question", first, got)
			}
			if st := h.state(phone); !st.open() || st.Conv.Lang != "pl" || st.Conv.Step != "needs" {
				t.Errorf("after POMOC: conversation %+v, want Polish at the needs question", st)
			}
		})
	}
}
