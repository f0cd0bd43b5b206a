package sms

import (
	"context"
	"slices"
	"strings"
	"testing"
)

// TestUnsureAnswerShownToStaff: "nie wiem" ("I don't know") to the
// eviction question is read as yes, so an adviser checks, and the crisis
// reasons staff read say the client was unsure, not a plain "at risk of
// losing their home". A sure answer is shown as it is.
func TestUnsureAnswerShownToStaff(t *testing.T) {
	t.Parallel()
	h := newSMSHarness(t)
	var last string
	for _, b := range []string{"POLSKI", "dług i czynsz", "KY1 1AB", "tak", "nie wiem", "Ania Fikcyjna", "1", "nie", "rano", "TAK"} {
		last = strings.Join(h.text(smsTestPhone, b), " ")
	}
	ctx := context.Background()
	r, err := h.env.Engine.ReferralByReference(ctx, referenceRe.FindString(last))
	if err != nil {
		t.Fatalf("no referral after %q: %v", last, err)
	}
	reasons, err := h.env.Engine.CrisisReasons(ctx, r)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"at risk of losing their home within two weeks, client unsure", "going without food or heating today"} {
		if !slices.Contains(reasons, want) {
			t.Errorf("crisis reasons %q, want %q among them", reasons, want)
		}
	}
}
