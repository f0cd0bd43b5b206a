package sms

import (
	"context"
	"strings"
	"testing"
)

// TestDoneInTriageNamesNoLocalService: every crisis self-referral waits
// for a coordinator to choose the agency, so its last text says a
// coordinator will pass it to the service that can help, in the client's
// language, and never that a local advice service will be in touch.
func TestDoneInTriageNamesNoLocalService(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name        string
		texts       []string
		want, never string
	}{
		{"English", []string{"Hi", "1", "1", "KY1 1AB", "yes", "no", "Ailsa Fictional", "1", "1", "yes"},
			"A coordinator will pass it to the service that can help", "A local advice service"},
		{"Polish", []string{"POLSKI", "dług i czynsz", "KY1 1AB", "tak", "nie", "Ania Fikcyjna", "1", "tak", "rano", "TAK"},
			"Koordynator przekaże ją poradni", "Lokalna poradnia"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			h := newSMSHarness(t)
			var last string
			for _, b := range tc.texts {
				last = strings.Join(h.text(smsTestPhone, b), " ")
			}
			r, err := h.env.Engine.ReferralByReference(context.Background(), referenceRe.FindString(last))
			if err != nil {
				t.Fatalf("no referral after %q: %v", last, err)
			}
			if !r.Crisis || !r.InTriage() {
				t.Fatalf("the referral is crisis %v, in triage %v; want a crisis waiting in triage", r.Crisis, r.InTriage())
			}
			if !strings.Contains(last, tc.want) || strings.Contains(last, tc.never) {
				t.Errorf("the last text is %q; want %q, never %q", last, tc.want, tc.never)
			}
		})
	}
}
