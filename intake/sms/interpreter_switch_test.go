package sms

import (
	"context"
	"strings"
	"testing"
)

// TestInterpreterAskedAfterSwitchingBack: a Polish client who asks for
// English at the contact question and texts POLSKI at the time question
// is asked whether they want an interpreter, which they passed in
// English, before the consent question, and the adviser reads their
// answer; as a client who texted in Polish throughout is asked it.
func TestInterpreterAskedAfterSwitchingBack(t *testing.T) {
	t.Parallel()
	h := newSMSHarness(t)
	asked, last := false, ""
	for _, b := range []string{"POLSKI", "dług i czynsz", "KY1 1AB", "nie", "nie", "Ania Fikcyjna",
		"english please", "1", "POLSKI", "tak", "rano", "TAK"} {
		last = strings.Join(h.text(smsTestPhone, b), " ")
		asked = asked || strings.Contains(last, "Czy chcesz tłumacza")
	}
	if !asked {
		t.Error("the interpreter question was never asked after the client went back to Polish")
	}
	r, err := h.env.Engine.ReferralByReference(context.Background(), referenceRe.FindString(last))
	if err != nil {
		t.Fatalf("no referral after %q: %v", last, err)
	}
	code, interpreter, err := h.env.Engine.ClientLanguage(context.Background(), r.ClientID)
	if err != nil {
		t.Fatal(err)
	}
	if code != "pl" || !interpreter {
		t.Errorf("the client's language is %q, interpreter %v; want Polish with an interpreter", code, interpreter)
	}
}
