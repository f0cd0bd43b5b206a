package core_test

import (
	"strings"
	"testing"
	"time"

	"github.com/onward-network/onward/core"
	"github.com/onward-network/onward/core/lang"
	"github.com/onward-network/onward/templates"
)

// Every reason a client can read renders in every shipped language from
// that language's own message file; in English it reads as staff read it.
func TestMatchReasonsInEveryLanguage(t *testing.T) {
	t.Parallel()
	cat, err := lang.Load(templates.FS, nil)
	if err != nil {
		t.Fatal(err)
	}
	until := time.Date(2027, 3, 14, 0, 0, 0, 0, time.UTC)
	reasons := []core.MatchReason{
		{Kind: core.WhyOffers, Need: core.NeedDebt},
		{Kind: core.WhyServes, Area: "KY1"},
		{Kind: core.WhySpeaks, Language: "pl"},
		{Kind: core.WhyNotServed, Area: "KY16"},
		{Kind: core.WhyNoLanguage, Language: "uk"},
		{Kind: core.WhyAtCapacity},
		{Kind: core.WhyAtCapacity, Until: &until},
		{Kind: core.WhyAgenciesOnly},
		{Kind: core.WhyTriedBefore},
	}
	for _, l := range cat.Languages() {
		for _, r := range reasons {
			id := "match." + string(r.Kind)
			if r.Until != nil {
				id = "match.at_capacity_until"
			}
			if !cat.Has(l.Code, id) {
				t.Errorf("%s.toml lacks %s", l.Code, id)
			}
			got, err := r.In(cat, l.Code)
			if err != nil {
				t.Errorf("%s %s: %v", l.Code, r.Kind, err)
				continue
			}
			if l.Code == lang.English {
				if got != r.String() {
					t.Errorf("English %s = %q, staff read %q", r.Kind, got, r.String())
				}
				continue
			}
			for _, w := range []string{"offers", "serves", "capacity", "agencies", "March", "Polish", "Ukrainian", "Debt", "debt"} {
				if strings.Contains(got, w) {
					t.Errorf("%s %s = %q: has the English %q", l.Code, r.Kind, got, w)
				}
			}
		}
	}
	// The facts stay as they are: a district, a date in the language.
	for code, want := range map[string]string{"pl": "nie przyjmuje nowych zgłoszeń do 14 marca 2027", "ar": "لا تستقبل إحالات جديدة حتى 14 مارس 2027"} {
		if got, _ := (core.MatchReason{Kind: core.WhyAtCapacity, Until: &until}).In(cat, code); got != want {
			t.Errorf("%s = %q, want %q", code, got, want)
		}
	}
	if got, _ := (core.MatchReason{Kind: core.WhySpeaks, Language: "uk"}).In(cat, "pl"); got != "udziela pomocy w języku: ukraiński" {
		t.Errorf("Polish language reason = %q", got)
	}
	// A staff-only reason carries an adviser's words: never translated,
	// never given to a client's catalogue.
	r := core.MatchReason{Kind: core.WhyRejectedBefore, Reference: "ON-ABC123", Rejection: core.ReasonNotEligible, Feedback: "outside our area"}
	if got, _ := r.In(cat, "pl"); got != r.String() || !strings.HasPrefix(got, "rejected this client's referral ON-ABC123: ") {
		t.Errorf("rejected-before reason = %q", got)
	}
}
